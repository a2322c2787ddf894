/**
 * Backward jumps are bounded by max_visits (default 3), so they always end; a backward
 * on_success jump repeats steps that succeeded, which is worth a warning.
 */
import type { Rule } from '../context.js';
import { graphOf } from '../graph.js';
import { graphable, stepLists } from '../lists.js';

export const backwardJumps: Rule = {
  name: 'backward-jump',
  check(ctx) {
    for (const list of stepLists(ctx.runbook)) {
      if (!graphable(list)) continue;
      const { index } = graphOf(list);
      list.steps.forEach((step, i) => {
        const j = index.get(step.onSuccess);
        if (j === undefined || j > i) return;
        const target = list.steps[j];
        const span = j === i ? `"${step.id}" repeats` : `steps "${target?.id}" to "${step.id}" repeat`;
        ctx.warn([...step.path, 'on_success'], `on_success jumps back to "${step.onSuccess}": ${span} after succeeding, until a step has run max_visits (${target?.maxVisits ?? 3}) times`);
      });
    }
  },
};
