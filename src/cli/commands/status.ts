/**
 * `runbook status [RUN]`: one run (default: the newest) in words: how it stands, what was in
 * flight, and for an interrupted run the exact command that resumes it.
 */

import { openStore, resumeHint } from '../../app/store.js';
import { viewRun } from '../../app/views.js';
import { invalid } from '../../errors.js';
import type { RunView } from '../../state/inspect.js';
import type { RunState, RunSummary } from '../../state/summary.js';

export interface StatusOptions {
  readonly stateDir?: string;
  readonly state?: string;
  readonly format?: string;
}

export async function main(run: string | undefined, opts: StatusOptions = {}): Promise<number> {
  const store = await openStore(opts);
  const view = await viewRun(store, run);
  if (!view) {
    process.stdout.write(opts.format === 'json' ? 'null\n' : `no runs in ${store.where}\n`);
    return 0;
  }
  if (view.corrupt) throw invalid(`run ${view.run.runId}: ${view.corrupt}`);
  const resume = view.summary?.state === 'interrupted' ? resumeHint(store, view.run.runId) : undefined;
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(viewJson(view, resume), null, 2)}\n`);
  else process.stdout.write(`${describe(view, resume).join('\n')}\n`);
  return 0;
}

/** A run as JSON: the summary, where it lives, and what status would say to do. */
export function viewJson(view: RunView, resume?: string) {
  return {
    ...(view.summary ?? { state: view.corrupt ? 'corrupt' : 'not_started', records: 0 }),
    runId: view.run.runId,
    dir: view.run.where,
    holder: view.holder,
    tornTail: view.tornTail,
    corrupt: view.corrupt,
    resume,
  };
}

export function stateWords(state: RunState): string {
  return state.replace('_', ' ');
}

/** `a done, b failed` for the step counts. */
export function stepCounts(s: RunSummary): string {
  return `${s.done} done, ${s.failed} failed`;
}

function describe(view: RunView, resume: string | undefined): string[] {
  const { summary: s, run } = view;
  if (!s) return [`Run ${run.runId} has no journal records: it stopped before its first record, so no step ran. Start it again with \`runbook exec\`.`];
  const lines = [`Run ${run.runId} of ${s.runbookId} (${s.title}) ${headline(s, view)}.`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(11)} ${text}`);
  row('started', `${time(s.started)} by ${s.user} on ${s.host} (${s.file})`);
  row('steps', `${stepCounts(s)}${s.resumes ? `; resumed ${s.resumes} time${s.resumes > 1 ? 's' : ''}` : ''}`);
  // A loop is in flight while its item is: show the item, which says which loop it belongs to.
  const inFlight = s.inFlightAll.filter((f) => !s.inFlightAll.some((g) => g.key.startsWith(`${f.key}[`)));
  for (const f of inFlight) {
    const doubt = s.state === 'running' ? '' : ': it may or may not have taken effect';
    row('in flight', `${f.key} (step ${f.stepId}${f.host ? ` on ${f.host}` : ''}, attempt ${f.attempt}, started ${time(f.at)})${doubt}`);
  }
  if (s.finished) row('finished', `${time(s.finished)}, exit ${s.exitCode}${s.message ? `: ${s.message}` : ''}`);
  else row('last record', time(s.lastRecordAt));
  if (view.tornTail) row('note', `the journal ends in a torn record (${view.tornTail} bytes, a write cut off by the stop): ignored here; resume repairs it and keeps a copy of the damaged file`);
  if (resume) row('resume', resume);
  else if (s.state !== 'running') row('record', `runbook report ${run.runId}`);
  return lines;
}

function headline(s: RunSummary, view: RunView): string {
  switch (s.state) {
    case 'running':
      return view.holder ? `is running (pid ${view.holder.pid} on ${view.holder.host})` : 'is running';
    case 'interrupted':
      return 'was interrupted: it can be resumed';
    case 'succeeded':
      return 'succeeded';
    case 'rolled_back':
      return 'failed and was rolled back';
    case 'escalated':
      return 'escalated: its rollback did not complete, manual recovery is needed';
    case 'aborted':
      return 'was aborted without rollback';
  }
}

/** ISO 8601 to the second: 2025-01-01T20:00:00Z. */
export function time(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}
