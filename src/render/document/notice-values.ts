/**
 * The values the change notice shows in place of `${{ }}`: variables (after --var and
 * --vars-file) as the command will get them, quoted for the shell as the run quotes them;
 * secrets as `***`; what is only known during the run named in ‹›, e.g.
 * `‹output steps.build.outputs.tag›`, `‹server›` (the loop's current item). Pure.
 */
import { lookupPath, type Ref } from '../../template/parse.js';
import { type Resolved, renderShell, renderText } from '../../template/shell.js';
import { maskSecretRefs } from './sanitize.js';

export interface NoticeValues {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** The window's start and end (ISO, with offset) when the start is set. */
  readonly window: { readonly start?: string | undefined; readonly end?: string | undefined };
}

/** How the notice shows a template: a command (shell text) or prose. */
export interface Show {
  command(template: string): string;
  text(template: string): string;
}

const named = (what: string): Resolved => ({ display: `‹${what}›` });

function resolve(values: NoticeValues, ref: Ref): Resolved {
  switch (ref.root) {
    case 'vars': {
      const r = lookupPath(values.vars, ref.parts);
      return r.found ? { value: r.value } : named(ref.raw);
    }
    case 'secrets':
      return { display: '***' };
    case 'steps': {
      const [id, what] = ref.parts;
      if (what === 'outputs') return named(`output ${ref.raw}`);
      return named(`${what === 'exit_code' ? 'exit code' : what} of steps.${id}`);
    }
    case 'loop':
      return named(ref.raw);
    case 'run':
      return named(ref.parts[0] === 'id' ? 'run id' : 'run start time');
    case 'window': {
      const v = ref.parts[0] === 'start' ? values.window.start : values.window.end;
      return v === undefined ? named(ref.raw) : { value: v };
    }
    case 'env':
      return named(`$${ref.parts[0]} of the run`);
    case 'groups': {
      const members = values.groups[ref.parts[0]!];
      return members ? { value: members } : named(ref.raw);
    }
    case 'host':
      return named("the step's host");
  }
}

/** A template that cannot be filled in (validation reports why) is shown as written, secrets masked. */
function orAsWritten(template: string, fill: () => string): string {
  if (!template.includes('${{')) return template;
  try {
    return fill();
  } catch {
    return maskSecretRefs(template);
  }
}

export function noticeShow(values: NoticeValues): Show {
  const resolver = (ref: Ref) => resolve(values, ref);
  return {
    command: (t) => orAsWritten(t, () => renderShell(t, resolver)),
    text: (t) => orAsWritten(t, () => renderText(t, resolver)),
  };
}

/** A variable's value in the variables table: text as is, a list as its items, else JSON. */
export function valueWords(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.map(String).join(', ');
  return JSON.stringify(value);
}
