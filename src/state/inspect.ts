/**
 * Looking at a run without touching it (status, runs, log, report): its journal read without
 * repair, its summary with the lock's holder, and the damage if the journal cannot be read.
 */
import { RunbookError } from '../errors.js';
import type { ReadResult } from './journal.js';
import type { LockInfo } from './lock-holder.js';
import type { JournalRecord } from './records.js';
import type { RunRef, Storage, SummaryRead } from './storage.js';
import { foldAll, type JournalSummary, type RunSummary, withHolder } from './summary.js';

export interface RunView {
  readonly run: RunRef;
  readonly records: readonly JournalRecord[];
  /** Undefined when the journal has no records (the run died before its first) or is corrupt. */
  readonly summary?: RunSummary | undefined;
  /** The live holder of the lock, when it is this run. */
  readonly holder?: LockInfo | undefined;
  /** Bytes of a torn last record, ignored here (resume repairs it). */
  readonly tornTail?: number | undefined;
  /** Why the journal cannot be read (corruption before its last record). */
  readonly corrupt?: string | undefined;
}

export async function inspectRun(store: Storage, run: RunRef): Promise<RunView> {
  let read: ReadResult;
  try {
    read = await store.readJournal(run);
  } catch (err) {
    if (err instanceof RunbookError) return { run, records: [], corrupt: err.message };
    throw err;
  }
  return viewOf(store, run, read);
}

/** Every run given, their journals read at once and each runbook's lock once. */
export async function inspectRuns(store: Storage, runs: readonly RunRef[]): Promise<RunView[]> {
  const reads = await store.readJournals(runs);
  return viewsOf(
    store,
    runs.map((run) => ({ run, read: reads.get(run.runId) ?? { records: [] } })),
  );
}

/** Every run in the store, newest first (`runs`): their records only those a summary reads (Storage.readRunsForSummary). */
export async function inspectAllRuns(store: Storage): Promise<RunView[]> {
  return viewsOf(store, await store.readRunsForSummary());
}

async function viewsOf(store: Storage, reads: readonly SummaryRead[]): Promise<RunView[]> {
  const locks = new Map<string, Promise<LockInfo | undefined>>();
  const readLock = (id: string) => {
    if (!locks.has(id)) locks.set(id, store.readLock(id));
    return locks.get(id)!;
  };
  const views: RunView[] = [];
  for (const r of reads) {
    if ('summary' in r) views.push(await viewOfSummary(store, r.run, r.summary, [], undefined, readLock));
    else if (r.read instanceof RunbookError) views.push({ run: r.run, records: [], corrupt: r.read.message });
    else views.push(await viewOf(store, r.run, r.read, readLock));
  }
  return views;
}

function viewOf(store: Storage, run: RunRef, read: ReadResult, readLock = (id: string) => store.readLock(id)): Promise<RunView> {
  const { records, tornTail, total } = read;
  return viewOfSummary(store, run, foldAll(records, total).summary(), records, tornTail, readLock);
}

async function viewOfSummary(
  store: Storage,
  run: RunRef,
  summary: JournalSummary,
  records: readonly JournalRecord[],
  tornTail: number | undefined,
  readLock: (id: string) => Promise<LockInfo | undefined>,
): Promise<RunView> {
  // No run_started first: the run died before its first record.
  if (summary.runbookId === '') return { run, records, tornTail };
  const lock = await readLock(summary.runbookId);
  const holder = lock && lock.runId === run.runId && (await store.isHolderAlive(lock)) ? lock : undefined;
  return { run, records, summary: withHolder(summary, holder !== undefined), holder, tornTail };
}
