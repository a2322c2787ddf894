/**
 * Looking at a run without touching it (status, runs, log, report): its journal read without
 * repair, its summary with the lock's holder, and the damage if the journal cannot be read.
 */
import { RunbookError } from '../errors.js';
import type { ReadResult } from './journal.js';
import type { LockInfo } from './lock-holder.js';
import type { JournalRecord } from './records.js';
import type { RunRef, Storage } from './storage.js';
import { type RunSummary, summarize } from './summary.js';

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
  const { records, tornTail } = read;
  const first = records[0];
  if (first?.type !== 'run_started') return { run, records, tornTail };
  const lock = await store.readLock(first.runbookId);
  const holder = lock && lock.runId === run.runId && (await store.isHolderAlive(lock)) ? lock : undefined;
  return { run, records, summary: summarize(records, { holderAlive: holder !== undefined }), holder, tornTail };
}
