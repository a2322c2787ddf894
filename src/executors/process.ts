/**
 * Runs one shell command as its own process group, streaming its output (masked) to the step's
 * log file and to a line callback, never holding it whole. A timeout or an interrupt stops the
 * whole group: SIGTERM, then SIGKILL after a grace period, so no grandchild survives.
 *
 * Commands start through the persistent launcher (./launcher.ts), which forks them as cheaply as
 * a bash loop; a request it cannot carry (a NUL in a value, an environment name bash cannot
 * export) or a machine without bash gets a Node spawn. Either way the command runs only once the
 * step's started record is on disk (`durable`). node:child_process is used rather than execa: it
 * streams without buffering and keeps the per-step cost low (see bench/).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { setFlagsFromString } from 'node:v8';
import { failpoint, failpointHit } from '../engine/failpoint.js';
import { after } from './deadlines.js';
import { launch, launchable, type LaunchRequest } from './launcher.js';
import type { LogSink } from '../state/storage.js';
import { LineSplitter, Masker, Tail } from './output.js';

export interface ProcessRequest {
  readonly argv: readonly string[];
  /** Added to the CLI's own environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
  /** The step's log; undefined: no log. */
  readonly log: LogSink | undefined;
  /** Secret values to mask in everything written or reported. */
  readonly secrets: readonly string[];
  /** Whole lines of output (masked), a block at a time. */
  readonly onLines: (stream: 'stdout' | 'stderr', lines: string) => void;
  /** Where the step writes `key=value` outputs ($RUNBOOK_OUTPUT). */
  readonly outputPath: string | undefined;
  /** The command may run only once this resolves (the step's started record is on disk). */
  readonly durable?: Promise<void> | undefined;
}

export interface ProcessResult {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  /** The last 64 KiB of stdout, masked. */
  readonly stdout: string;
  readonly outputs: Record<string, string>;
  readonly error?: string | undefined;
}

// A chatty step allocates fast and keeps a little alive (the tail, part lines): V8 then doubles its
// young generation up to 2 x 16 MiB. Not growing it keeps a step printing 1 GB at about 64 MiB
// instead of 107 (bench/). Set here, not at start: the code cache is checked against V8's flags.
setFlagsFromString('--semi-space-growth-factor=1');

export const KILL_GRACE_MS = Number(process.env.RUNBOOK_KILL_GRACE_MS ?? 5_000);
/** After the shell exits, how long to wait for background children that still hold its output. */
const DRAIN_AFTER_EXIT_MS = 250;
/** RUNBOOK_LAUNCHER=0 spawns every step from Node instead of through the launcher. */
const USE_LAUNCHER = process.env.RUNBOOK_LAUNCHER !== '0';

type StreamName = 'stdout' | 'stderr';

/** How a started process reports back, whichever way it was started. */
interface ProcessEvents {
  data(stream: StreamName, chunk: Buffer): void;
  /** The process (group) id, for signals. */
  started(pid: number): void;
  ended(end: { code?: number | undefined; signal?: string | undefined; error?: string | undefined }): void;
}

export function runProcess(req: ProcessRequest): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const output = new StepOutput(req);
    let pid: number | undefined;
    let stopping: NodeJS.Signals | undefined;
    let timedOut = false;
    let interrupted = false;
    let settled = false;
    /** Why the command never ran, when its started record could not be made durable. */
    let notStarted: string | undefined;

    const killGroup = (sig: NodeJS.Signals) => {
      stopping = sig;
      try {
        if (pid) process.kill(-pid, sig);
      } catch {
        /* already gone */
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const cancelTimeout = req.timeoutMs !== undefined ? after(req.timeoutMs, () => ((timedOut = true), stop())) : undefined;
    const onAbort = () => ((interrupted = true), stop());
    const forget = whenAborted(req.signal, onAbort);

    const events: ProcessEvents = {
      data: (stream, chunk) => output.write(stream, chunk),
      started: (p) => {
        pid = p;
        failpoint('after-spawn');
        if (stopping) killGroup(stopping);
      },
      ended: ({ code, signal, error }) => {
        if (settled) return;
        settled = true;
        cancelTimeout?.();
        forget();
        if (timedOut || interrupted) killGroup('SIGKILL');
        const stdout = output.close();
        resolve({ exitCode: code, signal, timedOut, interrupted, stdout, outputs: readOutputs(req.outputPath, req.secrets), error: notStarted ?? error });
      },
    };
    const env = { ...req.env, ...(req.outputPath ? { RUNBOOK_OUTPUT: req.outputPath } : {}) };
    const launchReq = { argv: req.argv, env, cwd: req.cwd };
    // The command is released once its started record is on disk (the launcher's standby reads
    // the job meanwhile: that and the fsync overlap), unless the step was stopped in between.
    const durable = (req.durable ?? Promise.resolve()).then(
      () => true,
      (err: Error) => {
        notStarted = `not started: its journal record could not be written to disk (${err.message})`;
        stop();
        return false;
      },
    );
    const direct = () => void durable.then((ok) => (ok && stopping === undefined ? spawnDirect(launchReq, events) : events.ended({})));
    if (USE_LAUNCHER && launchable(launchReq)) {
      const job = launch(launchReq, {
        onStdout: (chunk) => events.data('stdout', chunk),
        onStderr: (chunk) => events.data('stderr', chunk),
        onStarted: (p) => events.started(p),
        onEnded: (status, error) => events.ended({ code: status, error }),
        // No bash to run the launcher: the job never ran; spawn it from Node instead.
        onUnavailable: direct,
        mayResend: () => stopping === undefined,
      });
      void durable.then((ok) => {
        if (!ok || stopping !== undefined) return;
        failpoint('before-release');
        // A slow disk, for tests: the step's shell may be done before its go-ahead.
        if (failpointHit('release-late')) setTimeout(() => job.release(), 500).unref();
        else job.release();
      });
    } else direct();
    if (req.signal.aborted) onAbort();
  });
}

