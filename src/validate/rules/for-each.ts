/**
 * A for_each given as a string is exactly one `${{ vars.X }}`, and X's default is a list.
 * The loop variable (`as`) does not hide a template root or an enclosing loop's variable.
 */
import type { Rule } from '../context.js';
import { placedSteps } from '../lists.js';

const SINGLE_VAR = /^\s*\$\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}\s*$/;
const ROOTS = new Set(['vars', 'secrets', 'steps', 'run', 'window', 'env']);

export const forEach: Rule = {
  name: 'for-each',
  check(ctx) {
    for (const { step, list } of placedSteps(ctx.runbook)) {
      if (step.kind !== 'for_each') continue;
      if (typeof step.items === 'string') {
        const m = SINGLE_VAR.exec(step.items);
        const path = [...step.path, 'for_each'];
        if (!m) {
          ctx.error(path, 'for_each must be a list or a single "${{ vars.NAME }}" reference to a list variable');
        } else {
          const name = m[1] as string;
          const value = ctx.runbook.vars[name];
          if (name in ctx.runbook.vars && !Array.isArray(value)) {
            ctx.error(path, `for_each: vars.${name} must be a list (its default is ${value === null ? 'empty' : typeof value}): write servers: [a, b]`);
          } else if (Array.isArray(value) && value.length === 0) {
            ctx.warn(path, `for_each: vars.${name} is an empty list by default: the loop runs nothing unless --var sets it`);
          }
        }
      }
      const asPath = [...step.path, 'as'];
      if (ROOTS.has(step.as)) ctx.error(asPath, `the loop variable cannot be called "${step.as}": it would hide \${{ ${step.as}.… }}`);
      else if (list.loopVars.includes(step.as)) ctx.error(asPath, `the loop variable "${step.as}" hides the enclosing loop's: give this loop another name with as:`);
      if (typeof step.items !== 'string' && step.maxFailures >= step.items.length) {
        ctx.warn([...step.path, 'max_failures'], `max_failures ${step.maxFailures} allows every one of the ${step.items.length} items to fail`);
      }
    }
  },
};
