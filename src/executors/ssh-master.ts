/**
 * A run's hosts: where their master connections live (a 0700 directory under /tmp with a short
 * name: a socket path must fit in 108 bytes), a transport per host, a quick command on a host
 * (the preflight, a resume's question whether a step still runs there), and the end of the
 * sessions and masters when the run ends (`ssh -O exit`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { exitMasterArgs, type SshConfig, type SshHost } from './ssh-args.js';
import { CLOSE_TIMEOUT_MS, HostSessions, sshTransport } from './ssh-transport.js';
import type { Exit, Transport } from './transport.js';

export interface HostRun {
  readonly exit: Exit;
  readonly stdout: string;
  readonly stderr: string;
}

export class SshHosts {
  private readonly controlDir = mkdtempSync('/tmp/rb-');
  private readonly used = new Map<string, HostSessions>();

  constructor(
    private readonly hosts: Readonly<Record<string, SshHost>>,
    private readonly ssh: SshConfig,
  ) {}

  has(name: string): boolean {
    return Object.hasOwn(this.hosts, name);
  }

  transport(name: string, become: boolean): Transport {
    const host = this.hosts[name];
    if (!host) throw new Error(`no host ${name}`);
    let sessions = this.used.get(name);
    if (!sessions) this.used.set(name, (sessions = new HostSessions({ host, ssh: this.ssh, controlDir: this.controlDir })));
    return sshTransport(sessions, become);
  }

  /** Runs `argv` on a host, output collected (small commands only), bounded by `timeoutMs`. */
  async run(name: string, argv: readonly string[], become: boolean, timeoutMs = 30_000): Promise<HostRun> {
    let stdout = '';
    let stderr = '';
    const proc = await this.transport(name, become).start({ argv, env: {}, cwd: undefined }, (stream, chunk) => {
      if (stream === 'stdout') stdout += chunk.toString('utf8');
      else stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => proc.signal('SIGKILL'), timeoutMs).unref();
    const exit = await proc.wait();
    clearTimeout(timer);
    return { exit, stdout, stderr };
  }

  /** Ends every session and master this run opened, and removes their directory. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.used].map(async ([name, sessions]) => {
        await sessions.close();
        await this.exitMaster(this.hosts[name]!);
      }),
    );
    rmSync(this.controlDir, { recursive: true, force: true });
  }

  private exitMaster(host: SshHost): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn('ssh', exitMasterArgs(host, this.ssh, this.controlDir), { stdio: 'ignore', detached: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS).unref();
      child.on('error', () => resolve());
      child.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
