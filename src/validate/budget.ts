/**
 * The time budget `validate` checks against the window: the sum of `estimate`s along the change
 * plan and the checklist (a loop: its own estimate, else its body per batch of items), and the
 * rollback reserve. Steps without an estimate count as zero.
 */
import type { Runbook, Step } from '../model/types.js';
import { loopItems } from '../plan/loop-items.js';

/** How many items a loop has, where that is known statically (a literal list or a list default). */
export function itemCount(step: Step & { kind: 'for_each' }, runbook: Runbook): number {
  return loopItems(step.items, runbook.vars, runbook.groups)?.length ?? 1;
}

export function estimatedMs(steps: readonly Step[], runbook: Runbook): number {
  let total = 0;
  for (const step of steps) {
    if (step.estimateMs !== undefined) total += step.estimateMs;
    else if (step.kind === 'for_each') total += Math.ceil(itemCount(step, runbook) / step.serial) * estimatedMs(step.steps, runbook);
  }
  return total;
}

export function expectedChangeMs(runbook: Runbook): number {
  return estimatedMs(runbook.steps, runbook) + estimatedMs(runbook.checklist, runbook);
}

/** `window.rollback_reserve`, else the rollback plan's estimates. */
export function reserveMs(runbook: Runbook): number {
  return runbook.window?.rollbackReserveMs ?? estimatedMs(runbook.rollback.steps, runbook);
}
