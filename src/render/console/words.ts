/** The words the console renderers share, so tty and plain say the same things. */

/** Before each line of a step's output. */
export const OUTPUT_BAR = '  │ ';

import type { EngineEvent, StepRef } from '../../engine/events.js';
import { formatDuration } from '../../model/duration.js';

export function stepTitle(ref: StepRef): string {
  const name = ref.undoOf ? ` undo of "${ref.step.name ?? ref.step.id}"` : ref.step.name ? ` ${ref.step.name}` : '';
  const where = ref.phase === 'change' ? '' : `${ref.phase} `;
  return `${where}[${ref.index}/${ref.total}] ${ref.key}${name && name !== ` ${ref.key}` ? ` —${name}` : ''}`;
}

export function describe(e: EngineEvent): string | undefined {
  switch (e.type) {
    case 'run_started':
      return undefined; // the session's preamble names the run
    case 'step_started': {
      const retry = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
      const kind = e.ref.step.kind === 'manual' ? ' (manual)' : '';
      return `▶ ${onHost(e.host)}${stepTitle(e.ref)}${kind}${retry}${e.detail ? `: ${firstLine(e.detail)}` : ''}`;
    }
    case 'step_finished': {
      const took = e.replayed ? 'done before the interruption' : formatDuration(e.durationMs);
      const mark = e.status === 'succeeded' ? '✓' : e.status === 'skipped' ? '↷' : '✗';
      return `${mark} ${onHost(e.host)}${e.ref.key} ${e.status}${e.reason ? `: ${e.reason}` : ''} (${took})`;
    }
    case 'step_retry':
      return `↻ ${e.ref.key} failed (${e.reason}); attempt ${e.attempt} in ${formatDuration(e.delayMs)}`;
    case 'branch':
      return `→ ${e.ref.key}: ${e.to === 'end' ? 'end of plan' : `go to ${e.to}`}`;
    case 'loop_items':
      return `⟳ ${e.ref.key}: ${e.items.length} item${e.items.length === 1 ? '' : 's'} (${e.items.join(', ')}), ${e.ref.step.kind === 'for_each' ? e.ref.step.serial : 1} at a time`;
    case 'decision':
      return `• ${e.key}: ${e.decision} by ${e.by}${e.note ? ` (${e.note})` : ''}`;
    case 'rollback_started':
      return `↩ ROLLBACK: ${e.reason}`;
    case 'escalated':
      return `‼ ESCALATE: ${e.reason}${e.escalate ? `\n‼ ${e.escalate}` : ''}`;
    case 'warning':
    case 'window_warning':
      return `! ${e.message}`;
    case 'run_interrupted':
      return `■ interrupted (${e.signal})`;
    case 'run_finished':
      return `${e.exitCode === 0 ? '✓' : '✗'} ${e.outcome.replace('_', ' ')}: ${e.message} (exit ${e.exitCode})`;
    case 'step_output':
      return `${OUTPUT_BAR}${e.lines.replace(/\n/g, `\n${OUTPUT_BAR}`)}`;
  }
}

/** `[web2] ` before a remote step's name. */
function onHost(host: string | undefined): string {
  return host === undefined ? '' : `[${host}] `;
}

function firstLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines.length > 1 ? `${lines[0]} …(+${lines.length - 1} lines)` : (lines[0] ?? '');
}
