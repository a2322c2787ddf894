/**
 * `--quiet` and `--verbose`. Quiet shows what needs the operator: failures, retries, the
 * rollback, warnings, manual steps and the result; verbose adds each command whole (not only
 * its first line). The journal and the logs are the same either way.
 */
import type { EngineEvent } from '../../engine/events.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

export function shown(e: EngineEvent, v: Verbosity): boolean {
  if (v !== 'quiet') return true;
  switch (e.type) {
    case 'step_output':
    case 'loop_items':
    case 'branch':
    case 'decision':
      return false;
    case 'step_started':
      return e.ref.step.kind === 'manual';
    case 'step_finished':
      return e.status === 'failed';
    default:
      return true;
  }
}
