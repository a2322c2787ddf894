/** Every step can be reached from the first step of its list, on success or failure edges. */
import type { Rule } from '../context.js';
import { graphOf, reachable } from '../graph.js';
import { graphable, stepLists } from '../lists.js';

export const reachability: Rule = {
  name: 'unreachable',
  check(ctx) {
    for (const list of stepLists(ctx.runbook)) {
      if (!graphable(list)) continue;
      const seen = reachable(graphOf(list));
      list.steps.forEach((step, i) => {
        if (seen.has(i)) return;
        const prev = list.steps[i - 1];
        const why =
          prev && seen.has(i - 1) && prev.onSuccess === 'end'
            ? `"${prev.id}" before it ends the list (on_success: end) and nothing jumps to it`
            : prev && seen.has(i - 1) && prev.onSuccess !== 'next'
              ? `"${prev.id}" before it jumps to "${prev.onSuccess}" and nothing jumps to it`
              : 'no path from the first step leads to it';
        ctx.error(step.path, `step "${step.id}" in ${list.label} is never reached: ${why}`);
      });
    }
  },
};
