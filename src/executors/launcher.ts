/**
 * A persistent launcher: one long-lived bash that forks each step's shell, as a bash loop does,
 * instead of one Node spawn per step. Node forking itself costs far more than bash forking a
 * shell (bench/README.md), so the engine's cost per step comes close to a bash loop's.
 *
 * Protocol. The launcher forks a standby subshell ahead of each job, with job control on (its
 * own process group, so a timeout can stop the whole group), so the fork overlaps the engine's
 * work between steps. A stop (SIGSTOP) is not an end: the launcher waits on to the real end.
 * The standby reads its job from the launcher's stdin, where Node writes a header (J, H or P, a
 * private key, the job number, the job's length in bytes, fixed widths) and the job: `cd`, the
 * step's variables and `exec`, every value single-quoted, so no value can change the job's
 * structure (a quote is written '\''). It reads both with `read -N` (the locale is C, in a
 * variable the launcher does not export, so lengths are bytes), then says `S <job number> <pid>`
 * on the launcher's stdout.
 * Nothing of the step runs before its go-ahead: its job number and a newline, on a pipe of its
 * own (the launcher's fd 5), which Node writes once the step's started record is on disk. So the
 * job is read, and the step's shell readied, while the disk works, and the command never runs
 * before the record. A J or H job's standby waits for it before it evals the job; for an H job
 * (it execs the launcher's first command, in the launcher's PATH) it looks that command up
 * meanwhile. A P job (bash, a program and not a wrapper script, with options that run and print
 * nothing before a command, and no BASH_ENV: gateable) is evaluated at once: its shell starts,
 * and GATE, put before the step's command on the same line, waits for the go-ahead there (TMOUT,
 * which a hardened host exports, does not cut that wait short). What the step sees of that: its
 * shell's command line and BASH_EXECUTION_STRING begin with GATE, `$_` starts as `exec` and
 * PIPESTATUS as 0, and a command that begins with `;` or `&` is reported as `;;` or `;&`. bash
 * 5.1 and later exec the command's last simple command as they would without GATE; older ones
 * fork it. A shell that ends before its go-ahead (a syntax error on the command's first line, a
 * missing directory) ran nothing of the command; that is the step's end.
 * If Node dies first, the go-ahead never comes: the standby (or GATE) reads the end of the pipe
 * and runs nothing (a standby also ends the launcher). If Node dies while a job runs (the CLI
 * killed), the launcher's watchdog kills the job's process group at once, so that it cannot run
 * on beside a resumed run (a step spawned from Node has no such watchdog). A launcher that dies
 * takes its job with it: Node kills the job's group by the pid of its S (now or when the S
 * comes), and a job whose launcher is gone does not start. A go-ahead left by a job that died before reading it is
 * skipped (numbered for an earlier job). The job takes stdin from /dev/null; its stdout and
 * stderr are two pipes shared by all jobs. When the standby ends, the launcher writes an end
 * marker to stdout's: NUL, `runbook-end-` and the key, the job number, the exit status, NUL. It
 * tells where the job's stdout ends; what it wrote to stderr is in that pipe by then (it has
 * exited), and Node takes it at once.
 * A standby killed by someone else before its go-ahead ran nothing. If it had not read its job,
 * the job waits in the pipe and the next standby skips it (numbered for an earlier standby);
 * either way Node sends the job again, numbered for the next standby (three times at most). A
 * standby that reads a header without the key (one killed half way through reading left the
 * rest), or a header or go-ahead numbered ahead of it, ends the launcher rather than guess; the
 * step fails and the pool starts another launcher.
 * A job's background children that outlive it do not hold the step open: what they print later
 * goes with the step running then, or is dropped between steps.
 *
 * A step sees the environment a Node spawn would give it (test/launcher.test.ts compares the
 * two): the launcher's bash reads no startup files (--norc: bash reads ~/.bashrc when its stdin
 * is a socket, as Node's pipes are), keeps its own variables unexported, and each job gets back
 * what bash changes for itself (SHLVL, OLDPWD, IFS, PS1...). What bash cannot pass on as given
 * (BASH_OWN, exported functions) sends the step to a Node spawn. An H job's standby looks the
 * step's shell up in PATH (hash) while it waits for its go-ahead, so that the exec after it need
 * not search; with checkhash, a shell gone in between is looked up again.
 *
 * Exit statuses come from bash: a job killed by signal N reports 128+N.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { failpointHit } from '../engine/failpoint.js';
import type { Readable, Writable } from 'node:stream';

/** The launcher's own variables (SCRIPT): a caller's exported values of these names are put back. */
const SCRIPT_VARIABLES = ['k', 'key', 'h', 'n', 'job', 'skipped', 'st', 'cmd', 'p', 'g'];

