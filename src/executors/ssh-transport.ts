/**
 * Processes on a host, through the OpenSSH client (`ssh`, the operator's own, with its config,
 * agent and known_hosts): one `ssh` per process, its remote command the fixed loader of
 * ./ssh-bootstrap.ts, the command, its environment and its outputs on stdin and stdout. A run
 * keeps one master connection per host (./ssh-master.ts); at most MAX_SESSIONS sessions share
 * it at once (sshd's default MaxSessions).
 *
 * The local `ssh` is started in a process group of its own: Ctrl-C at the terminal reaches the
 * CLI, which stops the step with a control line (TERM, then KILL), not by killing ssh. When the
 * CLI dies, ssh's stdin closes and the host kills the step's group.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { SshConfig, SshHost } from './ssh-args.js';
import { sshArgs } from './ssh-args.js';
import { encodeFrame, type Frame, LOADER, type Started, StderrFrames, StdoutFrames, SUDO_LOADER, type Trailer } from './ssh-bootstrap.js';
import type { Exit, ProcessHandle, StreamName, Transport } from './transport.js';

/** sshd's default MaxSessions: more sessions than this on one master are refused. */
export const MAX_SESSIONS = 10;

/** Counts sessions per host: a parallel batch waits for a free one. */
class Slots {
  private used = 0;
  private readonly queue: (() => void)[] = [];

  async take(): Promise<() => void> {
    if (this.used >= MAX_SESSIONS) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.used++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.queue.shift();
      if (next) next();
      else this.used--;
    };
  }
}

export interface SshTarget {
  readonly host: SshHost;
  readonly ssh: SshConfig;
  readonly controlDir: string;
}

const slots = new Map<string, Slots>();

/** The transport that runs processes on one host (as root through `sudo -n` when `become`). */
export function sshTransport(target: SshTarget, become: boolean): Transport {
  const key = `${target.controlDir}\0${target.host.name}`;
  const hostSlots = slots.get(key) ?? slots.set(key, new Slots()).get(key)!;
  return {
    async start(req, onOutput): Promise<ProcessHandle> {
      const release = await hostSlots.take();
      return startSession(target, become, { nonce: randomBytes(16).toString('hex'), cwd: req.cwd, argv: req.argv, env: req.env }, onOutput, release, req.signal);
    },
  };
}

function startSession(
  t: SshTarget,
  become: boolean,
  frame: Frame,
  onOutput: (stream: StreamName, chunk: Buffer) => void,
  release: () => void,
  signal: AbortSignal | undefined,
): Promise<ProcessHandle> {
  const name = t.host.name;
  let input: string;
  try {
    input = encodeFrame(frame);
  } catch (err) {
    release();
    return Promise.resolve(failed(`could not start on ${name}: ${(err as Error).message}`));
  }
  // The local environment only: the step's (and its secrets) travel in the frame.
  const child = spawn('ssh', sshArgs(t.host, t.ssh, t.controlDir, become ? SUDO_LOADER : LOADER), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const stdin = child.stdin!;
  stdin.on('error', () => {});
  stdin.write(input);

  let started: Started | undefined;
  let markStarted: (s: Started | undefined) => void = () => {};
  const startKnown = new Promise<Started | undefined>((resolve) => (markStarted = resolve));
  const out = new StdoutFrames(
    frame.nonce,
    (s) => markStarted((started = s)),
    (chunk) => onOutput('stdout', chunk),
  );
  const err = new StderrFrames(frame.nonce, (chunk) => onOutput('stderr', chunk));
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));

  // Interrupted while it connects: nothing has started on the host yet (or, if it just has, the
  // closed session stops it there).
  const giveUp = () => {
    if (!started) child.kill('SIGTERM');
  };
  signal?.addEventListener('abort', giveUp, { once: true });
  const ended = new Promise<Exit>((resolve) => {
    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = `could not start ssh: ${e.message}`;
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', giveUp);
      release();
      stdin.destroy();
      out.flush();
      markStarted(undefined);
      resolve(exitOf(name, out.trailer, started !== undefined, code, spawnError ?? err.before));
    });
  });

  return startKnown.then((s) => ({
    identity: s && { host: name, remote: true, become: become || undefined, bootId: s.bootId, pgid: s.pgid, startTime: s.startTime },
    wait: () => ended,
    signal(sig) {
      if (!stdin.writable) return;
      stdin.write(`${sig.replace(/^SIG/, '')}\n`);
      // Nothing left to stop once the group is killed: closing stdin also kills it on the host.
      if (sig === 'SIGKILL') stdin.end();
    },
  }));
}

function exitOf(name: string, trailer: Trailer | undefined, started: boolean, sshCode: number | null, said: string): Exit {
  if (trailer?.kind === 'end') return { code: trailer.code, outputs: trailer.outputs };
  if (trailer?.kind === 'error') return { error: `could not start on ${name}: ${trailer.message}` };
  const why = said || `ssh exited with ${sshCode ?? 'a signal'}`;
  // In doubt: the step may have run (or be running). Nothing ran when ssh itself failed to connect (255), but resume decides either way.
  if (sshCode === 255 || started) return { unreachable: true, error: `${name} unreachable: ${why}` };
  return { error: `could not start on ${name}: ${why}` };
}

function failed(error: string): ProcessHandle {
  return { identity: undefined, wait: () => Promise.resolve({ error }), signal() {} };
}
