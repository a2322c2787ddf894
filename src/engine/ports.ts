/**
 * What the engine needs from the outside world, as interfaces. A real run plugs in processes,
 * a terminal, the wall clock and the journal; a dry run plugs in executors that do nothing, a
 * clock that advances by estimates, and no journal. Same engine, same path.
 */
import type { Expect } from '../model/types.js';
import type { JournalRecord } from '../state/records.js';
import type { StepRef } from './events.js';

/** One thing to do, with every template already resolved. */
export type Action =
  | { readonly kind: 'shell'; readonly command: string; readonly shell: readonly string[]; readonly timeoutMs: number | undefined; readonly expect: Expect }
  | { readonly kind: 'manual'; readonly instruction: string; readonly question: string; readonly timeoutMs: number | undefined }
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'poll'; readonly command: string; readonly shell: readonly string[]; readonly everyMs: number; readonly timeoutMs: number }
  | { readonly kind: 'monitor'; readonly command: string; readonly shell: readonly string[]; readonly everyMs: number; readonly forMs: number }
  | { readonly kind: 'notify'; readonly message: string; readonly to: readonly string[] | undefined };

export interface ExecRequest {
  readonly ref: StepRef;
  readonly action: Action;
  readonly seq: number;
  readonly attempt: number;
  /** Extra environment for processes (step env, RUNBOOK_* variables, secrets). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  /** When this execution first started (a resumed wait or soak keeps its original deadline). */
  readonly startedAt: number;
  readonly signal: AbortSignal;
  /** Called with each process the step starts, as soon as it runs (the journal records it). */
  readonly onProcess?: ((process: ProcessIdentity) => void) | undefined;
  /** Epoch ms at which a wait (sleep or poll) stops and says so (`stoppedEarly`): the point of no return. */
  readonly stopAt?: number | undefined;
  /** The runbook's host its processes run on (undefined: this machine), through `sudo -n` with `become`. */
  readonly host?: string | undefined;
  readonly become?: boolean | undefined;
}

/** Where a step's processes run: a host of the runbook (undefined: this machine), as root or not. */
export interface Placement {
  readonly host: string | undefined;
  readonly become: boolean;
}

/** Where a step's process runs: enough to find it again, and to tell it from a reused pid. */
export interface ProcessIdentity {
  /** This machine's hostname, or with `remote` the runbook's name of the host it runs on. */
  readonly host: string;
  /** It runs on a host reached over SSH. */
  readonly remote?: boolean | undefined;
  /** On a host: it runs as root (through `sudo -n`), so stopping it needs sudo too. */
  readonly become?: boolean | undefined;
  /** /proc/sys/kernel/random/boot_id ('' where there is none). */
  readonly bootId: string;
  /** Its process group (it leads it). */
  readonly pgid: number;
  /** Its start time in clock ticks since boot (/proc/PID/stat field 22); undefined without /proc. */
  readonly startTime: number | undefined;
}

export interface ExecResult {
  readonly status: 'succeeded' | 'failed' | 'skipped';
  readonly exitCode?: number | undefined;
  readonly reason?: string | undefined;
  readonly outputs?: Readonly<Record<string, string>> | undefined;
  /** The tail of the output, masked. */
  readonly stdout?: string | undefined;
  /** The run was interrupted while this step ran: it stays in flight. */
  readonly interrupted?: boolean | undefined;
  /** With `interrupted`: its host was lost before the result came back (`reason` says how). */
  readonly unreachable?: boolean | undefined;
  /** A wait reached the request's `stopAt` before it was over. */
  readonly stoppedEarly?: boolean | undefined;
  /** Manual steps: who confirmed, and their note. */
  readonly by?: string | undefined;
  readonly note?: string | undefined;
}

export interface StepExecutor {
  execute(request: ExecRequest): Promise<ExecResult>;
}

export type FailureChoice = 'retry' | 'skip' | 'rollback' | 'abort';
export type InFlightChoice = 'rerun' | 'done' | 'failed';

/** The person at the console (or the flags that stand in for them). */
export interface Operator {
  readonly user: string;
  chooseOnFailure(ref: StepRef, reason: string): Promise<FailureChoice>;
  chooseInFlight(ref: StepRef): Promise<InFlightChoice>;
  chooseOnOverrun(ref: StepRef, message: string): Promise<'rollback' | 'continue'>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Calls `fire` once the clock reaches `time` (epoch ms), unless the function returned is called first. */
  at(time: number, fire: () => void): () => void;
  /** A dry run advances its clock by a step's expected duration. */
  advance?(ms: number): void;
  /**
   * Runs a batch of loop items side by side (the engine runs them with Promise.all without it).
   * A dry run's clock gives each item its own time from the batch's start, and the batch lasts
   * as long as its longest item.
   */
  parallel?<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]>;
}

export interface JournalPort {
  /** Durable when the promise resolves; with `sync: false`, durable with the next synced append. */
  append(record: JournalRecord, opts?: { sync?: boolean }): Promise<void>;
}

export const NO_JOURNAL: JournalPort = { append: () => Promise.resolve() };
