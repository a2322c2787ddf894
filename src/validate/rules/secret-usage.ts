/**
 * Secrets reach commands (run, until, undo, verify, monitor), env and channel settings only:
 * never notifications, manual instructions, the change notice, or a working directory (it shows
 * in logs and in every user's `ps`).
 */
import { refsOf } from '../../template/parse.js';
import type { Rule } from '../context.js';
import { allFields, SECRET_CLASSES } from '../fields.js';

export const secretUsage: Rule = {
  name: 'secret-usage',
  check(ctx) {
    for (const field of allFields(ctx.runbook)) {
      if (SECRET_CLASSES.has(field.cls)) continue;
      for (const ref of refsOf(field.value)) {
        if (ref.root !== 'secrets') continue;
        const raw = field.value.slice(ref.offset, ref.offset + ref.length);
        const why = field.cls === 'path' ? 'a working directory shows in logs and in ps' : 'secrets never reach notifications, documents or operators';
        ctx.error(field.path, `${field.what} uses secrets.${ref.parts[0] ?? ''}: ${why}; use them only in commands (run, until, undo, verify, monitor) and env`, { text: raw });
      }
    }
  },
};
