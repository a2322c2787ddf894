/**
 * One SSH session on a host, kept open between steps: one local `ssh` (through the run's master
 * connection) running the fixed loader of ./ssh-bootstrap.ts, which serves one step at a time.
 * The first step pays for the session (the ssh client, sshd's session, the login shell, the
 * stage); the next ones only write their frame and read their output.
 *
 * The local `ssh` is started in a process group of its own: Ctrl-C at the terminal reaches the
 * CLI, which stops the step with a control line (TERM, then KILL), not by killing ssh. When the
 * CLI dies, ssh's stdin closes and the host kills the step's group and ends the session.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { SshConfig, SshHost } from './ssh-args.js';
import { sshArgs } from './ssh-args.js';
import { encodeSession, LOADER, type Started, StderrFrames, StdoutFrames, SUDO_LOADER, type Trailer } from './ssh-bootstrap.js';
import type { Exit, ProcessHandle, StreamName } from './transport.js';

export interface SshTarget {
  readonly host: SshHost;
  readonly ssh: SshConfig;
  readonly controlDir: string;
}

interface Step {
  readonly out: StdoutFrames;
  readonly err: StderrFrames;
  started: Started | undefined;
  /** The step's end (or the session's, first): once. */
  finish(exit: Exit): void;
}

export class SshSession {
  private readonly child: ChildProcess;
  private step: Step | undefined;
  private closed = false;

  constructor(
    private readonly t: SshTarget,
    readonly become: boolean,
    /** The session ended (its ssh exited): it serves no more steps. */
    private readonly onGone: (s: SshSession) => void,
  ) {
    // The local environment only: the step's (and its secrets) travel in the frame.
    this.child = spawn('ssh', sshArgs(t.host, t.ssh, t.controlDir, become ? SUDO_LOADER : LOADER), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const { stdin, stdout, stderr } = this.child;
    stdin!.on('error', () => {});
    stdin!.write(encodeSession(randomBytes(16).toString('hex')));
    stdout!.on('data', (chunk: Buffer) => this.onStdout(chunk));
    stderr!.on('data', (chunk: Buffer) => this.onStderr(chunk));
    let spawnError: string | undefined;
    this.child.on('error', (e) => {
      spawnError = `could not start ssh: ${e.message}`;
    });
    this.child.on('close', (code) => {
      this.closed = true;
      stdin!.destroy();
      const s = this.step;
      if (s) {
        s.out.flush();
        s.err.flush();
        s.finish(exitOf(t.host.name, s.out.trailer, s.started !== undefined, code, spawnError ?? s.err.said));
      }
      this.onGone(this);
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  /**
   * Runs one step: `frame` is its encoded frame; the handle comes once it started on the host (or
   * could not). `done` is called when the session is free again (the step's end frames read).
   */
  run(nonce: string, frame: string, onOutput: (stream: StreamName, chunk: Buffer) => void, signal: AbortSignal | undefined, done: () => void): Promise<ProcessHandle> {
    const { stdin } = this.child;
    let markStarted: (s: Started | undefined) => void = () => {};
    const startKnown = new Promise<Started | undefined>((resolve) => (markStarted = resolve));
    let resolveEnd: (e: Exit) => void = () => {};
    const ended = new Promise<Exit>((resolve) => (resolveEnd = resolve));
    // Interrupted while it waits for the host: nothing has started there yet (or, if it just
    // has, the closed session stops it there).
    const giveUp = () => {
      if (!step.started) this.child.kill('SIGTERM');
    };
    let over = false;
    const step: Step = {
      started: undefined,
      out: new StdoutFrames(
        nonce,
        (s) => markStarted((step.started = s)),
        (chunk) => onOutput('stdout', chunk),
      ),
      err: new StderrFrames(nonce, (chunk) => onOutput('stderr', chunk)),
      finish: (exit) => {
        if (over) return;
        over = true;
        signal?.removeEventListener('abort', giveUp);
        this.step = undefined;
        this.idle(true);
        markStarted(undefined);
        resolveEnd(exit);
        if (!this.closed) done();
      },
    };
    this.step = step;
    this.idle(false);
    signal?.addEventListener('abort', giveUp, { once: true });
    if (signal?.aborted) giveUp();
    stdin!.write(frame);
    const name = this.t.host.name;
    const become = this.become;
    return startKnown.then((s) => ({
      identity: s && { host: name, remote: true, become: become || undefined, bootId: s.bootId, pgid: s.pgid, startTime: s.startTime },
      wait: () => ended,
      signal: (sig) => {
        // Only while this step runs: the session may serve another one by now.
        if (over || !stdin!.writable) return;
        stdin!.write(`${sig.replace(/^SIG/, '')}\n`);
      },
    }));
  }

  /** Ends the session: the host's stage sees its stdin close and exits (killing a step still running). */
  close(): void {
    this.idle(false); // the run's end waits for it
    this.child.stdin!.end();
  }

  /** Kills the local ssh (the session is of no more use). */
  kill(): void {
    this.child.kill('SIGTERM');
  }

  private onStdout(chunk: Buffer): void {
    const s = this.step;
    if (!s) return; // between steps: nothing of a step (its group is gone)
    s.out.push(chunk);
    this.check(s);
  }

  private onStderr(chunk: Buffer): void {
    const s = this.step;
    if (!s) return;
    s.err.push(chunk);
    this.check(s);
  }

  private check(s: Step): void {
    const t = s.out.trailer;
    if (t?.kind === 'error') s.finish({ error: `could not start on ${this.t.host.name}: ${t.message}` });
    else if (t?.kind === 'end' && s.err.ended) s.finish({ code: t.code, outputs: t.outputs });
  }

  /** An idle session does not keep the CLI alive (the run's end closes it anyway). */
  private idle(yes: boolean): void {
    const { stdin, stdout, stderr } = this.child;
    for (const h of [this.child, stdin, stdout, stderr] as { ref?: () => void; unref?: () => void }[]) {
      if (yes) h.unref?.();
      else h.ref?.();
    }
  }
}

function exitOf(name: string, trailer: Trailer | undefined, started: boolean, sshCode: number | null, said: string): Exit {
  if (trailer?.kind === 'end') return { code: trailer.code, outputs: trailer.outputs };
  if (trailer?.kind === 'error') return { error: `could not start on ${name}: ${trailer.message}` };
  const why = said || `ssh exited with ${sshCode ?? 'a signal'}`;
  // In doubt: the step may have run (or be running). Nothing ran when ssh itself failed to connect (255), but resume decides either way.
  if (sshCode === 255 || started) return { unreachable: true, error: `${name} unreachable: ${why}` };
  return { error: `could not start on ${name}: ${why}` };
}