const SCRIPT = [
  'LC_ALL=C',
  // Its own variables, set and not exported whatever the caller exported (jobs put those back).
  `declare +x ${SCRIPT_VARIABLES.map((v) => `${v}=`).join(' ')}`,
  'unset -v job',
  'IFS= read -r key || exit',
  // The command most jobs exec (the first job's shell). A standby looks it up (hash) while it
  // waits for its go-ahead, unless PATH has a relative entry (the job may cd first).
  'IFS= read -r cmd || exit',
  '[[ $cmd == */* || :$PATH: == *:[!/]* ]] && cmd=',
  'shopt -s checkhash',
  'exec 7>&1 6</dev/null',
  // The watchdog: when Node is gone (fd 8, which Node never writes to, ends), the job running then
  // is killed with its process group, so that it cannot run on beside a resumed run. The job is
  // the launcher's only child (the watchdog is not one: started from a subshell that ends at
  // once, so that no `jobs` or `wait` of the launcher sees it); nothing is done if the launcher
  // is gone (its start time tells it from a process that took its pid). A stat file is read
  // whole: a process name may hold a newline, and everything up to its last `) ` is the name.
  // Only a group of its own (a number, not 1, not the launcher's) is killed.
  '(',
  '  {',
  "    IFS= read -r -d '' s < /proc/$$/stat; s=${s##*) } && set -- $s && t=${20}",
  '    IFS= read -r _ <&8',
  "    IFS= read -r -d '' s < /proc/$$/stat; s=${s##*) } && set -- $s && [[ -n $t && ${20} == \"$t\" ]] || exit",
  '    for f in /proc/[0-9]*/stat; do',
  "      s=; IFS= read -r -d '' s < \"$f\" 2>/dev/null; s=${s##*) }",
  '      set -- $s',
  '      [[ $2 == "$$" && $3 =~ ^[1-9][0-9]*$ && $3 != 1 && $3 != "$$" ]] && kill -KILL -- "-$3" 2>/dev/null',
  '    done',
  '  } 0</dev/null >/dev/null 2>&1 3>&- 4>&- 5<&- 7>&- &',
  ')',
  'exec 8<&-',
  'set -m',
  'while :; do',
  '  k=$((k + 1))',
  '  (',
  '    while IFS= read -r -N 43 h; do',
  '      [[ ${h:1:24} == "$key" && ${h:0:1} == [JHP] ]] || break',
  '      n=$((10#${h:25:8}))',
  '      if ((n < k)); then IFS= read -r -N $((10#${h:33:10})) skipped || break; continue; fi',
  '      ((n == k)) && IFS= read -r -N $((10#${h:33:10})) job || break',
  "      printf 'S %d %d\\n' \"$k\" \"$BASHPID\" >&7 || break",
  '      exec <&6 6<&- 7>&-',
  // P: the job's shell waits for the go-ahead itself (its command starts with GATE).
  '      [[ ${h:0:1} == P ]] && { eval "$job"; exit; }',
  // H: the job execs that command (and sets no PATH of its own).
  '      [[ ${h:0:1} == H && -n $cmd ]] && hash -- "$cmd" 2>/dev/null',
  '      while IFS= read -r -u 5 g; do',
  '        ((g < k)) && continue',
  '        ((g == k)) || break 2',
  '        kill -0 $$ || exit 125',
  '        exec 5<&-',
  '        eval "$job"',
  '        exit',
  '      done',
  '      break',
  '    done',
  '    kill -TERM $$',
  '    exit 125',
  '  ) >&3 2>&4 3>&- 4>&-',
  '  st=$?',
  // Job control reports a stop (SIGSTOP, SIGTSTP...) as if the job had ended: look every 0.1 s
  // (waiting on a pipe Node never writes to; its end means Node is gone) until it really ends,
  // then take its status. Nothing else runs meanwhile, so bash keeps that status for `wait`.
  '  if ((st >= 147 && st <= 150)) && p=$(jobs -p %+ 2>/dev/null) && [[ -n $p ]]; then',
  // Node gone meanwhile: the stopped job is killed, as the watchdog would a running one.
  '    while kill -0 "$p" 2>/dev/null; do read -r -t 0.1 -u 3 _; (($? > 128)) || { kill -KILL -- "-$p" 2>/dev/null; exit; }; done',
  '    wait "$p"',
  '    st=$?',
  '  fi',
  "  printf '\\0runbook-end-%s %d %d\\0' \"$key\" \"$k\" \"$st\" >&3 || exit",
  'done',
].join('\n');

