/**
 * `${{ path }}` references: the only expressions a runbook has. No code is evaluated.
 *
 *   vars.X   secrets.X   item (or the loop's `as`), item.field   steps.ID.outputs.K
 *   steps.ID.stdout   steps.ID.exit_code   steps.ID.status   run.id   run.started   window.start
 *   window.end   env.X   groups.X (a list of host names)   host.name (the step's host)
 */

export type Root = 'vars' | 'secrets' | 'steps' | 'run' | 'window' | 'env' | 'groups' | 'host' | 'loop';

export interface Ref {
  /** The text between the braces, trimmed: `vars.servers`. */
  readonly raw: string;
  readonly root: Root;
  /** The dotted parts after the root (for `loop`, the loop variable name is parts[0]). */
  readonly parts: readonly string[];
  /** Offset of `${{` in the template. */
  readonly offset: number;
  readonly length: number;
}

export type Segment = { readonly text: string } | { readonly ref: Ref };

export interface ParsedTemplate {
  readonly segments: readonly Segment[];
  /** Syntax problems, with the offset in the template where each starts. */
  readonly errors: readonly { readonly message: string; readonly offset: number }[];
}

const OPEN = '${{';
const CLOSE = '}}';
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** The names a reference starts with; any other first name is a loop variable. */
export const TEMPLATE_ROOTS: readonly string[] = ['vars', 'secrets', 'steps', 'run', 'window', 'env', 'groups', 'host'];
const ROOTS: ReadonlySet<string> = new Set(TEMPLATE_ROOTS);
/** Roots of the second edition, which a loop variable of the same name still hides. */
const LATER_ROOTS: ReadonlySet<string> = new Set(['groups', 'host']);

/** A `host.name` or `groups.X` reference that a loop variable called host or groups hides. */
export function hiddenByLoop(ref: Ref, loopVars: Iterable<string>): boolean {
  return LATER_ROOTS.has(ref.root) && [...loopVars].includes(ref.root);
}

/**
 * Parsed templates by text: validation (several rules), the plan and the run all parse the
 * same commands. The results are never modified. Bounded, in case of a very long run.
 */
const parsed = new Map<string, ParsedTemplate>();
const MAX_CACHED = 100_000;

export function parseTemplate(template: string): ParsedTemplate {
  let result = parsed.get(template);
  if (!result) {
    result = parse(template);
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(template, result);
  }
  return result;
}

function parse(template: string): ParsedTemplate {
  const segments: Segment[] = [];
  const errors: { message: string; offset: number }[] = [];
  let at = 0;
  for (;;) {
    const open = template.indexOf(OPEN, at);
    if (open < 0) break;
    const close = template.indexOf(CLOSE, open + OPEN.length);
    if (close < 0) {
      errors.push({ message: 'unclosed "${{": expected "}}"', offset: open });
      break;
    }
    if (open > at) segments.push({ text: template.slice(at, open) });
    const raw = template.slice(open + OPEN.length, close).trim();
    const length = close + CLOSE.length - open;
    const ref = toRef(raw, open, length);
    if (typeof ref === 'string') errors.push({ message: ref, offset: open });
    else segments.push({ ref });
    at = close + CLOSE.length;
  }
  if (at < template.length) segments.push({ text: template.slice(at) });
  return { segments, errors };
}

/** The references in a template (syntax errors ignored). */
export function refsOf(template: string): Ref[] {
  if (!template.includes(OPEN)) return [];
  return parseTemplate(template).segments.flatMap((s) => ('ref' in s ? [s.ref] : []));
}

export function hasTemplate(value: string): boolean {
  return value.includes(OPEN);
}

/** A reference from its text (`vars.x`, `steps.a.status`): the Ref, or why it is not one. */
export function refOf(raw: string, offset = 0, length = raw.length): Ref | string {
  return toRef(raw, offset, length);
}

function toRef(raw: string, offset: number, length: number): Ref | string {
  if (raw === '') return 'empty "${{ }}"';
  const parts = raw.split('.');
  if (parts.some((p) => !NAME.test(p))) {
    return `"${raw}" is not a reference: use vars.X, secrets.X, steps.ID.outputs.K, item, run.id, window.start, env.X (no expressions)`;
  }
  const [head, ...rest] = parts as [string, ...string[]];
  if (!ROOTS.has(head)) return { raw, root: 'loop', parts, offset, length };
  const root = head as Root;
  const shape = checkShape(root, rest);
  // Loops written before these roots existed may be called host or groups: `${{ host }}` and
  // `${{ host.ip }}` stay loop references (see refersToLoop).
  if (shape && LATER_ROOTS.has(head)) return { raw, root: 'loop', parts, offset, length };
  return shape ?? { raw, root, parts: rest, offset, length };
}

function checkShape(root: Root, rest: readonly string[]): string | undefined {
  switch (root) {
    case 'vars':
      return rest.length >= 1 ? undefined : 'vars needs a name: vars.X';
    case 'secrets':
    case 'env':
    case 'groups':
      return rest.length === 1 ? undefined : `${root} takes one name: ${root}.X`;
    case 'host':
      return rest.length === 1 && rest[0] === 'name' ? undefined : 'host has name: host.name';
    case 'run':
      return rest.length === 1 && (rest[0] === 'id' || rest[0] === 'started') ? undefined : 'run has id and started: run.id, run.started';
    case 'window':
      return rest.length === 1 && (rest[0] === 'start' || rest[0] === 'end') ? undefined : 'window has start and end: window.start, window.end';
    case 'steps': {
      const [, what, key] = rest;
      if (rest.length === 3 && what === 'outputs' && key) return undefined;
      if (rest.length === 2 && (what === 'stdout' || what === 'exit_code' || what === 'status')) return undefined;
      return 'steps takes steps.ID.outputs.K, steps.ID.stdout, steps.ID.exit_code or steps.ID.status';
    }
    default:
      return undefined;
  }
}

/** Where the dotted parts of a reference lead inside `root` (own properties only). */
export function lookupPath(root: unknown, parts: readonly string[]): { found: boolean; value: unknown } {
  let value = root;
  for (const part of parts) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return { found: false, value: undefined };
    value = (value as Record<string, unknown>)[part];
  }
  return { found: true, value };
}
