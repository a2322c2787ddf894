/**
 * What happens if a step fails, in words, for plans: "rollback: undo deploy[web2], undo
 * deploy[web1], then rollback steps restore, notify-done".
 */
import type { Runbook } from '../model/types.js';
import type { StepRef } from './events.js';

const MAX_NAMES = 6;

function names(list: readonly string[]): string {
  if (list.length <= MAX_NAMES) return list.join(', ');
  return `${list.slice(0, MAX_NAMES).join(', ')} and ${list.length - MAX_NAMES} more`;
}

export function describeFailure(ref: StepRef, runbook: Runbook, undoKeys: readonly string[]): string {
  const target = ref.step.onFailure;
  const retries = ref.step.retries > 0 ? `after ${ref.step.retries} retr${ref.step.retries === 1 ? 'y' : 'ies'}, ` : '';
  switch (target) {
    case 'rollback': {
      const undos = [...undoKeys].reverse().map((k) => `undo ${k}`);
      const steps = runbook.rollback.steps.map((s) => s.id);
      const parts = [undos.length ? names(undos) : '', steps.length ? `rollback steps ${names(steps)}` : ''].filter(Boolean);
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