/** Variables that would change how the launcher's own bash behaves: it starts without them. */
const LAUNCHER_OWN = ['BASH_ENV', 'ENV', 'POSIXLY_CORRECT', 'LC_ALL', 'TMOUT'];

/**
 * Variables bash does not pass on as given: read-only ones (`export UID=…` fails), ones it
 * computes when read or keeps for itself. A step that sets one, or a caller that exports one (or
 * exports a function, which could stand in for a builtin the launcher uses), is spawned from
 * Node, which hands the environment to the step's shell untouched.
 */
const BASH_OWN = /^(?:SHELLOPTS|BASHOPTS|BASH_VERSINFO|EUID|PPID|UID|BASHPID|RANDOM|SRANDOM|SECONDS|LINENO|HISTCMD|EPOCHSECONDS|EPOCHREALTIME|BASH_MONOSECONDS|BASH_ARGV0|BASH_SUBSHELL|BASH_COMMAND|GROUPS|FUNCNAME|DIRSTACK|BASH_SOURCE|BASH_LINENO|BASH_ARGV|BASH_ARGC|PIPESTATUS|BASH_ALIASES|BASH_CMDS|OPTIND)$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const callerExportsBashOwn = Object.keys(process.env).some((k) => BASH_OWN.test(k) || k.startsWith('BASH_FUNC_'));

/**
 * What every job puts back before its exec: the caller's values of LAUNCHER_OWN, of what bash
 * sets or drops for itself (IFS, PS1, BASH_VERSION...), SHLVL (the launcher's bash counts itself
 * in it; an `exec` in a subshell does not take that back), OLDPWD (`cd` sets it) and the
 * launcher's own variables.
 */
