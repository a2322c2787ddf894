/**
 * `log` and `report`: reading runs from the state, never changing them (`status` and `runs`
 * are ./views.ts, which loads no runbook parser). The CLI prints what these return.
 */
import { invalid, RunbookError } from '../errors.js';
import { buildReport } from '../render/document/report-model.js';
import { type ReportFormat, renderReport } from '../render/document/report-render.js';
import { inspectRun } from '../state/inspect.js';
import type { JournalRecord, StepFinishedRecord, StepStartedRecord } from '../state/records.js';
import type { RunRef, StepLogRef, Storage } from '../state/storage.js';
import { loadRunCopy } from './run-copy.js';

export interface LogEntry {
  readonly key: string;
  readonly seq: number;
  /** ` (change, attempt 1, started ..., succeeded (exit 0))`, or empty when the journal cannot say. */
  readonly details: string;
  /** Undefined: the step printed nothing. */
  readonly log?: StepLogRef | undefined;
}

/**
 * The logs of a run in the order the steps ran; with `step` (an id, or an instance key like
 * `deploy[web2]`) only that step's, and a step that ran silently as an entry without a log.
 */
export async function selectLogs(store: Storage, runArg: string, step: string | undefined): Promise<{ run: RunRef; entries: LogEntry[] }> {
  const run = await store.findRun(runArg);
  const all = await store.listStepLogs(run);
  const logs = step === undefined ? all : all.filter((l) => matches(l.key, step));
  const { started, finished } = await journalIndex(store, run);
  const details = (seq: number, key: string) => {
    const s = started.get(seq);
    return s?.key === key ? describeStep(s, finished.get(seq)) : '';
  };
  if (logs.length > 0 || step === undefined) return { run, entries: logs.map((log) => ({ key: log.key, seq: log.seq, details: details(log.seq, log.key), log })) };
  // A step that printed nothing has no log; the journal says whether it ran.
  const silent = [...started.values()].filter((s) => matches(s.key, step));
  if (silent.length > 0) return { run, entries: silent.map((s) => ({ key: s.key, seq: s.seq, details: describeStep(s, finished.get(s.seq)) })) };
  const keys = [...new Set(all.map((l) => l.key))];
  throw invalid(`no logs of step ${step} in run ${run.runId}${keys.length ? ` (steps with logs: ${keys.join(', ')})` : ''}`);
}

/** A step id selects all its loop items and their undo; a key selects itself and its undo/verify. */
function matches(key: string, step: string): boolean {
  return key === step || key.startsWith(`${step}:`) || key.split(/[[:]/)[0] === step;
}

/** Step records by seq, for the headers; a journal that cannot be read only costs the details. */
async function journalIndex(store: Storage, run: RunRef) {
  let records: JournalRecord[] = [];
  try {
    records = (await store.readJournal(run)).records;
  } catch (err) {
    if (!(err instanceof RunbookError)) throw err;
  }
  const started = new Map<number, StepStartedRecord>();
  const finished = new Map<number, StepFinishedRecord>();
  for (const r of records) {
    if (r.type === 'step_started') started.set(r.seq, r);
    else if (r.type === 'step_finished') finished.set(r.seq, r);
  }
  return { started, finished };
}

function describeStep(s: StepStartedRecord, f: StepFinishedRecord | undefined): string {
  const end = f ? `${f.status}${f.exitCode !== undefined ? ` (exit ${f.exitCode})` : ''}` : 'did not finish';
  return ` (${s.phase}${s.host ? `, on ${s.host}` : ''}, attempt ${s.attempt}, started ${s.at}, ${end})`;
}

const TAIL_BYTES = 16_384;

/** The executed change record of a run, from its journal, its runbook copy and the end of each step's log. */
export async function reportRun(store: Storage, runArg: string, format: ReportFormat): Promise<string> {
  const run = await store.findRun(runArg);
  const view = await inspectRun(store, run);
  if (view.corrupt) throw invalid(`run ${run.runId}: ${view.corrupt}`);
  if (!view.summary) throw invalid(`run ${run.runId} has no journal records: no step ran, so there is nothing to report`);
  const copyName = `${run.where}/runbook.yaml`;
  const first = view.records[0];
  const loaded = loadRunCopy(await store.readRunbookCopy(run), run.where, first?.type === 'run_started' ? first : undefined);
  if (!loaded.runbook) {
    const first = loaded.problems[0];
    throw invalid(`run ${run.runId}: the runbook copy it ran with cannot be read${first ? `: ${first.message}` : ''}`, copyName);
  }
  const tails = new Map<number, string>();
  for (const log of await store.listStepLogs(run)) tails.set(log.seq, (tails.get(log.seq) ?? '') + (await store.stepLogTail(run, log, TAIL_BYTES)));
  const report = buildReport(loaded.runbook, view.records, tails, { running: view.summary.state === 'running' });
  return renderReport(report, format);
}
