/**
 * `when:` conditions: `<ref> <op> <literal>`, joined by `and`, `or`, `not` and parentheses.
 * `ref` is a template path (`vars.X`, `steps.ID.status`, the loop variable, `host.name`, ...),
 * `op` one of `== != < <= > >= in`, and a literal a quoted string, a number, `true`/`false` or a
 * list of those. Nothing is evaluated but these comparisons.
 */
import { type Ref, refOf } from './parse.js';

export type Scalar = string | number | boolean;
export type Literal = Scalar | readonly Scalar[];
export type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';

export type Condition =
  | { readonly kind: 'compare'; readonly ref: Ref; readonly op: Op; readonly value: Literal }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly operand: Condition };

export class ConditionError extends Error {
  override name = 'ConditionError';
  constructor(
    message: string,
    /** Offset in the condition's text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token = { readonly kind: 'word' | 'op' | 'string' | 'number' | 'punct'; readonly text: string; readonly value?: Scalar; readonly at: number };

const OPS = ['==', '!=', '<=', '>=', '<', '>'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"') {
      let value = '';
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
      }
      if (i >= text.length) throw new ConditionError(`unclosed ${c}`, at);
      i++;
      tokens.push({ kind: 'string', text: text.slice(at, i), value, at });
    } else if ('()[],'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, at });
      i++;
    } else if (OPS.some((op) => text.startsWith(op, i))) {
      const op = OPS.find((o) => text.startsWith(o, i))!;
      tokens.push({ kind: 'op', text: op, at });
      i += op.length;
    } else {
      const m = /^[^\s()[\],=!<>'"]+/.exec(text.slice(i));
      if (!m) throw new ConditionError(`unexpected "${c}"`, at);
      const word = m[0];
      i += word.length;
      if (/^-?\d+(\.\d+)?$/.test(word)) tokens.push({ kind: 'number', text: word, value: Number(word), at });
      else tokens.push({ kind: 'word', text: word, at });
    }
  }
  return tokens;
}

/** Parses a condition; ConditionError (with the offset) on bad syntax or a reference that is not one. */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const end = text.length;
  const fail = (what: string): never => {
    const t = peek();
    throw new ConditionError(t ? `${what}, found "${t.text}"` : `${what} at the end`, t?.at ?? end);
  };
  const isWord = (w: string) => peek()?.kind === 'word' && peek()!.text === w;

  const or = (): Condition => {
    let left = and();
    while (isWord('or')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Condition => {
    let left = unary();
    while (isWord('and')) {
      pos++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Condition => {
    if (isWord('not')) {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    if (peek()?.text === '(') {
      pos++;
      const inner = or();
      if (peek()?.text !== ')') fail('expected ")"');
      pos++;
      return inner;
    }
    return compare();
  };
  const compare = (): Condition => {
    const t = peek();
    if (t?.kind !== 'word' || ['and', 'or', 'not', 'in', 'true', 'false'].includes(t.text)) return fail('expected a reference such as steps.drain.status');
    pos++;
    const raw = t.text.replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1');
    const ref = refOf(raw, t.at, t.text.length);
    if (typeof ref === 'string') throw new ConditionError(ref, t.at);
    const o = peek();
    let op: Op;
    if (o?.kind === 'op') op = o.text as Op;
    else if (o?.kind === 'word' && o.text === 'in') op = 'in';
    else return fail(`expected an operator (== != < <= > >= in) after ${t.text}`);
    pos++;
    const value = op === 'in' ? list() : scalar();
    return { kind: 'compare', ref, op, value };
  };
  const scalar = (): Scalar => {
    const t = peek();
    if (t?.kind === 'string' || t?.kind === 'number') return (pos++, t.value!);
    if (t?.kind === 'word' && (t.text === 'true' || t.text === 'false')) return (pos++, t.text === 'true');
    return fail("expected a value: a quoted string, a number, true or false (quote text: 'succeeded')");
  };
  const list = (): readonly Scalar[] => {
    if (peek()?.text !== '[') fail('expected a list after in: [...]');
    pos++;
    const items: Scalar[] = [];
    while (peek()?.text !== ']') {
      items.push(scalar());
      if (peek()?.text === ',') pos++;
      else if (peek()?.text !== ']') fail('expected "," or "]"');
    }
    pos++;
    return items;
  };

  if (tokens.length === 0) throw new ConditionError('empty condition', 0);
  const cond = or();
  if (pos < tokens.length) fail('expected "and", "or" or the end');
  return cond;
}

/** Every reference of a condition, in order. */
export function conditionRefs(cond: Condition): Ref[] {
  switch (cond.kind) {
    case 'compare':
      return [cond.ref];
    case 'not':
      return conditionRefs(cond.operand);
    default:
      return [...conditionRefs(cond.left), ...conditionRefs(cond.right)];
  }
}

/** What a reference stands for: a value, or not known yet (a dry run before the step ran). */
export type RefValue = { readonly value: unknown } | { readonly unknown: true };

/**
 * true or false, or 'unknown' when it depends on a value not known yet (plans). A comparison
 * that needs numbers and gets something else throws ConditionError.
 */
export function evaluate(cond: Condition, lookup: (ref: Ref) => RefValue): boolean | 'unknown' {
  switch (cond.kind) {
    case 'not': {
      const v = evaluate(cond.operand, lookup);
      return v === 'unknown' ? v : !v;
    }
    case 'and': {
      const l = evaluate(cond.left, lookup);
      if (l === false) return false;
      const r = evaluate(cond.right, lookup);
      return r === false ? false : l === 'unknown' || r === 'unknown' ? 'unknown' : true;
    }
    case 'or': {
      const l = evaluate(cond.left, lookup);
      if (l === true) return true;
      const r = evaluate(cond.right, lookup);
      return r === true ? true : l === 'unknown' || r === 'unknown' ? 'unknown' : false;
    }
    case 'compare': {
      const found = lookup(cond.ref);
      if ('unknown' in found) return 'unknown';
      return compare(found.value, cond.op, cond.value, cond.ref);
    }
  }
}

const asNumber = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
};

function equal(a: unknown, b: Scalar): boolean {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x === y;
  return String(a ?? '') === String(b);
}

function compare(actual: unknown, op: Op, expected: Literal, ref: Ref): boolean {
  if (op === 'in') return (expected as readonly Scalar[]).some((e) => equal(actual, e));
  if (op === '==') return equal(actual, expected as Scalar);
  if (op === '!=') return !equal(actual, expected as Scalar);
  const x = asNumber(actual);
  const y = asNumber(expected as Scalar);
  if (x === undefined || y === undefined) throw new ConditionError(`${ref.raw} ${op} ${String(expected)}: ${op} compares numbers, and ${ref.raw} is ${JSON.stringify(actual)}`, ref.offset);
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

const quoted = (v: Scalar) => (typeof v === 'string' ? `'${v}'` : String(v));
const STATUS_WORDS: Record<string, string> = { succeeded: 'succeeded', failed: 'failed', skipped: 'was skipped', not_run: 'has not run' };

/** The condition in words, for people: `step drain did not succeed and vars.env is 'prod'`. */
export function describeCondition(cond: Condition): string {
  switch (cond.kind) {
    case 'not':
      return `not (${describeCondition(cond.operand)})`;
    case 'and':
    case 'or': {
      const side = (c: Condition) => (c.kind !== cond.kind && (c.kind === 'and' || c.kind === 'or') ? `(${describeCondition(c)})` : describeCondition(c));
      return `${side(cond.left)} ${cond.kind} ${side(cond.right)}`;
    }
    case 'compare': {
      const { ref, op, value } = cond;
      if (ref.root === 'steps' && ref.parts[1] === 'status' && typeof value === 'string' && (op === '==' || op === '!=')) {
        const words = STATUS_WORDS[value];
        if (words) return `step ${ref.parts[0]} ${op === '==' ? words : negate(value)}`;
      }
      const verb = { '==': 'is', '!=': 'is not', '<': 'is less than', '<=': 'is at most', '>': 'is more than', '>=': 'is at least', in: 'is one of' }[op];
      const shown = Array.isArray(value) ? (value as Scalar[]).map(quoted).join(', ') : quoted(value as Scalar);
      return `${ref.raw} ${verb} ${shown}`;
    }
  }
}

function negate(status: string): string {
  return { succeeded: 'did not succeed', failed: 'did not fail', skipped: 'was not skipped', not_run: 'has run' }[status] ?? `is not ${status}`;
}

/** A step's `when:` in words, or as written when it does not parse (validation says why). */
export function whenWords(when: string): string {
  try {
    return describeCondition(parseCondition(when));
  } catch (err) {
    if (err instanceof ConditionError) return when;
    throw err;
  }
}