/** What each signal stops when it aborts: one listener per signal rather than one per step. */
const toStop = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `stop` when `signal` aborts; the function returned forgets it. */
function whenAborted(signal: AbortSignal, stop: () => void): () => void {
  let stops = toStop.get(signal);
  if (!stops) {
    const all = new Set<() => void>();
    signal.addEventListener('abort', () => [...all].forEach((f) => f()), { once: true });
    toStop.set(signal, (stops = all));
  }
  stops.add(stop);
  return () => stops.delete(stop);
}

/** One Node spawn: a new session and process group, output on two pipes. */
function spawnDirect(req: LaunchRequest, events: ProcessEvents): void {
  const child = spawn(req.argv[0]!, req.argv.slice(1), {
    cwd: req.cwd,
    env: { ...process.env, ...req.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid) events.started(child.pid);
  let exit: { code: number | undefined; signal: string | undefined } | undefined;
  const done = (error?: string) => events.ended({ ...exit, error });
  child.stdout.on('data', (chunk: Buffer) => events.data('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => events.data('stderr', chunk));
  child.on('error', (err) => done(`could not start ${req.argv[0]}: ${err.message}`));
  child.on('exit', (code, signal) => {
    exit = { code: code ?? undefined, signal: signal ?? undefined };
    // Background children may keep the pipes open; do not wait for them forever.
    setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
      done();
    }, DRAIN_AFTER_EXIT_MS).unref();
  });
  child.on('close', () => done());
}

/**
 * Where a step's output goes: masked, to its log file (0600, made at the first output) and the
 * line callback, and the tail of stdout kept. stdout and stderr share the log file: each writes
 * whole lines only, so they never mix mid-line; a line longer than 64 KiB is written as it comes.
 */
class StepOutput {
  private readonly tail = new Tail();
  /** Made at a stream's first output: a silent step costs nothing here. */
  private readonly streams: Partial<Record<StreamName, { decoder: StringDecoder; masker: Masker; splitter: LineSplitter; partial: string }>> = {};

  constructor(private readonly req: ProcessRequest) {}

  write(name: StreamName, chunk: Buffer): void {
    const s = (this.streams[name] ??= {
      decoder: new StringDecoder('utf8'),
      masker: new Masker(this.req.secrets),
      splitter: new LineSplitter((lines) => this.req.onLines(name, lines)),
      partial: '',
    });
    this.pass(name, s.masker.push(s.decoder.write(chunk)));
  }

  /** Flushes what is held back and closes the log; returns the tail of stdout. */
  close(): string {
    for (const name of ['stdout', 'stderr'] as const) {
      const s = this.streams[name];
      if (!s) continue;
      this.pass(name, s.masker.push(s.decoder.end()));
      this.pass(name, s.masker.end());
      this.toLog(name, '', true);
      s.splitter.end();
    }
    this.req.log?.close();
    return this.tail.value;
  }

  private pass(name: StreamName, text: string): void {
    if (!text) return;
    this.toLog(name, text);
    if (name === 'stdout') this.tail.push(text);
    this.streams[name]!.splitter.push(text);
  }

  private toLog(name: StreamName, text: string, end = false): void {
    const log = this.req.log;
    if (log === undefined) return;
    const s = this.streams[name]!;
    const all = s.partial + text;
    const upTo = end || all.length > 65_536 ? all.length : all.lastIndexOf('\n') + 1;
    if (upTo === 0) return void (s.partial = all);
    log.write(all.slice(0, upTo));
    s.partial = all.slice(upTo);
  }
}

/** `key=value` lines; other lines are ignored. Capped at 1 MiB. The raw file is removed (it may hold secrets). */
function readOutputs(path: string | undefined, secrets: readonly string[]): Record<string, string> {
  // Most steps write no outputs: a stat is cheaper than the exception of a failed read.
  if (!path || !statSync(path, { throwIfNoEntry: false })) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8').slice(0, 1 << 20);
    rmSync(path, { force: true });
  } catch {
    return {};
  }
  const outputs: Record<string, string> = {};
  const masker = new Masker(secrets);
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(line.replace(/\r$/, ''));
    if (m) outputs[m[1]!] = masker.mask(m[2]!);
  }
  return outputs;
}
