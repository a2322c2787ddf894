/**
 * `when:` conditions parse, and every reference in them names something that exists, as a
 * template's would; secrets are never compared (a condition is shown to people in words).
 */
import { allSteps } from '../../model/normalize.js';
import { type Condition, ConditionError, conditionRefs, parseCondition } from '../../template/condition.js';
import type { Rule } from '../context.js';
import { placedSteps } from '../lists.js';
import { checkRef } from './templates.js';

export const conditions: Rule = {
  name: 'conditions',
  check(ctx) {
    let ids: Set<string> | undefined;
    const stepIds = (): ReadonlySet<string> => (ids ??= new Set([...allSteps(ctx.runbook)].map((s) => s.id)));
    for (const placed of placedSteps(ctx.runbook)) {
      const { step } = placed;
      if (step.when === undefined) continue;
      const path = [...step.path, 'when'];
      let cond: Condition;
      try {
        cond = parseCondition(step.when);
      } catch (err) {
        if (!(err instanceof ConditionError)) throw err;
        const near = step.when.slice(err.offset, err.offset + 12);
        ctx.error(path, `when: ${err.message} (at column ${err.offset + 1} of the condition${near ? `: "${near}"` : ''}); the grammar is <ref> <op> <value> joined by and, or, not`);
        continue;
      }
      for (const ref of conditionRefs(cond)) {
        if (ref.root === 'secrets') {
          ctx.error(path, `when: ${ref.raw}: a condition cannot compare a secret (conditions are shown to people)`, { text: ref.raw });
          continue;
        }
        const problem = checkRef(ref, { path, value: step.when, cls: 'text', what: 'when', placed }, ctx.runbook, stepIds);
        if (problem) ctx.error(path, `when: ${problem.replace(/"\$\{\{ (.*?) \}\}"/, '"$1"')}`, { text: ref.raw });
      }
    }
  },
};
