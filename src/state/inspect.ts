/**
 * Looking at a run without touching it (status, runs, log): its journal read without repair,
 * its summary with the lock's holder, and the damage if the journal cannot be read.
 */
import { RunbookError } from '../errors.js';
import { readJournal } from './journal.js';
import { isHolderAlive, readLock, type LockInfo } from './lock.js';
import type { JournalRecord } from './records.js';
import type { RunDir } from './run-dir.js';
import { summarize, type RunSummary } from './summary.js';

export interface RunView {
  readonly run: RunDir;
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

export function inspectRun(root: string, run: RunDir): RunView {
  let read;
  try {
    read = readJournal(run.journalPath);
  } catch (err) {
    if (err instanceof RunbookError) return { run, records: [], corrupt: err.message };
    throw err;
  }
  const { records, tornTail } = read;
  const first = records[0];
  if (!first || first.type !== 'run_started') return { run, records, tornTail };
  const lock = readLock(root, first.runbookId);
  const holder = lock && lock.runId === run.runId && isHolderAlive(lock) ? lock : undefined;
  return { run, records, summary: summarize(records, { holderAlive: holder !== undefined }), holder, tornTail };
}
