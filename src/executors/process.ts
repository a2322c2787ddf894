/**
 * Runs one shell command through a transport (./transport.ts; locally ./local-transport.ts),
 * streaming its output (masked) to the step's log file and to a line callback, never holding it
 * whole. A timeout or an interrupt stops the whole group: SIGTERM (and SIGCONT, for a stopped
 * step), then SIGKILL after a grace period, so no grandchild survives.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { setFlagsFromString } from 'node:v8';
import { failpoint } from '../engine/failpoint.js';
import type { ProcessIdentity } from '../engine/ports.js';
import type { LogSink } from '../state/storage.js';
import { after } from './deadlines.js';
import { localTransport } from './local-transport.js';
import { LineSplitter, Masker, Tail } from './output.js';
import type { StreamName, Transport } from './transport.js';
import { KILL_GRACE_MS } from './watchdog.js';

export { KILL_GRACE_MS };

// A chatty step allocates fast and keeps a little alive (the tail, part lines): V8 then doubles its
// young generation up to 2 x 16 MiB. Not growing it keeps a step printing 1 GB at about 64 MiB
// instead of 105 (measured with the one spawn path; bench/).
setFlagsFromString('--semi-space-growth-factor=1');

export interface ProcessRequest {
  readonly argv: readonly string[];
  /** Added to the environment the transport gives its processes. */
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
  /** Told where the process runs as soon as it started (for the journal). */
  readonly onStarted?: ((process: ProcessIdentity) => void) | undefined;
  readonly transport?: Transport | undefined;
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
  /** The host was lost before the result came back: the step is in doubt. */
  readonly unreachable?: boolean | undefined;
}

export async function runProcess(req: ProcessRequest): Promise<ProcessResult> {
  const output = new StepOutput(req);
  const notRun = { exitCode: undefined, signal: undefined, timedOut: false, stdout: '', outputs: {} };
  if (req.signal.aborted) return { ...notRun, interrupted: true };
  const env = { ...req.env, ...(req.outputPath ? { RUNBOOK_OUTPUT: req.outputPath } : {}) };
  const proc = await (req.transport ?? localTransport).start({ argv: req.argv, env, cwd: req.cwd, signal: req.signal }, (stream, chunk) => output.write(stream, chunk));
  failpoint('after-spawn');
  if (proc.identity) req.onStarted?.(proc.identity);

  let timedOut = false;
  let interrupted = false;
  let escalate: NodeJS.Timeout | undefined;
  const stop = () => {
    proc.signal('SIGTERM');
    proc.signal('SIGCONT');
    escalate ??= setTimeout(() => proc.signal('SIGKILL'), KILL_GRACE_MS).unref();
  };
  const cancelTimeout = req.timeoutMs !== undefined ? after(req.timeoutMs, () => ((timedOut = true), stop())) : undefined;
  const forget = whenAborted(req.signal, () => ((interrupted = true), stop()));
  if (req.signal.aborted) (interrupted = true), stop();

  const exit = await proc.wait();
  cancelTimeout?.();
  forget();
  clearTimeout(escalate);
  if (timedOut || interrupted) proc.signal('SIGKILL'); // what is left of the group
  const stdout = output.close();
  const outputs = exit.outputs !== undefined ? parseOutputs(exit.outputs, req.secrets) : readOutputs(req.outputPath, req.secrets);
  return { exitCode: exit.code, signal: exit.signal, timedOut, interrupted, stdout, outputs, error: exit.error, unreachable: exit.unreachable };
}

/** What each signal stops when it aborts: one listener per signal rather than one per step. */
const toStop = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `stop` when `signal` aborts; the function returned forgets it. */
function whenAborted(signal: AbortSignal, stop: () => void): () => void {
  let stops = toStop.get(signal);
  if (!stops) {
    const all = new Set<() => void>();
    signal.addEventListener(
      'abort',
      () => {
        for (const f of [...all]) f();
      },
      { once: true },
    );
    toStop.set(signal, (stops = all));
  }
  stops.add(stop);
  return () => stops.delete(stop);
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
  return parseOutputs(text, secrets);
}

function parseOutputs(text: string, secrets: readonly string[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  const masker = new Masker(secrets);
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(line.replace(/\r$/, ''));
    if (m) outputs[m[1]!] = masker.mask(m[2]!);
  }
  return outputs;
}
