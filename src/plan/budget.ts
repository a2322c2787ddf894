/** The time budget of a runbook: expected duration, rollback reserve, point of no return. Pure. */
import type { Runbook, Step } from '../model/types.js';
import { expectedMs, worstCaseMs } from './estimates.js';

function total(steps: readonly Step[], each: (s: Step) => number): number {
  return steps.reduce((sum, s) => sum + (s.kind === 'for_each' && typeof s.items !== 'string' ? s.items.length * total(s.steps, each) : s.kind === 'for_each' ? total(s.steps, each) : each(s)), 0);
}

/** The change plan and checklist, straight through (loops over a literal list counted per item). */
export function expectedDurationMs(runbook: Runbook): number {
  return total(runbook.steps, expectedMs) + total(runbook.checklist, expectedMs);
}

export function worstCaseDurationMs(runbook: Runbook): number {
  return total(runbook.steps, worstCaseMs) + total(runbook.checklist, worstCaseMs);
}

/** `window.rollback_reserve`, else the rollback plan's estimated duration. */
export function rollbackReserveMs(runbook: Runbook): number {
  return runbook.window?.rollbackReserveMs ?? total(runbook.rollback.steps, expectedMs);
}
