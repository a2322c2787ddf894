/**
 * A persistent launcher: one long-lived bash that forks each step's shell, as a bash loop does,
 * instead of one Node spawn per step. Node forking itself costs far more than bash forking a
 * shell (bench/README.md), so the engine's cost per step comes close to a bash loop's.
 *
 * Protocol. Node writes a job to the launcher's stdin as its length in bytes, a newline, and the
 * job: `cd`, `export` and `exec` with every value single-quoted, so no value can change the
 * job's structure (a quote is written '\''). The launcher reads it in one `read -N` (its locale
 * is C, in a variable it does not export, so lengths are bytes) and runs it in a forked subshell
 * (`set -m`: its own process group, so a timeout can stop the whole group). The subshell says
 * `S <job number> <pid>` on the launcher's stdout; the job has been read by then, so stopping it
 * cannot leave it for the next one.
 * The subshell then waits for an empty line on the same stdin before it evals the job. Node sends
 * it once the step's started record is on disk, so the fork overlaps the fsync but the command
 * never runs before it; if Node dies first, the line never comes and the command never runs. The
 * job then takes stdin from /dev/null; its stdout and stderr are two pipes shared by all jobs.
 * When the job ends, the launcher writes an end marker to both pipes: NUL, a random nonce sent
 * as the launcher's first line of input, the exit status (on stdout's only), NUL. The markers
 * tell where the job's output ends.
 * A job's background children that outlive it do not hold the step open: what they print later
 * goes with the step running then, or is dropped between steps.
 *
 * The launcher's bash reads no startup files (--norc: bash reads ~/.bashrc when its stdin is a
 * socket, as Node's pipes are) and each job gets the caller's SHLVL back, so a step sees the same
 * environment as one spawned from Node (test/launcher.test.ts compares the two).
 *
 * Exit statuses come from bash: a job killed by signal N reports 128+N.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';

const SCRIPT = [
  'set -m',
  'LC_ALL=C',
  'IFS= read -r mark || exit',
  'exec 5>&1',
  'while IFS= read -r n; do',
  '  [[ -n $n ]] || continue',
  '  IFS= read -r -N "$n" job || exit',
  '  k=$((k + 1))',
  "  ( printf 'S %d %d\\n' \"$k\" \"$BASHPID\" >&5 && exec 5>&- && IFS= read -r go && [[ -z $go ]] || exit 125; exec </dev/null; eval \"$job\" ) >&3 2>&4 3>&- 4>&-",
  '  st=$?',
  "  printf '\\0%s %d\\0' \"$mark\" \"$st\" >&3 || exit",
  "  printf '\\0%s\\0' \"$mark\" >&4 || exit",
  'done',
].join('\n');

/** Variables that would change how the launcher's own bash behaves: it starts without them. */
const LAUNCHER_OWN = ['BASH_ENV', 'ENV', 'POSIXLY_CORRECT', 'LC_ALL'];

/**
 * Variables bash does not pass on as given: read-only ones (`export UID=…` fails) and ones it
 * computes when read. A step that sets one, or a caller that exports one, is spawned from Node,
 * which hands the environment to the step's shell untouched.
 */
const BASH_OWN = /^(?:SHELLOPTS|BASHOPTS|BASH_VERSINFO|EUID|PPID|UID|BASHPID|RANDOM|SRANDOM|SECONDS|LINENO|HISTCMD|EPOCHSECONDS|EPOCHREALTIME|BASH_MONOSECONDS|BASH_ARGV0|BASH_SUBSHELL|BASH_COMMAND|GROUPS|FUNCNAME|DIRSTACK)$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const callerExportsBashOwn = Object.keys(process.env).some((k) => BASH_OWN.test(k));

/**
 * What every job puts back before its exec: the caller's values of LAUNCHER_OWN, and its SHLVL
 * (the launcher's bash counts itself in SHLVL; an `exec` in a subshell does not take that back).
 */
