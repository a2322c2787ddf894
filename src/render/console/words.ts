/** The words the console renderers share, so tty and plain say the same things. */
import type { EngineEvent, StepRef } from '../../engine/events.js';
import { formatDuration } from '../../model/duration.js';
import { type Cause, hostOf } from './cause.js';
import { type Symbols, UNICODE } from './symbols.js';

/**
 * Where the operator is: `[3/5] rolling › web2 (2 of 3) › [4/5] health[web2] — Health check`,
 * the run's place first (the top-level step), then the item and its place, then the step within
 * the item; a rollback counts its undos and steps as one list (`rollback [5/6]`).
 */
export function stepTitle(ref: StepRef, s: Symbols = UNICODE, host?: string): string {
  const name = ref.undoOf ? ` undo of "${ref.step.name ?? ref.step.id}"` : ref.step.name ? ` ${ref.step.name}` : '';
  const where = ref.phase === 'change' ? '' : `${ref.phase} `;
  const on = host ? `[${host}] ` : '';
  return `${where}${position(ref, s)} ${on}${ref.key}${name && name !== ` ${ref.key}` ? ` ${s.dash}${name}` : ''}`;
}

function position(ref: StepRef, s: Symbols): string {
  const here = `[${ref.index}/${ref.total}]`;
  if (!ref.loop || !ref.item) return here;
  const item = `${ref.item.label} (${ref.item.index} of ${ref.item.count})`;
  return `${position(ref.loop, s)} ${ref.loop.step.id} ${s.into} ${item} ${s.into} ${here}`;
}

/** One event in words; `whole`: a step's command in full (`--verbose`), else its first line. */
export function describe(e: EngineEvent, s: Symbols = UNICODE, cause?: Cause, whole = false): string | undefined {
  switch (e.type) {
    case 'run_started':
      return undefined; // the session's preamble names the run
    case 'step_started': {
      const retry = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
      const kind = e.ref.step.kind === 'manual' ? ' (manual)' : '';
      return `${s.start} ${stepTitle(e.ref, s, hostOf(e))}${kind}${retry}${e.detail ? `: ${whole ? e.detail.trim() : firstLine(e.detail, s)}` : ''}`;
    }
    case 'step_finished': {
      const took = e.replayed ? 'done before the interruption' : formatDuration(e.durationMs);
      const mark = e.status === 'succeeded' ? s.ok : e.status === 'skipped' ? s.skip : s.fail;
      const on = hostOf(e);
      return `${mark} ${on ? `[${on}] ` : ''}${e.ref.key} ${e.status}${e.reason ? `: ${e.reason}` : ''} (${took})`;
    }
    case 'step_retry':
      return `${s.retry} ${e.ref.key} failed (${e.reason}); attempt ${e.attempt} in ${formatDuration(e.delayMs)}`;
    case 'branch':
      return `${s.branch} ${e.ref.key}: ${e.to === 'end' ? 'end of plan' : `go to ${e.to}`}`;
    case 'loop_items':
      return `${s.loop} ${e.ref.key}: ${e.items.length} item${e.items.length === 1 ? '' : 's'} (${e.items.join(', ')}), ${e.ref.step.kind === 'for_each' ? e.ref.step.serial : 1} at a time`;
    case 'decision':
      return `${s.decision} ${e.key}: ${e.decision} by ${e.by}${e.note ? ` (${e.note})` : ''}`;
    case 'rollback_started':
      return `${s.rollback} ROLLBACK: ${e.reason}`;
    case 'escalated':
      return `${s.escalate} ESCALATE: ${e.reason}${e.escalate ? `\n${s.escalate} ${e.escalate}` : ''}`;
    case 'warning':
    case 'window_warning':
      return `${s.warn} ${e.message}`;
    case 'run_interrupted':
      return `${s.stop} interrupted (${e.signal})`;
    case 'run_finished':
      return finalLine(e, s, cause);
    case 'step_output':
      return `${s.bar}${e.lines.replace(/\n/g, `\n${s.bar}`)}`;
  }
}

/**
 * The run's last line. A failed run names the step that failed first, its host and why (its
 * reason and last line of output): the engine's message names only what ended the run, which
 * for a rolling deployment is the loop ("rolling failed: 1 of 3 items failed").
 */
function finalLine(e: Extract<EngineEvent, { type: 'run_finished' }>, s: Symbols, cause: Cause | undefined): string {
  const outcome = e.outcome.replace('_', ' ');
  const exit = `(exit ${e.exitCode})`;
  if (e.exitCode === 0 || !cause || e.outcome === 'interrupted') return `${e.exitCode === 0 ? s.ok : s.fail} ${outcome}: ${e.message} ${exit}`;
  const why = [cause.reason, cause.lastLine && `last output: ${cause.lastLine}`].filter(Boolean).join(s.sep);
  const first = `${cause.host ? `[${cause.host}] ` : ''}${cause.key} failed${why ? ` (${why})` : ''}`;
  const then =
    e.outcome === 'rolled_back' ? 'the rollback completed' : e.outcome === 'aborted' ? 'aborted without rollback' : e.message.replace(/^aborted without rollback: .*/, 'aborted without rollback');
  return `${s.fail} ${outcome} ${exit}: ${first}; ${then}`;
}

function firstLine(text: string, s: Symbols): string {
  const lines = text.trim().split('\n');
  return lines.length > 1 ? `${lines[0]} ${s.ellipsis}(+${lines.length - 1} lines)` : (lines[0] ?? '');
}
