/**
 * Where runs live, behind one interface: the runs and their listing, each run's journal, the
 * runbook copy it started with, its step logs, and the one lock per runbook id. The directory
 * store (./dir-store.ts) is the default; a network store (a database) fits behind the same
 * calls, which is why every call that may reach one is async.
 *
 * A run is named by a `RunRef`; only the store knows where it is kept.
 */
import type { ReadResult } from './journal.js';
import type { LockInfo } from './lock-holder.js';
import type { JournalRecord } from './records.js';

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
  /** The stale lock this one replaced (its holder had died), for the CLI to say so. */
  readonly tookOver?: LockInfo | undefined;
  /** Remove the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

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
  createJournal(run: RunRef): Promise<JournalSink>;
  /** An existing journal, to go on appending (read it with `repair: true` first). */
  openJournal(run: RunRef): Promise<JournalSink>;

  openStepLog(run: RunRef, seq: number, key: string): LogSink;
  /** The logs of a run, in the order the steps ran. */
  listStepLogs(run: RunRef): Promise<StepLogRef[]>;
  readStepLog(run: RunRef, log: StepLogRef): AsyncIterable<Buffer>;
  /** The last `bytes` of a log, from the start of a whole line. */
  stepLogTail(run: RunRef, log: StepLogRef, bytes: number): Promise<string>;

  /** Take the lock of `runbookId` for `runId`, taking over a stale one; RunbookError (exit 5) if held. */
  acquireLock(runbookId: string, runId: string): Promise<HeldLock>;
  readLock(runbookId: string): Promise<LockInfo | undefined>;
  /** Whether the holder of a lock is alive, as this store can tell. */
  isHolderAlive(info: LockInfo): Promise<boolean>;
  /** Remove a runbook's lock whoever holds it; returns what it held. */
  forceUnlock(runbookId: string): Promise<LockInfo | undefined>;
}
