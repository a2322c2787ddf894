/**
 * zod issues to problems at a path, in words a sysadmin reads: the unknown key with a "did you
 * mean", the missing key, the wrong type. A union's issues are narrowed to the option the value
 * was meant for; a step's to the kind it declares.
 */
import type * as z from 'zod';
import { STEP_KINDS, STEP_SCHEMAS } from '../model/schema.js';
import { chooseOption, isDuration, isPlainObject, isStepUnion, keysOf, kindsOf, schemaAt, unionOptions, unwrap, valueAt } from './schema-walk.js';
import { closest, didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;
type Key = string | number;

/** A problem at a path: at the value, at the key itself, or (missing keys) at the parent. */
export interface PathProblem {
  readonly code: string;
  readonly message: string;
  readonly path: readonly Key[];
  readonly at: 'value' | 'key';
}

const ALL_STEP_KEYS = [...new Set(Object.values(STEP_SCHEMAS).flatMap((s) => keysOf(s as unknown as z.core.$ZodType)))];
const KIND_LIST = STEP_KINDS.join(', ');

export function mapIssues(issues: readonly Issue[], base: readonly Key[], schema: z.core.$ZodType, root: unknown): PathProblem[] {
  return issues.flatMap((issue) => mapIssue(issue, base, schema, root));
}

function mapIssue(issue: Issue, base: readonly Key[], schema: z.core.$ZodType, root: unknown): PathProblem[] {
  const rel = issue.path.map((k) => (typeof k === 'number' ? k : String(k)));
  const path = [...base, ...rel];
  const value = valueAt(root, path);
  const here = (code: string, message: string, at: PathProblem['at'] = 'value', p = path): PathProblem[] => [{ code, message, path: p, at }];
  const local = () => schemaAt(schema, rel, valueAt(root, base));
  const name = label(path);
  switch (issue.code) {
    case 'invalid_union': {
      const union = local();
      if (union && isStepUnion(union)) return stepProblems(path, root);
      return unionProblems(issue, path, union, root);
    }
    case 'unrecognized_keys': {
      const allowed = keysOf(chooseOption(local() ?? schema, value) ?? undefined);
      return issue.keys.flatMap((key) => here('unknown-key', `unknown key ${quoteKey(key)}${hint(key, allowed) || placeHint(key, value)}`, 'key', [...path, key]));
    }
    case 'invalid_type': {
      if (value === undefined) {
        const parent = path.slice(0, -1);
        return here('required', `missing required key "${String(path.at(-1))}"${parent.length ? ` in ${label(parent)}` : ''}`, 'value', parent);
      }
      if (isDuration(local())) return here('type', `${name}: not a duration: use 90s, 2m, 1h30m, 2d, PT1H30M or a number of seconds`);
      return here('type', `${name} must be ${article(issue.expected)}, found ${describe(value)}`);
    }
    case 'invalid_value':
      return here('value', `${name} must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, found ${describe(value)}`);
    case 'too_small':
      if (issue.origin === 'array') return here('value', Number(issue.minimum) <= 1 ? `${name} must not be empty` : `${name} needs at least ${issue.minimum} items`);
      if (issue.origin === 'string') return here('value', `${name} must not be empty`);
      return here('value', `${name} must be at least ${issue.minimum}${issue.inclusive === false ? ' (exclusive)' : ''}, found ${describe(value)}`);
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'string') return here('value', `${name} is too long: at most ${issue.maximum}`);
      return here('value', `${name} must be at most ${issue.maximum}, found ${describe(value)}`);
    case 'invalid_format':
      return here('value', issue.message.startsWith('Invalid') ? `${name} must match ${issue.pattern ?? issue.format}` : `${name}: ${issue.message}`);
    case 'invalid_key': {
      const reason = issue.issues[0]?.message ?? 'invalid name';
      return here('value', `"${String(path.at(-1))}" is not a valid name here: ${reason.startsWith('Invalid') ? 'use letters, digits and "_", not starting with a digit' : reason}`, 'key');
    }
    case 'custom':
      return here('value', `${name}: ${issue.message}`);
    default:
      return here('schema', `${name}: ${issue.message}`);
  }
}

/** `on:` or `become:` on a step that runs nothing where a host could matter. */
function placeHint(key: string, step: unknown): string {
  if ((key !== 'on' && key !== 'become') || !isPlainObject(step)) return '';
  const kind = ['manual', 'notify'].find((k) => k in step);
  return kind ? `: a ${kind} step runs no command, so it has no host (${key} is for run, wait, monitor and for_each)` : '';
}

