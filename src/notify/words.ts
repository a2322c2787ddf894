/**
 * What a notification says, once, as lines: the subject, then a plain-text body and an HTML body
 * made from the same lines. Every piece of text is escaped in the HTML; nothing in a runbook or a
 * step's reason can become markup.
 */
import { formatDuration } from '../model/duration.js';
import type { Runbook } from '../model/types.js';
import { escapeHtml } from '../render/document/escape-html.js';
import type { Notice } from './notices.js';
import type { Progress } from './progress.js';

const EVENT_WORDS: Readonly<Record<string, string>> = {
  run_started: 'run started',
  run_finished: 'run finished',
  run_interrupted: 'run interrupted',
  step_started: 'step started',
  step_succeeded: 'step succeeded',
  step_failed: 'step failed',
  manual_step: 'manual step',
  rollback_started: 'rollback started',
  rollback_finished: 'rollback finished',
  escalated: 'ESCALATED: rollback failed',
  window_overrun: 'window overrun',
  message: 'message',
};

export function subjectOf(runbook: Runbook, notice: Notice): string {
  const change = runbook.change ? `[${runbook.change}] ` : '';
  const what = EVENT_WORDS[notice.event] ?? notice.event;
  return oneLine(`${change}${runbook.title}: ${what}${notice.step && notice.event !== 'message' ? ` (${notice.step})` : ''}`);
}

/** The body as label/value lines; the first has no label (the notice itself). */
export function linesOf(runId: string, notice: Notice, p: Progress): [string, string][] {
  const lines: [string, string][] = [['', notice.text]];
  lines.push(['Run', runId]);
  if (p.current && notice.event !== 'run_finished' && notice.event !== 'rollback_finished') lines.push(['Current step', p.current]);
  lines.push(['Progress', `${p.done} of ${p.total} steps done`]);
  if (p.windowLeftMs !== undefined) lines.push(['Window', p.windowLeftMs > 0 ? `${formatDuration(p.windowLeftMs)} left` : `ended ${formatDuration(-p.windowLeftMs)} ago`]);
  if (notice.event === 'step_failed' || notice.event === 'escalated') {
    if (notice.step) lines.push(['Failing step', notice.step]);
    if (notice.reason) lines.push(['Reason', notice.reason]);
  }
  if (notice.event === 'rollback_started' && notice.reason) lines.push(['Reason', notice.reason]);
  if (notice.event === 'run_interrupted' && p.resume) lines.push(['Resume with', p.resume]);
  return lines;
}

export function textBody(lines: readonly [string, string][]): string {
  return `${lines.map(([label, value]) => (label ? `${label}: ${value}` : value)).join('\n')}\n`;
}

export function htmlBody(title: string, lines: readonly [string, string][]): string {
  const [head, ...rest] = lines;
  const rows = rest.map(([label, value]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif">
<p><strong>${escapeHtml(head?.[1] ?? '')}</strong></p>
<table>
${rows}
</table>
</body></html>
`;
}

/** A header holds one line: CR and LF would start another. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 200);
}