const RESTORE = (() => {
  const own = [...LAUNCHER_OWN, ...SCRIPT_VARIABLES, 'SHLVL', 'OLDPWD', 'IFS', 'PS1', 'PS2', 'PS4', 'BASH', 'BASH_VERSION', 'BASH_EXECUTION_STRING'];
  const env: Record<string, string> = {};
  for (const k of own) if (process.env[k] !== undefined) env[k] = process.env[k];
  const unset = ['SHLVL', 'OLDPWD'].filter((k) => process.env[k] === undefined);
  return { env, unset: unset.length ? `unset -v ${unset.join(' ')}` : undefined, ...assignments(env) };
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
  /** The job's shell was killed by someone else before its go-ahead: may it go to the next one? */
  mayResend(): boolean;
}

/** How often a job whose shell was killed before its go-ahead is sent again (then it fails). */
const RESENDS = 3;

function quote(v: string): string {
  return `'${v.replaceAll("'", "'\\''")}'`;
}

function isLocale(k: string): boolean {
  return k === 'LANG' || k.startsWith('LC_');
}

/**
 * The job as bash reads it: cd (physical, as a Node spawn's chdir leaves it), the caller's
 * variables put back and the step's set, and exec. The variables go on the exec as assignments,
 * which bash passes to the command without exporting them in the standby first (cheaper); a
 * locale is exported before, so that a locale that is not installed does not warn twice (here
 * and in the step's own shell).
 */
function jobScript(req: LaunchRequest, argv = req.argv): string {
  const parts: string[] = [];
  if (req.cwd) parts.push(`cd -P -- ${quote(resolve(req.cwd))}`);
  if (RESTORE.unset) parts.push(RESTORE.unset);
  // The caller's values put back (made once), unless the step sets the same variable.
  let restore: { locale: string; assign: string } = RESTORE;
  for (const k in req.env) {
    if (k in RESTORE.env) {
      restore = assignments(Object.fromEntries(Object.entries(RESTORE.env).filter(([name]) => !(name in req.env))));
      break;
    }
  }
  const step = assignments(req.env);
  const locale = restore.locale + step.locale;
  if (locale) parts.push(`export --${locale} 2>/dev/null`);
  parts.push(`${restore.assign}${step.assign}exec -- ${argv.map(quote).join(' ')}`);
  return parts.join(' && ');
}

/** Variables as a job sets them: locales for `export`, the rest as assignments on the `exec`. */
function assignments(env: Readonly<Record<string, string>>): { locale: string; assign: string } {
  let locale = '';
  let assign = '';
  for (const k in env) {
    if (isLocale(k)) locale += ` ${quote(`${k}=${env[k]}`)}`;
    else assign += `${k}=${quote(env[k]!)} `;
  }
  return { locale, assign };
}

/** The variable GATE reads the go-ahead into (unset before the command): a step or caller's own sends the job the J way. */
const GATE_VARIABLE = '_rb';

const callerSetsGateVariables = process.env.BASH_ENV !== undefined || process.env[GATE_VARIABLE] !== undefined;

/** bash options that run nothing and print nothing before a command (`-x`, `-v`, `-l`, `-i`... would). */
const QUIET_FLAGS = /^[-+][eufCBh]*o?$/;
const QUIET_SET_O = /^(?:errexit|nounset|pipefail|noglob|noclobber|braceexpand|hashall)$/;

/**
 * Whether the job's shell can wait for its own go-ahead (a P job): it is bash (`bash` in the
 * caller's PATH, or an absolute path), a program and not a script that could do something before
 * GATE, run with `-c` and options that do nothing before the command, and no BASH_ENV (read at
 * its start) or variable of GATE's in its environment.
 */
function gateable(req: LaunchRequest): boolean {
  const argv = req.argv;
  const c = argv.length - 2;
  if (c < 1 || argv[c] !== '-c' || !(argv[0] === 'bash' ? !('PATH' in req.env) : argv[0]!.startsWith('/') && argv[0]!.endsWith('/bash'))) return false;
  // A command near the kernel's 128 KiB limit on one argument must not be pushed over it by GATE.
  if (Buffer.byteLength(argv[c + 1]!) > 100_000 || !isProgram(argv[0]!)) return false;
  for (let i = 1; i < c; i++) {
    const a = argv[i]!;
    if (a === '--norc' || a === '--noprofile') continue;
    if (a.length < 2 || !QUIET_FLAGS.test(a)) return false;
    if (a.endsWith('o') && (++i >= c || !QUIET_SET_O.test(argv[i]!))) return false;
  }
  return !callerSetsGateVariables && !('BASH_ENV' in req.env) && !(GATE_VARIABLE in req.env);
}

/** Whether a shell (a name looked up in the caller's PATH, or an absolute path) is an ELF program; once per shell. */
const programs = new Map<string, boolean>();
function isProgram(shell: string): boolean {
  let known = programs.get(shell);
  if (known === undefined) programs.set(shell, (known = isElf(shell.startsWith('/') ? shell : lookUp(shell))));
  return known;
}

/** Where exec finds `name` in the caller's PATH (undefined with a relative entry: the job may cd first). */
function lookUp(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir.startsWith('/')) return undefined;
    const path = `${dir}/${name}`;
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function isElf(path: string | undefined): boolean {
  if (path === undefined) return false;
  try {
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    try {
      return readSync(fd, head, 0, 4, 0) === 4 && head.equals(ELF);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * What a P job's shell runs before the step's command, on the same line (so line numbers stay):
 * it waits for the go-ahead numbered for its job on fd 5 (skipping any left by an earlier one),
 * checks the launcher still runs, and closes fd 5. Without its go-ahead it runs nothing.
 */
function gate(job: number, launcher: number): string {
  const v = GATE_VARIABLE;
  return `while TMOUT= read -ru5 ${v}&&((${v}<${job}));do :;done;((${v}==${job}))&&kill -0 ${launcher}||exit 125;unset -v ${v};exec 5<&-;`;
}

class Launcher {
  private readonly child: ChildProcess;
  /** Where go-aheads go (the launcher's fd 5): the job number and a newline. */
  private readonly goAhead: Writable;
  /** Private: it marks the ends of jobs' output and the headers of jobs (24 hex digits). */
  private readonly key = randomBytes(12).toString('hex');
  private job: JobHandlers | undefined;
  /** The number of the running job, or of the last one. */
  private current = 0;
  /** The number of the standby that reads the next job: one more than the last that ended. */
  private next = 1;
  /** The running job's end marker has come. */
  private endSeen = false;
  /** The job's exit status, from its end marker. */
  private status = NaN;
  /** The running job; its shell's pid (from S); whether its go-ahead is due, and sent. */
  private request: LaunchRequest | undefined;
  /**
   * H: the job execs the launcher's command, which the standby looks up before the go-ahead. P:
   * the job's shell is started at once and waits for the go-ahead itself (GATE).
   */
  private kind: 'J' | 'H' | 'P' = 'J';
  private pid: number | undefined;
  private releaseDue = false;
  private released = false;
  /** Failpoint standby-lost: the go-ahead is held and the standby killed once it has read the job. */
  private held = false;
  private resends = 0;
  /** Whether its process and pipes keep the CLI alive (ref). */
  private referenced = true;
  dead = false;

  constructor(
    /** The first job's command (its shell): the one most jobs exec. */
    private readonly command: string,
    private readonly onIdle: (l: Launcher) => void,
  ) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of LAUNCHER_OWN) delete env[k];
    this.child = spawn('bash', ['--norc', '--noprofile', '-c', SCRIPT, 'runbook-launcher'], {
      env,
      stdio: ['pipe', 'pipe', 'ignore', 'pipe', 'pipe', 'pipe', 'ignore', 'ignore', 'pipe'],
      detached: true,
    });
    const [stdin, control, , out, err, goAhead] = this.child.stdio as unknown as [Writable, Readable, null, Readable, Readable, Writable];
    this.goAhead = goAhead;
    stdin.on('error', () => {});
    goAhead.on('error', () => {});
    // The key goes over stdin, not argv: a step reading /proc/*/cmdline must not print it.
    stdin.write(`${this.key}\n${command.replaceAll('\n', ' ')}\n`);
    control.setEncoding('latin1');
    let buffered = '';
    control.on('data', (text: string) => {
      buffered += text;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const [what, k, pid] = buffered.slice(0, nl).split(' ');
        buffered = buffered.slice(nl + 1);
        // A job's S may come after its end markers (they are on other pipes): match it by number.
        if (what !== 'S' || Number(k) !== this.current) continue;
        // The launcher died: this standby may still run a go-ahead already in the pipe.
        if (this.dead || this.held) kill(Number(pid));
        if (this.dead || this.held || !this.job || this.endSeen) continue;
        this.pid = Number(pid);
        this.job.onStarted(this.pid);
        this.release();
      }
    });
    this.scan(out, (chunk) => this.job?.onStdout(chunk));
    err.on('data', (chunk: Buffer) => this.job?.onStderr(chunk));
    // 'error' without a kill or a message sent to the child: it could not be spawned.
    this.child.on('error', () => {
      unavailable = true;
      this.die(undefined);
    });
    this.child.on('exit', (code, signal) => this.die(`the launcher (bash) ended unexpectedly (${signal ?? `exit ${code}`})`));
  }

  run(req: LaunchRequest, handlers: JobHandlers): { release(): void } {
    this.job = handlers;
    this.request = req;
    this.kind = gateable(req) ? 'P' : req.argv[0] === this.command && !('PATH' in req.env) ? 'H' : 'J';
    this.releaseDue = false;
    this.resends = 0;
    this.ref(true);
    this.send();
    return {
      release: () => {
        if (this.job !== handlers) return;
        this.releaseDue = true;
        this.release();
      },
    };
  }

  /** The running job, to the standby numbered `next`. */
  private send(): void {
    this.current = this.next;
    this.endSeen = false;
    this.status = NaN;
    this.pid = undefined;
    this.released = false;
    this.held = failpointHit('standby-lost');
    const req = this.request!;
    // A P job's gate waits for this job's number: a job sent again is written again.
    const text = this.kind === 'P' ? jobScript(req, [...req.argv.slice(0, -1), gate(this.current, this.child.pid!) + req.argv.at(-1)!]) : jobScript(req);
    writeNow(this.child.stdin!, `${this.header(this.kind, this.current, Buffer.byteLength(text))}${text}`);
  }

  /**
   * The go-ahead, numbered for this job only (a standby skips one numbered for an earlier job).
   * Not once an end marker of this job has come: its standby is gone, and the job goes to the
   * next one.
   */
  private release(): void {
    if (!this.releaseDue || this.released || this.held || this.endSeen) return;
    this.released = true;
    writeNow(this.goAhead, `${this.current}\n`);
  }

  /** 43 bytes: the kind (J, H or P), the key, the job number and the job's length. */
  private header(kind: 'J' | 'H' | 'P', k: number, length: number): string {
    return `${kind}${this.key}${String(k).padStart(8, '0')}${String(length).padStart(10, '0')}`;
  }

  /**
   * An end marker arrived (`<job number> <status>`). A standby that ended without a job (stopped
   * by someone else) moves the numbering on.
   */
  private ended(fields: string): void {
    const [n, status] = fields.split(' ');
    const k = Number(n);
    this.next = Math.max(this.next, k + 1);
    if (k !== this.current || !this.job) return;
    this.status = Number(status);
    this.endSeen = true;
    const drainStarted = performance.now();
    this.drainStderr();
    // Its standby was killed before the go-ahead, most likely while idle, before the job even
    // came (the job then waits, skipped, in the pipe): the command did not run. Send it again.
    // A P job's shell that ended by itself before its gate (a syntax error on the first line, a
    // bad option, a `cd` or exec that failed) ran nothing either, but that is its end.
    const selfEnded = this.kind === 'P' && this.status < 128;
    const lost = !this.released && !selfEnded && this.job.mayResend();
    if (lost && this.resends < RESENDS) {
      this.resends++;
      return this.send();
    }
    const job = this.job;
    this.job = undefined;
    // Not kept alive by an idle launcher; the next step's job, which mostly follows at once,
    // finds it still referenced.
    setImmediate(() => this.job === undefined && this.ref(false));
    this.onIdle(this);
    const exit = this.status;
    const end = () => (lost ? job.onEnded(undefined, `not started: its shell was killed ${RESENDS + 1} times before it could start (status ${exit})`) : job.onEnded(exit));
    // A long read-out (a background child keeping the pipe full) held the event loop up: let it
    // handle what came meanwhile (a Ctrl-C) before the engine goes on to start the next step.
    if (performance.now() - drainStarted < LONG_DRAIN_MS) end();
    else setImmediate(() => setImmediate(end));
  }

  /**
   * What the job wrote to stderr, all in the pipe by now (its shell has ended), taken at once: no
   * marker on that pipe, no second wake-up for it. That is at most what the pipe holds (a writer
   * waits while it is full); a background child that goes on writing could keep the pipe full
   * for ever, so no more than DRAIN_MAX is taken here, and the rest comes as it comes. A
   * background child's later lines go with the step running then, or are dropped between steps,
   * as on stdout.
   */
  private drainStderr(): void {
    const fd = fdOf(this.child.stdio[4]!);
    if (fd === undefined || fd < 0) return;
    for (let taken = 0; taken < DRAIN_MAX; ) {
      let n: number;
      try {
        n = readSync(fd, drained, 0, drained.length, null);
      } catch {
        return; // EAGAIN: that was all
      }
      if (n <= 0) return; // the launcher is gone
      taken += n;
      this.job?.onStderr(Buffer.from(drained.subarray(0, n)));
    }
  }

  /** Splits stdout at end markers (`\0runbook-end-<key> <job> <status>\0`); bytes between jobs are dropped. */
  private scan(pipe: Readable, onData: (chunk: Buffer) => void): void {
    const prefix = Buffer.from(`\0runbook-end-${this.key} `, 'latin1');
    let held = Buffer.alloc(0);
    pipe.on('data', (chunk: Buffer) => {
      let data = held.length ? Buffer.concat([held, chunk]) : chunk;
      held = Buffer.alloc(0);
      for (let at = data.indexOf(prefix); at >= 0; at = data.indexOf(prefix)) {
        const close = data.indexOf(0, at + prefix.length);
        if (close < 0) break; // the rest of the marker is still to come
        if (at > 0) onData(data.subarray(0, at));
        const fields = data.subarray(at + prefix.length, close).toString('latin1');
        data = data.subarray(close + 1);
        this.ended(fields);
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
    // Its job would run on unwatched (its S, if still to come, is handled the same way).
    if (job && this.pid !== undefined) kill(this.pid);
    this.ref(false);
    if (error === undefined) job?.onUnavailable();
    else job?.onEnded(undefined, error);
  }

  /** A busy launcher keeps the CLI alive; an idle one does not. */
  private ref(on: boolean): void {
    if (on === this.referenced) return;
    this.referenced = on;
    for (const s of [this.child, ...this.child.stdio]) {
      const h = s as { ref?: () => void; unref?: () => void } | null;
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }

}

/**
 * Writes to a pipe to the launcher at once, on its file descriptor: a stream's write goes through
 * more JavaScript than the write itself costs, twice a step. What the pipe does not take now (a
 * long job, a launcher that does not read) goes through the stream, as does everything while the
 * stream still holds something, so the order stays.
 */
function writeNow(stream: Writable, text: string): void {
  const fd = fdOf(stream);
  if (fd === undefined || fd < 0 || stream.writableLength > 0 || stream.destroyed) return void stream.write(text);
  const data = Buffer.from(text);
  let written = 0;
  try {
    written = writeSync(fd, data);
  } catch (err) {
    // EAGAIN: the pipe is full; anything else (EPIPE: the launcher is gone) the stream reports.
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return void stream.write(data);
  }
  if (written < data.length) stream.write(data.subarray(written));
}

/** Where drainStderr reads, and how much it takes at most (a pipe holds about 200 KiB here). */
const drained = Buffer.allocUnsafe(64 * 1024);
const DRAIN_MAX = 1024 * 1024;
const LONG_DRAIN_MS = 2;

/** The file descriptor under a pipe to or from the launcher (libuv's handle holds it). */
function fdOf(stream: Readable | Writable): number | undefined {
  return (stream as { _handle?: { fd?: number } })._handle?.fd;
}

/** SIGKILL to a job's process group. */
function kill(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
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

/** Variable names already found to be ones bash takes as given (most steps set the same few). */
const plainNames = new Set<string>();

/** Whether a request can go through a launcher: bash runs here and takes every variable as given. */
export function launchable(req: LaunchRequest): boolean {
  if (unavailable || callerExportsBashOwn || req.argv.length === 0 || (req.cwd ?? '').includes('\0')) return false;
  for (const a of req.argv) if (a.includes('\0')) return false;
  for (const k in req.env) {
    if (req.env[k]!.includes('\0')) return false;
    if (plainNames.has(k)) continue;
    if (!NAME.test(k) || BASH_OWN.test(k)) return false;
    plainNames.add(k);
  }
  return true;
}

/** Sends the job to a standby at once; its command starts at `release()`, or never if that is not called. */
export function launch(req: LaunchRequest, handlers: JobHandlers): { release(): void } {
  let launcher = idle.pop();
  while (launcher?.dead) launcher = idle.pop();
  return (launcher ?? new Launcher(req.argv[0]!, (l) => idle.push(l))).run(req, handlers);
}
