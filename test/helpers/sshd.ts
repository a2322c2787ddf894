/**
 * Real OpenSSH servers on loopback for the SSH tests: one `sshd -D` per address (127.0.0.2 ..
 * 127.0.0.5) on a free port, each with its own host key, a test user (made with useradd if
 * missing, unlocked for `UsePAM no`, empty shell rc files) and a test key; plus the client side:
 * an ssh_config naming the hosts web1..web4 and a known_hosts holding their keys. Needs root.
 * Start it once per test file and stop it at the end (stop kills each server's sessions too).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir, waitFor } from './cli.js';
import { firstExisting, isRoot } from './servers.js';

/** The user steps run as on the hosts (no sudo), and one with passwordless sudo. */
export const SSH_USER = 'rb-ssh';
export const SUDO_USER = 'rb-sudo';

const SSHD = firstExisting('/usr/sbin/sshd', '/usr/bin/sshd');

/** Why the SSH tests cannot run here, or undefined. */
export const sshdMissing: string | undefined = !isRoot ? 'needs root (sshd, useradd)' : !SSHD ? 'no sshd (openssh-server)' : !firstExisting('/usr/bin/ssh') ? 'no ssh (openssh-client)' : undefined;

export interface TestHost {
  /** web1 .. web4: the Host alias in the ssh_config. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly hostKey: string;
}

export interface Sshd {
  readonly dir: string;
  readonly hosts: readonly TestHost[];
  /** The client's ssh_config (Host aliases web1..web4, the test key, the test user). */
  readonly config: string;
  readonly knownHosts: string;
  /** `ssh:` and `hosts:` YAML for a runbook in `dir` (user: the login user). */
  runbookHead(opts?: { user?: string; knownHosts?: string; extra?: string }): string;
  /** Kills one server and its sessions (the host is lost to ssh). */
  down(name: string): Promise<void>;
  /** Starts it again, same port and key. */
  up(name: string): Promise<void>;
  /** Stops every server (and its sessions) and removes the directory. */
  stop(): Promise<void>;
}

function ensureUser(user: string, sudo: boolean): void {
  try {
    execFileSync('id', [user], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('useradd', ['-m', '-s', '/bin/bash', user], { stdio: 'ignore' });
    } catch {
      execFileSync('id', [user], { stdio: 'ignore' }); // made by a file that raced us
    }
  }
  execFileSync('usermod', ['-p', '*', user], { stdio: 'ignore' });
  const home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5]!;
  for (const rc of ['.bashrc', '.profile', '.bash_profile', '.bash_logout']) writeFileSync(join(home, rc), '');
  if (sudo) {
    mkdirSync('/etc/sudoers.d', { recursive: true });
    writeFileSync(`/etc/sudoers.d/${user}`, `${user} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  }
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, address, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Pids of `pid`'s descendants (its sessions), from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) out.push(c), walk(c);
  };
  walk(pid);
  return out;
}

function isSshd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sshd';
  } catch {
    return false;
  }
}

/** A tag for a command line no other test (or earlier run) has, to find its processes on the host. */
export function uniqueTag(): string {
  return `${Date.now() % 100000}.${process.pid}`;
}

export async function startSshd(count = 4): Promise<Sshd> {
  const dir = tempDir('rb-sshd-');
  chmodSync(dir, 0o755);
  mkdirSync('/run/sshd', { recursive: true });
  ensureUser(SSH_USER, false);
  ensureUser(SUDO_USER, true);
  const key = join(dir, 'id_test');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const auth = join(dir, 'authorized_keys');
  writeFileSync(auth, readFileSync(`${key}.pub`));
  chmodSync(auth, 0o644);

  const hosts: TestHost[] = [];
  const servers = new Map<string, { proc: ChildProcess; configFile: string }>();
  for (let i = 0; i < count; i++) {
    const name = `web${i + 1}`;
    const address = `127.0.0.${i + 2}`;
    const port = await freePort(address);
    const hk = join(dir, `host_${name}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hk]);
    const configFile = join(dir, `sshd_${name}.conf`);
    writeFileSync(
      configFile,
      [
        `ListenAddress ${address}`,
        `Port ${port}`,
        `HostKey ${hk}`,
        `PidFile none`,
        `UsePAM no`,
        `AuthorizedKeysFile ${auth}`,
        `StrictModes no`,
        `PasswordAuthentication no`,
        `KbdInteractiveAuthentication no`,
        `PubkeyAuthentication yes`,
        `AllowUsers ${SSH_USER} ${SUDO_USER}`,
        `MaxStartups 100:30:200`,
        `LogLevel ERROR`,
        '',
      ].join('\n'),
    );
    hosts.push({ name, address, port, hostKey: readFileSync(`${hk}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') });
    servers.set(name, { proc: undefined as unknown as ChildProcess, configFile });
  }

  const up = async (name: string) => {
    const s = servers.get(name)!;
    const h = hosts.find((x) => x.name === name)!;
    s.proc = spawn(SSHD!, ['-D', '-e', '-f', s.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    s.proc.stderr?.resume();
    await waitFor(() => {
      try {
        execFileSync('ssh-keyscan', ['-T', '1', '-p', String(h.port), h.address], { stdio: 'ignore', timeout: 2000 });
        return true;
      } catch {
        return s.proc.exitCode !== null
          ? (() => {
              throw new Error(`sshd for ${name} exited`);
            })()
          : false;
      }
    }, 15_000);
  };
  const down = async (name: string) => {
    const s = servers.get(name)!;
    const pid = s.proc.pid!;
    // The servers and their sessions, not the shells they started: those see their connection end.
    for (const p of [pid, ...descendants(pid).filter(isSshd)]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (s.proc.exitCode === null && s.proc.signalCode === null) await new Promise((r) => s.proc.once('exit', r));
  };
  for (const h of hosts) await up(h.name);

  const config = join(dir, 'ssh_config');
  writeFileSync(
    config,
    [...hosts.flatMap((h) => [`Host ${h.name}`, `  HostName ${h.address}`, `  Port ${h.port}`]), 'Host *', `  IdentityFile ${key}`, '  IdentitiesOnly yes', `  User ${SSH_USER}`, ''].join('\n'),
  );
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`).join(''));

  return {
    dir,
    hosts,
    config,
    knownHosts,
    runbookHead(opts = {}) {
      const user = opts.user ? `, user: ${opts.user}` : '';
      return ['ssh:', `  config: ${config}`, `  known_hosts: ${opts.knownHosts ?? knownHosts}`, 'hosts:', ...hosts.map((h) => `  ${h.name}: { address: ${h.name}${user} }`), opts.extra ?? ''].join(
        '\n',
      );
    },
    down,
    up,
    async stop() {
      for (const h of hosts) if (existsSync(servers.get(h.name)!.configFile)) await down(h.name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
