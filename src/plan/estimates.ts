/**
 * How long a step is expected to take, and at worst. Pure: the plan's timeline, the dry run's
 * virtual clock and the change notice's time budget all use these.
 */
import type { Action } from '../engine/ports.js';
import type { Step } from '../model/types.js';

/** `estimate`, else what the step's own definition says (a sleep, a soak), else 0. */
export function expectedMs(step: Step, action?: Action): number {
  if (step.estimateMs !== undefined) return step.estimateMs;
  if (step.kind === 'wait' && 'sleepMs' in step.wait) return step.wait.sleepMs;
  if (step.kind === 'monitor') return step.monitor.forMs;
  if (action?.kind === 'sleep') return action.ms;
  return 0;
}

/** Timeouts times attempts plus retry delays; a manual step without estimate is open-ended (its estimate). */
export function worstCaseMs(step: Step): number {
  const attempts = step.retries + 1;
  let delays = 0;
  for (let i = 0, d = step.retryDelayMs; i < step.retries; i++, d *= step.retryBackoff) delays += d;
  let once: number;
  switch (step.kind) {
    case 'run':
      once = step.timeoutMs ?? expectedMs(step);
      break;
    case 'wait':
      once = 'sleepMs' in step.wait ? step.wait.sleepMs : step.wait.timeoutMs;
      break;
    case 'monitor':
      once = step.monitor.forMs + step.monitor.everyMs;
      break;
    default:
      once = step.timeoutMs ?? expectedMs(step);
  }
  return once * attempts + delays;
}
