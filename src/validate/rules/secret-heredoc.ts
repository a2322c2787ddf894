/**
 * A secret in a command stands where the shell expands variables: not in a here-document with a
 * quoted delimiter (`<<'EOF'` expands nothing, and a secret reaches a command only as a variable
 * of its environment). The step would fail when it starts.
 */
import { contextsOf, quotedHeredocMessage } from '../../template/shell.js';
import type { Rule } from '../context.js';
import { allFields } from '../fields.js';

export const secretHeredoc: Rule = {
  name: 'secret-heredoc',
  check(ctx) {
    for (const field of allFields(ctx.runbook)) {
      // cwd is a path, not shell text.
      if (field.cls !== 'command' || field.path[field.path.length - 1] === 'cwd' || !field.value.includes('secrets')) continue;
      for (const { ref, mode, heredoc } of contextsOf(field.value)) {
        if (ref.root !== 'secrets' || mode !== 'heredoc' || heredoc?.expands !== false) continue;
        const raw = field.value.slice(ref.offset, ref.offset + ref.length);
        ctx.error(field.path, `${field.what}: ${quotedHeredocMessage(ref.raw)}`, { text: raw, nth: occurrencesBefore(field.value, raw, ref.offset) });
      }
    }
  },
};

function occurrencesBefore(text: string, needle: string, offset: number): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0 && at < offset; at = text.indexOf(needle, at + 1)) n++;
  return n;
}
