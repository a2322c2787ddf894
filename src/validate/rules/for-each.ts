/**
 * A for_each given as a string is exactly one `${{ vars.X }}` (X's default a list, or a
 * comma-separated string, as `--var X=a,b` gives) or one `${{ groups.X }}`. The loop variable (`as`) does not hide a
 * template root or an enclosing loop's variable.
 */
import type { ForEachStep } from '../../model/types.js';
import { TEMPLATE_ROOTS } from '../../template/parse.js';
import type { Rule, RuleContext } from '../context.js';
import { placedSteps } from '../lists.js';

const SINGLE_VAR = /^\s*\$\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_-]+)*)\s*\}\}\s*$/;
const SINGLE_GROUP = /^\s*\$\{\{\s*groups\.[A-Za-z_][A-Za-z0-9_-]*\s*\}\}\s*$/;
// host and groups stay allowed (loops were called that before those roots existed).
const ROOTS: ReadonlySet<string> = new Set(TEMPLATE_ROOTS.filter((r) => r !== 'host' && r !== 'groups'));

export const forEach: Rule = {
  name: 'for-each',
  check(ctx) {
    for (const { step, list } of placedSteps(ctx.runbook)) {
      if (step.kind !== 'for_each') continue;
      if (typeof step.items === 'string') checkItems(ctx, step, step.items);
      const asPath = [...step.path, 'as'];
      if (ROOTS.has(step.as)) ctx.error(asPath, `the loop variable cannot be called "${step.as}": it would hide \${{ ${step.as}.… }}`);
      else if (list.loopVars.includes(step.as)) ctx.error(asPath, `the loop variable "${step.as}" hides the enclosing loop's: give this loop another name with as:`);
      if (typeof step.items !== 'string' && step.maxFailures >= step.items.length) {
        ctx.warn([...step.path, 'max_failures'], `max_failures ${step.maxFailures} allows every one of the ${step.items.length} items to fail`);
      }
    }
  },
};

function checkItems(ctx: RuleContext, step: ForEachStep, items: string): void {
  const path = [...step.path, 'for_each'];
  // Whether the group exists is the templates rule's business.
  if (SINGLE_GROUP.test(items)) return;
  const m = SINGLE_VAR.exec(items);
  if (!m) {
    ctx.error(path, 'for_each must be a list or a single "${{ vars.NAME }}" reference to a list variable, or "${{ groups.NAME }}"');
    return;
  }
  const name = m[1] as string;
  // Nested paths (vars.a.b) and undeclared names are the templates rule's business.
  if (m[2] || !Object.hasOwn(ctx.runbook.vars, name)) return;
  const value = ctx.runbook.vars[name];
  const kind = value === null ? 'empty' : Array.isArray(value) ? 'list' : typeof value;
  if (kind !== 'list' && kind !== 'string') {
    ctx.warn(path, `for_each: vars.${name} is not a list (its default is ${kind === 'object' ? 'a mapping' : kind}): the loop runs once, with the whole value`);
  } else if (kind === 'list' ? (value as unknown[]).length === 0 : String(value).trim() === '') {
    ctx.warn(path, `for_each: vars.${name} is empty by default: the loop runs nothing unless --var sets it`);
  }
}
