/**
 * Where runs live, behind one interface: the runs and their listing, each run's journal, the
 * runbook copy it started with, its step logs, and the one lock per runbook id. The directory
 * store (./dir-store.ts) is the default; a network store (a database) fits behind the same
 * calls, which is why every call that may reach one is async.
 *
 * A run is named by a `RunRef`; only the store knows where it is kept.
 */
import { EXIT, RunbookError } from '../errors.js';
import type { ReadResult } from './journal.js';
import type { LockInfo } from './lock-holder.js';
import type { JournalRecord } from './records.js';
import type { JournalSummary } from './summary.js';

export interface RunRef {
  readonly runId: string;
  /** Where the run is kept, for people (a directory; never a password). */
  readonly where: string;
}

/** A run's journal, open for appending. */
export interface JournalSink {
  /** Durable (on disk, committed) when the promise resolves; with `sync: false`, with the next synced append. */
  append(record: JournalRecord, opts?: { sync?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** A step's log, open for appending: masked text, whole lines, written as it streams. */
export interface LogSink {
  write(text: string): void;
  close(): void;
}

export interface StepLogRef {
  readonly seq: number;
  readonly key: string;
  /** The store's own name for the log (a file path for the directory store). */
  readonly id: string;
}

export interface HeldLock {
  /** The stale lock this one replaced (its holder had died, or its lease lapsed), for the CLI to say so. */
  readonly tookOver?: LockInfo | undefined;
  /** Remove the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
  /**
   * Called once if the lock stops being ours while it is held (a lease that could not be renewed
   * in time, or was taken over): nothing more may run. A lock that cannot be lost never calls it.
   */
  onLost?(listener: (reason: string) => void): void;
  /**
   * Why the lock is not ours any more as far as this process can tell now, without waiting for a
   * timer (a lease unconfirmed for half its length: this process was paused), or undefined.
   */
  lostNow?(): string | undefined;
}

/**
 * The state cannot be reached or written any more (its database gone, the lease lost): the run
 * stops as interrupted and is resumable once it is back. `code` lets StateGuard tell it from a bug.
 */
export class StateUnavailable extends RunbookError {
  readonly code = 'ESTATE';
  constructor(message: string) {
    super(message, EXIT.interrupted);
  }
}

/** A run copied from another store (`runbook import`): its runbook copy, journal and logs. */
export interface ImportedRun {
  readonly runId: string;
  readonly runbookId: string;
  readonly runbookText: string;
  readonly records: readonly JournalRecord[];
  readonly logs: ReadonlyArray<{ readonly seq: number; readonly key: string; readonly text: () => AsyncIterable<Buffer> }>;
}

/** A run for `runs`: its journal's records (maybe only those a summary reads), or the summary a store keeps. */
export type SummaryRead = { readonly run: RunRef; readonly read: ReadResult | RunbookError } | { readonly run: RunRef; readonly summary: JournalSummary };

export interface Storage {
  /** The store, for people: a directory's absolute path. */
  readonly where: string;
  /** The option that names this store in a command a person may paste elsewhere (`--state-dir DIR`), or nothing for the default. */
  readonly option: readonly string[];

  /** A new run with the runbook copy stored (the journal is created by `createJournal`). */
  createRun(runbookId: string, runbookText: string): Promise<RunRef>;
  /** A run created by `createRun` that never started (its lock was refused). */
  removeRun(run: RunRef): Promise<void>;
  /** Every run, newest first. */
  listRuns(): Promise<RunRef[]>;
  /** A run by its full id or a unique prefix; RunbookError (exit 2) naming the candidates otherwise. */
  findRun(idOrPrefix: string): Promise<RunRef>;

  readRunbookCopy(run: RunRef): Promise<string>;
  /** A path the step's processes can use for scratch files of this run (outputs), on this machine. */
  scratchDir(run: RunRef): Promise<string>;

  /** All records; damage before the last record throws RunbookError, a torn last one is dropped or repaired. */
  readJournal(run: RunRef, opts?: { repair?: boolean }): Promise<ReadResult>;
  /** The journals of many runs at once (`runs`), read as `readJournal` without repair; an unreadable one is its error. */
  readJournals(runs: readonly RunRef[]): Promise<Map<string, ReadResult | RunbookError>>;
  /**
   * Every run, newest first, each with what `summarize` needs of its journal (`runs`): as
   * `readJournals`, except that a store may leave out the records of types summarize does not
   * read (SUMMARY_TYPES in ./summary.ts) but the last, and then says in `total` how many there
   * are; or, where it keeps one written with each record, the journal's summary itself.
   */
  readRunsForSummary(): Promise<SummaryRead[]>;
  createJournal(run: RunRef): Promise<JournalSink>;
  /** An existing journal, to go on appending (read it with `repair: true` first). */
  openJournal(run: RunRef): Promise<JournalSink>;

  openStepLog(run: RunRef, seq: number, key: string): LogSink;
  /** The logs of a run, in the order the steps ran. */
  listStepLogs(run: RunRef): Promise<StepLogRef[]>;
  /** The log's bytes from byte `from` of what the step wrote (what a store dropped beyond its cap is said in a line). */
  readStepLog(run: RunRef, log: StepLogRef, from?: number): AsyncIterable<Buffer>;
  /** The last `bytes` of a log, from the start of a whole line. */
  stepLogTail(run: RunRef, log: StepLogRef, bytes: number): Promise<string>;

  /** Take the lock of `runbookId` for `runId`, taking over a stale one; RunbookError (exit 5) if held. */
  acquireLock(runbookId: string, runId: string): Promise<HeldLock>;
  readLock(runbookId: string): Promise<LockInfo | undefined>;
  /** Whether the holder of a lock is alive, as this store can tell. */
  isHolderAlive(info: LockInfo): Promise<boolean>;
  /** Remove a runbook's lock whoever holds it; returns what it held. */
  forceUnlock(runbookId: string): Promise<LockInfo | undefined>;
  /** Copy a run in from another store (only a store that can, a database, has it). */
  importRun?(run: ImportedRun): Promise<RunRef>;
  /** Let go of connections, so the process can end. */
  close?(): Promise<void>;
}
