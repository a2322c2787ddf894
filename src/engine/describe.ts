/**
 * What happens if a step fails, in words, for plans: "rollback: undo deploy[web2], undo
 * deploy[web1], then rollback steps restore, notify-done".
 */
import type { Runbook } from '../model/types.js';
import type { StepRef } from './events.js';

const MAX_NAMES = 6;

function names(list: readonly string[], count = list.length): string {
  if (count <= MAX_NAMES) return list.join(', ');
  return `${list.slice(0, MAX_NAMES).join(', ')} and ${count - MAX_NAMES} more`;
}

/** The undo stack as a failure path needs it: the newest keys first (a few are enough) and how many. */
export interface UndoSummary {
  readonly newest: readonly string[];
  readonly count: number;
}

/** A summary of the undo stack (oldest first) without copying all of it: plans call this at every step. */
export function summarizeUndos(stack: readonly { readonly key: string }[]): UndoSummary {
  return {
    newest: stack
      .slice(-MAX_NAMES)
      .map((u) => u.key)
      .reverse(),
    count: stack.length,
  };
}

export function describeFailure(ref: StepRef, runbook: Runbook, undo: UndoSummary): string {
  // A failed undo command stops the rollback: the engine escalates, whatever its step's on_failure.
  const target = ref.undoOf !== undefined ? 'escalate' : ref.step.onFailure;
  const retries = ref.step.retries > 0 ? `after ${ref.step.retries} retr${ref.step.retries === 1 ? 'y' : 'ies'}, ` : '';
  switch (target) {
    case 'rollback': {
      const undos = undo.count
        ? names(
            undo.newest.map((k) => `undo ${k}`),
            undo.count,
          )
        : '';
      const steps = runbook.rollback.steps.map((s) => s.id);
      const parts = [undos, steps.length ? `rollback steps ${names(steps)}` : ''].filter(Boolean);
      return `${retries}rollback: ${parts.length ? parts.join(', then ') : 'nothing to undo'}`;
    }
    case 'abort':
      return `${retries}abort (no rollback)`;
    case 'continue':
      return `${retries}continue with the next step`;
    case 'ask':
      return `${retries}ask the operator: retry, skip, rollback or abort`;
    case 'escalate':
      return `${retries}escalate: ${runbook.rollback.escalate ?? 'stop for manual recovery'}`;
    default:
      return `${retries}go to ${target}`;
  }
}