/** A step whose kind-union failed: say what is wrong with the kind it declares. */
function stepProblems(path: readonly Key[], root: unknown): PathProblem[] {
  const step = valueAt(root, path);
  const at = (code: string, message: string, p: readonly Key[] = path, where: PathProblem['at'] = 'value'): PathProblem => ({ code, message, path: p, at: where });
  if (!isPlainObject(step)) return [at('step-kind', `a step is a mapping with an id and one of ${KIND_LIST}; found ${describe(step)}`)];
  const kinds = kindsOf(step);
  const out: PathProblem[] = [];
  if (kinds.length === 0) {
    const unknown = Object.keys(step).filter((k) => !ALL_STEP_KEYS.includes(k));
    const typo = unknown.map((k) => [k, closest(k, STEP_KINDS)] as const).find(([, kind]) => kind !== undefined);
    const loop = 'steps' in step ? ' (a loop needs for_each)' : '';
    const mean = typo ? ` (did you mean "${typo[1]}" for ${quoteKey(typo[0])}?)` : loop;
    out.push(at('step-kind', `a step needs exactly one of ${KIND_LIST}${mean}`));
    for (const k of unknown) if (k !== typo?.[0]) out.push(at('unknown-key', `unknown key ${quoteKey(k)}${hint(k, ALL_STEP_KEYS)}`, [...path, k], 'key'));
    return out;
  }
  const [kind, second] = kinds as [(typeof kinds)[number], ...typeof kinds];
  if (second) out.push(at('step-kind', `a step has exactly one kind: this one has both "${kind}" and "${second}"`, [...path, second], 'key'));
  const own = STEP_SCHEMAS[kind] as unknown as z.core.$ZodType;
  const result = (STEP_SCHEMAS[kind] as unknown as z.ZodType).safeParse(step);
  if (result.success) return out;
  const issues = result.error.issues.flatMap((i): Issue[] => {
    if (i.code !== 'unrecognized_keys' || i.path.length > 0) return [i];
    const keys = i.keys.filter((k) => !kinds.includes(k as (typeof kinds)[number]));
    return keys.length ? [{ ...i, keys }] : [];
  });
  return [...out, ...mapIssues(issues, path, own, root)];
}

/** A union other than a step: the issues of the option the value was meant for. */
function unionProblems(issue: Extract<Issue, { code: 'invalid_union' }>, path: readonly Key[], union: z.core.$ZodType | undefined, root: unknown): PathProblem[] {
  const value = valueAt(root, path);
  const name = label(path);
  const options = union ? unionOptions(union) : undefined;
  if (isDuration(union)) return [{ code: 'type', message: `${name}: not a duration: use 90s, 2m, 1h30m, 2d, PT1H30M or a number of seconds`, path, at: 'value' }];
  const chosen = union ? chooseOption(union, value) : undefined;
  const index = chosen && options ? options.indexOf(chosen) : -1;
  const branch = index >= 0 ? issue.errors[index] : undefined;
  if (chosen && branch && branch.length > 0) return mapIssues(branch, path, chosen, root);
  const what = options ? [...new Set(options.flatMap(forms))].join(' or ') : 'another form (see docs/format.md)';
  return [{ code: 'type', message: `${name} must be ${what}, found ${describe(value)}`, path, at: 'value' }];
}

/** What a union option accepts, in words: `a duration`, `a mapping`, `a list`. */
function forms(option: z.core.$ZodType): string[] {
  if (isDuration(option)) return ['a duration'];
  const inner = unwrap(option);
  const def = inner._zod.def as unknown as { type: string; values?: unknown[] };
  if (def.type === 'union') return (unionOptions(inner) ?? []).flatMap(forms);
  if (def.type === 'literal') return (def.values ?? []).map((v) => JSON.stringify(v));
  return [article(def.type === 'record' ? 'object' : def.type)];
}

const hint = (key: string, allowed: readonly string[]): string => {
  const mean = didYouMean(key, allowed);
  if (mean || allowed.length === 0) return mean;
  return allowed.length <= 8 ? ` (allowed: ${allowed.join(', ')})` : '';
};

/** `steps[2].timeout`, `window.start`, `the runbook` for the root. */
export function label(path: readonly Key[]): string {
  if (path.length === 0) return 'the runbook';
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? oneLine(k) : `.${oneLine(k)}`)).join('');
}

/** A key as written in a problem: quoted, with quotes and control characters escaped (one line). */
export function quoteKey(key: string): string {
  return `"${oneLine(key.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}

const ESCAPED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** Control characters and line separators escaped, so that a problem stays on one line. */
const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => ESCAPED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const article = (t: string): string => (t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'int' ? 'a whole number' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`);

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value);
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}
