/**
 * Every failure edge ends in the rollback, an abort or the end: a failure target from which
 * every path loops back is an error, and so is a reachable loop with no way out at all.
 */
import type { Rule } from '../context.js';
import { canLeave, graphOf, reachable } from '../graph.js';
import { graphable, stepLists } from '../lists.js';

export const failurePaths: Rule = {
  name: 'failure-paths',
  check(ctx) {
    for (const list of stepLists(ctx.runbook)) {
      if (!graphable(list)) continue;
      const g = graphOf(list);
      const leaves = canLeave(g);
      const seen = reachable(g);
      const reported = new Set<number>();
      list.steps.forEach((step, i) => {
        const j = g.index.get(step.onFailure);
        if (j === undefined || leaves.has(j) || !seen.has(i)) return;
        reported.add(j);
        ctx.error([...step.path, 'on_failure'], `on_failure jumps to "${step.onFailure}", and no path from there ends, rolls back or aborts: the failure would only loop`);
      });
      const trapped = [...seen].filter((i) => !leaves.has(i)).sort((a, b) => a - b);
      const first = trapped[0];
      if (first === undefined || trapped.some((i) => reported.has(i))) continue;
      const step = list.steps[first];
      if (!step) continue;
      const ids = trapped.map((i) => `"${list.steps[i]?.id}"`).join(', ');
      ctx.error(step.path, `steps ${ids} in ${list.label} loop with no way out: give one of them on_success: end, on_failure: rollback or abort, or let the last one fall through`);
    }
  },
};
