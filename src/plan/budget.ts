/**
 * The time budget of a runbook: expected and worst-case duration, the part of it that is a soak
 * (top-level monitor steps, which may outlast the window), and the rollback reserve. Loops count
 * once per batch of `serial` items, the items looked up in the vars. Pure; the plan, the window
 * gate and the change notice share it.
 */
import type { Runbook } from '../model/types.js';
import { expectedMs, worstCaseMs } from './estimates.js';
import { totalMs } from './loop-items.js';

type Vars = Readonly<Record<string, unknown>>;

export function expectedDurationMs(runbook: Runbook, vars: Vars = runbook.vars): number {
  return totalMs(runbook.steps, vars, (s) => expectedMs(s), runbook.groups) + totalMs(runbook.checklist, vars, (s) => expectedMs(s), runbook.groups);
}

export function worstCaseDurationMs(runbook: Runbook, vars: Vars = runbook.vars): number {
  return totalMs(runbook.steps, vars, worstCaseMs, runbook.groups) + totalMs(runbook.checklist, vars, worstCaseMs, runbook.groups);
}

/** Of the expected duration: the top-level monitor steps (a soak). */
export function soakDurationMs(runbook: Runbook): number {
  return [...runbook.steps, ...runbook.checklist].reduce((n, s) => n + (s.kind === 'monitor' ? expectedMs(s) : 0), 0);
}

/** `window.rollback_reserve`, else the rollback plan's estimated duration. */
export function rollbackReserveMs(runbook: Runbook): number {
  return runbook.window?.rollbackReserveMs ?? totalMs(runbook.rollback.steps, runbook.vars, (s) => expectedMs(s), runbook.groups);
}
