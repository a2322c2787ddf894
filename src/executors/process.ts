/**
 * Runs one shell command as its own process group, streaming its output (masked) to the step's
 * log file and to a line callback, never holding it whole. A timeout or an interrupt stops the
 * whole group: SIGTERM, then SIGKILL after a grace period, so no grandchild survives.
 *
 * node:child_process is used directly rather than execa: it streams without buffering and keeps
 * the per-step cost low (see bench/); nothing else here needs more.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { failpoint } from '../engine/failpoint.js';
import { LineSplitter, Masker, Tail } from './output.js';

export interface ProcessRequest {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string | undefined;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
  /** Appended to (0600); undefined: no log. */
  readonly logPath: string | undefined;
  /** Secret values to mask in everything written or reported. */
  readonly secrets: readonly string[];
  /** Whole lines of output (masked), a block at a time. */
  readonly onLines: (stream: 'stdout' | 'stderr', lines: string) => void;
  /** Where the step writes `key=value` outputs ($RUNBOOK_OUTPUT). */
  readonly outputPath: string | undefined;
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

export const KILL_GRACE_MS = Number(process.env.RUNBOOK_KILL_GRACE_MS ?? 5_000);
/** After the shell exits, how long to wait for background children that still hold its output. */
const DRAIN_AFTER_EXIT_MS = 250;

export function runProcess(req: ProcessRequest): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const log = req.logPath ? openSync(req.logPath, 'a', 0o600) : undefined;
    const tail = new Tail();
    let timedOut = false;
    let interrupted = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

    const child = spawn(req.argv[0]!, req.argv.slice(1), {
      cwd: req.cwd,
      env: req.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    failpoint('after-spawn');

    const streams = (['stdout', 'stderr'] as const).map((name) => {
      const masker = new Masker(req.secrets);
      const splitter = new LineSplitter((lines) => req.onLines(name, lines));
      const pipe = child[name]!;
      pipe.setEncoding('utf8');
      // stdout and stderr share the log file: each writes whole lines only, so they never mix mid-line.
      let partial = '';
      const toLog = (text: string, end = false) => {
        if (log === undefined) return;
        // A line longer than 64 KiB is written as it comes: output is never held whole.
        const upTo = end || text.length > 65_536 ? text.length : text.lastIndexOf('\n') + 1;
        if (upTo === 0) return void (partial = text);
        writeSync(log, text.slice(0, upTo));
        partial = text.slice(upTo);
      };
      const write = (text: string) => {
        if (!text) return;
        toLog(partial + text);
        if (name === 'stdout') tail.push(text);
        splitter.push(text);
      };
      pipe.on('data', (chunk: string) => write(masker.push(chunk)));
      return { pipe, flush: () => (write(masker.end()), toLog(partial, true), splitter.end()) };
    });

    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = req.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), stop()), req.timeoutMs) : undefined;
    const onAbort = () => ((interrupted = true), stop());
    req.signal.addEventListener('abort', onAbort, { once: true });
    if (req.signal.aborted) onAbort();

    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
      for (const s of streams) s.flush();
      if (timedOut || interrupted) killGroup('SIGKILL');
      if (log !== undefined) closeSync(log);
      resolve({
        exitCode: exit?.code ?? undefined,
        signal: exit?.signal ?? undefined,
        timedOut,
        interrupted,
        stdout: tail.value,
        outputs: readOutputs(req.outputPath, new Masker(req.secrets)),
        error,
      });
    };
    child.on('error', (err) => finish(`could not start ${req.argv[0]}: ${err.message}`));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Background children may keep the pipes open; do not wait for them forever.
      setTimeout(() => {
        for (const s of streams) s.pipe.destroy();
        finish();
      }, DRAIN_AFTER_EXIT_MS).unref();
    });
    child.on('close', () => finish());
  });
}

/** `key=value` lines; other lines are ignored. Capped at 1 MiB. The raw file is removed (it may hold secrets). */
function readOutputs(path: string | undefined, masker: Masker): Record<string, string> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8').slice(0, 1 << 20);
    rmSync(path, { force: true });
  } catch {
    return {};
  }
  const outputs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(line.replace(/\r$/, ''));
    if (m) outputs[m[1]!] = masker.mask(m[2]!);
  }
  return outputs;
}
