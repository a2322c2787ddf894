/** Step ids are unique in the whole runbook: change plan, loops, undo lists, rollback, checklist. */
import type { Rule } from '../context.js';
import { placedSteps } from '../lists.js';

export const uniqueIds: Rule = {
  name: 'unique-ids',
  check(ctx) {
    const first = new Map<string, readonly (string | number)[]>();
    for (const { step } of placedSteps(ctx.runbook)) {
      const seen = first.get(step.id);
      if (!seen) {
        first.set(step.id, step.path);
        continue;
      }
      const line = ctx.loaded.locate([...seen, 'id']).line;
      ctx.error([...step.path, 'id'], `duplicate step id "${step.id}" (first used at line ${line}): ids are unique in the whole runbook`);
    }
  },
};
