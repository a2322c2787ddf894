/**
 * How the executor reaches processes: start a command with its environment (and stdin), stream
 * its output, wait for its end, signal its whole process group. ./local-transport.ts runs them
 * on this machine; a remote transport (SSH) plugs in here, so nothing above assumes local.
 */
import type { ProcessIdentity } from '../engine/ports.js';

export type StreamName = 'stdout' | 'stderr';

export interface StartRequest {
  /** The program and its arguments, exactly as the process gets them (no wrapper). */
  readonly argv: readonly string[];
  /** Added to the environment the transport's processes get (locally: the CLI's own). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  /** Written to the process's stdin, then closed; undefined: stdin is /dev/null. */
  readonly stdin?: string | undefined;
  /** Aborted: give up starting it (a remote transport may take a while to connect). */
  readonly signal?: AbortSignal | undefined;
}

export interface Exit {
  readonly code?: number | undefined;
  readonly signal?: string | undefined;
  /** It could not be started or waited for. */
  readonly error?: string | undefined;
  /** The host was lost before the result came back (ssh's own failure): the step is in doubt. */
  readonly unreachable?: boolean | undefined;
  /** What the process wrote to $RUNBOOK_OUTPUT, when the transport brought it back (remote hosts). */
  readonly outputs?: string | undefined;
}

export interface ProcessHandle {
  /** Where it runs, for the journal (to find it again on resume); undefined: it never started. */
  readonly identity: ProcessIdentity | undefined;
  /** Its end: the process exited and its output was read (its background children not waited for). */
  wait(): Promise<Exit>;
  /** Sends `sig` to its whole process group; nothing once it is gone. */
  signal(sig: NodeJS.Signals): void;
}

export interface Transport {
  /** Output arrives at `onOutput` as it comes, never held whole. */
  start(req: StartRequest, onOutput: (stream: StreamName, chunk: Buffer) => void): Promise<ProcessHandle>;
}
