/**
 * A reference in a command stands where the shell can take it: not inside backquotes (the
 * quoting there is not followed; `$(…)` is), and a secret not in a here-document with a quoted
 * delimiter (`<<'EOF'` expands nothing, and a secret reaches a command only as a variable of its
 * environment). Both would fail the step when it starts.
 */
import { contextsOf, quotedHeredocMessage } from '../../template/shell.js';
import type { Rule } from '../context.js';
import { allFields } from '../fields.js';

export const shellContext: Rule = {
  name: 'shell-context',
  check(ctx) {
    for (const field of allFields(ctx.runbook)) {
      // cwd is a path, not shell text.
      if (field.cls !== 'command' || field.path[field.path.length - 1] === 'cwd' || !field.value.includes('${{')) continue;
      for (const { ref, mode, heredoc } of contextsOf(field.value)) {
        const raw = field.value.slice(ref.offset, ref.offset + ref.length);
        const where = { text: raw, nth: occurrencesBefore(field.value, raw, ref.offset) };
        if (mode === 'backquote') ctx.error(field.path, `\${{ ${ref.raw} }} in ${field.what} is inside backquotes: use $(…) instead`, where);
        else if (mode === 'heredoc' && ref.root === 'secrets' && heredoc && !heredoc.expands) ctx.error(field.path, `${field.what}: ${quotedHeredocMessage(ref.raw)}`, where);
      }
    }
  },
};

function occurrencesBefore(text: string, needle: string, offset: number): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0 && at < offset; at = text.indexOf(needle, at + 1)) n++;
  return n;
}
