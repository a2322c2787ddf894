/**
 * `runbook watch RUN`: follows a run from its journal and logs, on either kind of state, by
 * polling (a database answers a poll in a millisecond; a directory in less): each step as it
 * starts and ends, the running step's output, done/total and the time left in the window, until
 * the run ends or stops; the result is the run's exit code (130 for an interrupted run).
 */
import { loadRunbookText } from '../load/load.js';
import { formatDuration } from '../model/duration.js';
import { allSteps } from '../model/normalize.js';
import { inspectRun } from '../state/inspect.js';
import type { JournalRecord } from '../state/records.js';
import type { RunRef, StepLogRef, Storage } from '../state/storage.js';

export interface WatchOutput {
  line(text: string): void;
  output(text: string): void;
}

const POLL_MS = Number(process.env.RUNBOOK_WATCH_POLL_MS ?? 300);

export async function watchRun(store: Storage, run: RunRef, out: WatchOutput, signal?: AbortSignal): Promise<number> {
  let seen = 0;
  let total: number | undefined;
  let windowEnd: number | undefined;
  let done = 0;
  const logAt = new Map<string, number>();
  let current: { seq: number; key: string } | undefined;
  for (;;) {
    const view = await inspectRun(store, run);
    const records = view.records;
    for (const r of records.slice(seen)) {
      if (r.type === 'run_started') {
        total ??= await countSteps(store, run);
        windowEnd = r.window?.end ? Date.parse(r.window.end) : undefined;
        out.line(`watching run ${r.runId} of ${r.runbookId} (${r.title}), started by ${r.user} on ${r.host}`);
      }
      // The output of the step that just ended, to its end, before its result.
      if (r.type === 'step_finished' && current?.seq === r.seq) {
        await followLog(store, run, current, logAt, out);
        current = undefined;
      }
      const text = describe(r);
      if (r.type === 'step_finished' && r.status !== 'failed') done++;
      if (r.type === 'step_started' && !r.skipped) current = { seq: r.seq, key: r.key };
      if (text) out.line(`${r.at.replace(/\.\d+Z$/, 'Z')} ${text}${r.type === 'step_finished' ? `  [${progress(done, total, windowEnd)}]` : ''}`);
    }
    seen = records.length;
    if (current) await followLog(store, run, current, logAt, out);
    const s = view.summary;
    const last = records[records.length - 1];
    if (last?.type === 'run_finished') return last.exitCode;
    if (s && s.state !== 'running') {
      out.line(`run ${run.runId} ${s.state === 'interrupted' ? 'stopped: interrupted, resumable' : s.state.replace('_', ' ')}`);
      return s.exitCode ?? 130;
    }
    if (signal?.aborted) return 130;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function progress(done: number, total: number | undefined, windowEnd: number | undefined): string {
  const left = windowEnd !== undefined ? `, ${windowEnd > Date.now() ? `${formatDuration(windowEnd - Date.now())} left in the window` : 'the window has closed'}` : '';
  return `${done}${total !== undefined ? `/${total}` : ''} done${left}`;
}

function describe(r: JournalRecord): string | undefined {
  switch (r.type) {
    case 'step_started':
      return r.skipped ? `${r.key} skipped (${r.skipped})` : `${r.key} started (${r.phase}, attempt ${r.attempt})`;
    case 'step_finished':
      return `${r.key} ${r.status}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}${r.reason ? `: ${r.reason}` : ''}`;
    case 'decision':
      return `${r.key}: ${r.decision} by ${r.by}${r.note ? ` (${r.note})` : ''}`;
    case 'rollback_started':
      return `rollback started: ${r.reason}`;
    case 'run_interrupted':
      return `interrupted (${r.signal})`;
    case 'run_resumed':
      return `resumed by ${r.by} on ${r.host}`;
    case 'run_finished':
      return `run finished: ${r.outcome}, exit ${r.exitCode}${r.message ? `: ${r.message}` : ''}`;
    default:
      return undefined;
  }
}

/** Whatever the step's log has gained since the last look. */
async function followLog(store: Storage, run: RunRef, step: { seq: number; key: string }, at: Map<string, number>, out: WatchOutput): Promise<void> {
  const log: StepLogRef | undefined = (await store.listStepLogs(run)).find((l) => l.seq === step.seq && l.key === step.key);
  if (!log) return;
  const id = `${log.seq}:${log.key}`;
  let from = at.get(id) ?? 0;
  for await (const chunk of store.readStepLog(run, log, from)) {
    out.output(chunk.toString('utf8'));
    from += chunk.length;
  }
  at.set(id, from);
}

async function countSteps(store: Storage, run: RunRef): Promise<number | undefined> {
  const loaded = loadRunbookText(await store.readRunbookCopy(run), `${run.where}/runbook.yaml`);
  return loaded.runbook ? [...allSteps(loaded.runbook)].length : undefined;
}