const RESTORE = (() => {
  const env: Record<string, string> = {};
  for (const k of [...LAUNCHER_OWN, 'SHLVL']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { env, unexport: process.env.SHLVL === undefined ? 'export -n SHLVL' : undefined };
})();

export interface LaunchRequest {
  readonly argv: readonly string[];
  /** Added to the CLI's own environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
}

export interface JobHandlers {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /** The job's pid, which is also its process group. */
  onStarted(pid: number): void;
  /** `status` undefined: the launcher died (`error` says how). */
  onEnded(status: number | undefined, error?: string): void;
  /** The launcher could not be started at all (no bash): the job never ran. */
  onUnavailable(): void;
}

const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;

/** The job as bash reads it: the caller's variables put back, cd, export, exec. */
function jobScript(req: LaunchRequest): string {
  const parts: string[] = [];
  if (RESTORE.unexport) parts.push(RESTORE.unexport);
  if (req.cwd) parts.push(`cd -- ${quote(resolve(req.cwd))}`);
  const env = { ...RESTORE.env, ...req.env };
  let exports = '';
  for (const k in env) exports += ` ${quote(`${k}=${env[k]}`)}`;
  if (exports) parts.push(`export --${exports}`);
  parts.push(`exec -- ${req.argv.map(quote).join(' ')}`);
  return parts.join(' && ');
}

class Launcher {
  private readonly child: ChildProcess;
  private readonly mark = `runbook-end-${randomBytes(12).toString('hex')}`;
  private job: JobHandlers | undefined;
  /** The two end markers still to come for the running job. */
  private pending = 0;
  private status: number | undefined;
  /** Jobs sent so far; the launcher numbers its S lines the same way. */
  private jobs = 0;
  dead = false;

  constructor(private readonly onIdle: (l: Launcher) => void) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of LAUNCHER_OWN) delete env[k];
    this.child = spawn('bash', ['--norc', '--noprofile', '-c', SCRIPT, 'runbook-launcher'], {
      env,
      stdio: ['pipe', 'pipe', 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const [stdin, control, , out, err] = this.child.stdio as [NodeJS.WritableStream & { on: (e: string, f: () => void) => void }, Readable, null, Readable, Readable];
    stdin.on('error', () => {});
    // The nonce goes over stdin, not argv: a step reading /proc/*/cmdline must not print it.
    stdin.write(`${this.mark}\n`);
    control.setEncoding('latin1');
    let buffered = '';
    control.on('data', (text: string) => {
      buffered += text;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const [what, k, pid] = buffered.slice(0, nl).split(' ');
        // A job's S may come after its end markers (they are on other pipes): match it by number.
        if (what === 'S' && Number(k) === this.jobs && this.job) this.job.onStarted(Number(pid));
        buffered = buffered.slice(nl + 1);
      }
    });
    this.scan(out, (chunk) => this.job?.onStdout(chunk));
    this.scan(err, (chunk) => this.job?.onStderr(chunk));
    // 'error' without a kill or a message sent to the child: it could not be spawned.
    this.child.on('error', () => {
      unavailable = true;
      this.die(undefined);
    });
    this.child.on('exit', (code, signal) => this.die(`the launcher (bash) ended unexpectedly (${signal ?? `exit ${code}`})`));
  }

  run(req: LaunchRequest, handlers: JobHandlers): { release(): void } {
    this.job = handlers;
    this.jobs++;
    this.pending = 2;
    this.status = undefined;
    this.ref(true);
    const job = jobScript(req);
    this.child.stdin!.write(`${Buffer.byteLength(job)}\n${job}`);
    // The forked job waits for this empty line. One that comes after its job was stopped is an
    // empty line between jobs, which the launcher skips.
    return { release: () => void (this.job === handlers && this.child.stdin!.write('\n')) };
  }

  /** One of the two end markers arrived; stdout's carries the exit status. */
  private ended(status: string): void {
    if (status) this.status = Number(status);
    if (--this.pending > 0 || !this.job) return;
    const job = this.job;
    this.job = undefined;
    this.ref(false);
    this.onIdle(this);
    job.onEnded(this.status);
  }

  /** Splits an output pipe at end markers (`\0<nonce>[ status]\0`); bytes between jobs are dropped. */
  private scan(pipe: Readable, onData: (chunk: Buffer) => void): void {
    const prefix = Buffer.from(`\0${this.mark}`, 'latin1');
    let held = Buffer.alloc(0);
    pipe.on('data', (chunk: Buffer) => {
      let data = held.length ? Buffer.concat([held, chunk]) : chunk;
      held = Buffer.alloc(0);
      for (let at = data.indexOf(prefix); at >= 0; at = data.indexOf(prefix)) {
        const close = data.indexOf(0, at + prefix.length);
        if (close < 0) break; // the rest of the marker is still to come
        if (at > 0) onData(data.subarray(0, at));
        const status = data.subarray(at + prefix.length, close).toString('latin1').trim();
        data = data.subarray(close + 1);
        this.ended(status);
      }
      // Keep back a marker not complete yet, or what could be the start of one.
      const at = data.indexOf(prefix);
      const keep = at >= 0 ? at : partialMarkerAt(data, prefix);
      if (keep < data.length) held = Buffer.from(data.subarray(keep));
      if (keep > 0) onData(data.subarray(0, keep));
    });
  }

  /** `error` undefined: it never started. */
  private die(error: string | undefined): void {
    if (this.dead) return;
    this.dead = true;
    const job = this.job;
    this.job = undefined;
    this.ref(false);
    if (error === undefined) job?.onUnavailable();
    else job?.onEnded(undefined, error);
  }

  /** A busy launcher keeps the CLI alive; an idle one does not. */
  private ref(on: boolean): void {
    for (const s of [this.child, ...this.child.stdio]) {
      const h = s as { ref?: () => void; unref?: () => void } | null;
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }

}

/** Where in `data` a trailing, incomplete copy of `marker` begins (data.length if none). */
function partialMarkerAt(data: Buffer, marker: Buffer): number {
  for (let k = Math.min(marker.length - 1, data.length); k > 0; k--) {
    if (data[data.length - k] === 0 && data.subarray(data.length - k).equals(marker.subarray(0, k))) return data.length - k;
  }
  return data.length;
}

/** Idle launchers, reused; a new one is started when all are busy (parallel batches). */
const idle: Launcher[] = [];
/** Set when bash could not be started: every request then goes straight from Node. */
let unavailable = false;

/** Whether a request can go through a launcher: bash runs here and takes every variable as given. */
export function launchable(req: LaunchRequest): boolean {
  if (unavailable || callerExportsBashOwn || req.argv.length === 0 || (req.cwd ?? '').includes('\0')) return false;
  for (const a of req.argv) if (a.includes('\0')) return false;
  for (const k in req.env) if (!NAME.test(k) || BASH_OWN.test(k) || req.env[k]!.includes('\0')) return false;
  return true;
}

/** Forks the job at once; its command starts at `release()`, or never if that is not called. */
export function launch(req: LaunchRequest, handlers: JobHandlers): { release(): void } {
  let launcher = idle.pop();
  while (launcher?.dead) launcher = idle.pop();
  return (launcher ?? new Launcher((l) => idle.push(l))).run(req, handlers);
}
