/**
 * Processes on a host, through the OpenSSH client (`ssh`, the operator's own, with its config,
 * agent and known_hosts). A run keeps one master connection per host (./ssh-master.ts) and, on
 * it, sessions that serve one step after another (./ssh-session.ts): a step takes an idle
 * session of its kind (as the login user, or through `sudo -n` for `become`), or opens one. At
 * most MAX_SESSIONS are open on a host at once (sshd's default MaxSessions), idle ones included:
 * a step that finds none free waits, and an idle session of the other kind is closed to make room.
 */
import { randomBytes } from 'node:crypto';
import { encodeFrame } from './ssh-bootstrap.js';
import { SshSession, type SshTarget } from './ssh-session.js';
import type { ProcessHandle, Transport } from './transport.js';

export type { SshTarget } from './ssh-session.js';

/** sshd's default MaxSessions: more sessions than this on one master are refused. */
export const MAX_SESSIONS = 10;

/** How long the run's end waits for its sessions to close. */
/** How long a session or a master gets to end by itself at the run's end before it is killed. */
export const CLOSE_TIMEOUT_MS = 5_000;

/** The sessions of one host. */
export class HostSessions {
  private readonly idle: SshSession[] = [];
  private readonly all = new Set<SshSession>();
  private readonly waiting: { become: boolean; give: (s: SshSession) => void }[] = [];
  private ending = false;
  private readonly onEnd = new Map<SshSession, () => void>();

  constructor(private readonly target: SshTarget) {}

  get name(): string {
    return this.target.host.name;
  }

  /** A session for one step: idle, new, or (none free) the next one freed. */
  take(become: boolean): Promise<SshSession> {
    const i = this.idle.findIndex((s) => s.become === become);
    if (i >= 0) return Promise.resolve(this.idle.splice(i, 1)[0]!);
    if (this.all.size < MAX_SESSIONS) return Promise.resolve(this.openOne(become));
    this.idle.shift()?.close(); // of the other kind: its end makes room
    return new Promise((give) => this.waiting.push({ become, give }));
  }

  /** A step is done with `s`: to the next step that waits for one of its kind, or idle. */
  give(s: SshSession): void {
    if (!s.alive) return;
    const i = this.waiting.findIndex((w) => w.become === s.become);
    if (i >= 0) return this.waiting.splice(i, 1)[0]!.give(s);
    if (this.waiting.length > 0 || this.ending) return s.close();
    this.idle.push(s);
  }

  /** Ends every session (the run's end), waiting a little for them to go. */
  async close(): Promise<void> {
    this.ending = true;
    const left = [...this.all];
    for (const s of left) s.close();
    this.idle.length = 0;
    const gone = Promise.all(left.map((s) => new Promise<void>((resolve) => (s.alive ? this.onEnd.set(s, resolve) : resolve()))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS).unref()))]);
    clearTimeout(timer);
    for (const s of this.all) s.kill();
  }

  private openOne(become: boolean): SshSession {
    const s = new SshSession(this.target, become, (gone) => this.gone(gone));
    this.all.add(s);
    return s;
  }

  private gone(s: SshSession): void {
    this.all.delete(s);
    const i = this.idle.indexOf(s);
    if (i >= 0) this.idle.splice(i, 1);
    this.onEnd.get(s)?.();
    this.onEnd.delete(s);
    const w = this.ending ? undefined : this.waiting.shift();
    if (w) w.give(this.openOne(w.become));
  }
}

/** The transport that runs processes on one host (as root through `sudo -n` when `become`). */
export function sshTransport(sessions: HostSessions, become: boolean): Transport {
  return {
    async start(req, onOutput): Promise<ProcessHandle> {
      const nonce = randomBytes(16).toString('hex');
      let frame: string;
      try {
        frame = encodeFrame({ nonce, cwd: req.cwd, argv: req.argv, env: req.env });
      } catch (err) {
        return failed(`could not start on ${sessions.name}: ${(err as Error).message}`);
      }
      const session = await sessions.take(become);
      return session.run(nonce, frame, onOutput, req.signal, () => sessions.give(session));
    },
  };
}

function failed(error: string): ProcessHandle {
  return { identity: undefined, wait: () => Promise.resolve({ error }), signal() {} };
}
