// A real PostgreSQL server for tests and benchmarks: initdb into a temp dir as the unprivileged
// `postgres` user (initdb refuses root), started on 127.0.0.1 on a free port with its socket
// in that dir, stopped (and restarted, for fault tests) on demand. Password auth (scram), so
// that the password's handling is tested too. Plain JS so that bench/ can use it as is.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PASSWORD = 'pg-secret-Xq7v';

/** The directory of initdb and postgres, or undefined. */
export function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((b) => existsSync(join(b, 'initdb')));
}

function ids(user) {
  try {
    return { uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' })) };
  } catch {
    return undefined;
  }
}

/** Why a server cannot be started here, or undefined. */
export function postgresMissing() {
  if (!postgresBin()) return 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb)';
  if (process.getuid?.() !== 0 && !process.env.RUNBOOK_PG_AS_ME) return 'not root: cannot run initdb as the postgres user';
  if (process.getuid?.() === 0 && !ids('postgres')) return 'no postgres user';
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startPostgres({ fsync = false } = {}) {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'runbook-pg-'));
  const owner = process.getuid?.() === 0 ? ids('postgres') : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PASSWORD}\n`);
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8'], { ...(owner ?? {}), stdio: 'pipe', cwd: dir });
  const port = await freePort();
  const server = {
    dir,
    port,
    url: (db = 'postgres') => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${db}`,
    /** Without the password: for PGPASSWORD. */
    bareUrl: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    child: undefined,
    async start() {
      const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', `fsync=${fsync ? 'on' : 'off'}`, '-c', 'synchronous_commit=on', '-c', 'max_connections=200'];
      const child = spawn(join(bin, 'postgres'), args, { ...(owner ?? {}), stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
      let log = '';
      child.stderr.on('data', (d) => (log += d));
      server.child = child;
      for (const until = Date.now() + 30_000; ; ) {
        if (child.exitCode !== null) throw new Error(`postgres exited: ${log}`);
        try {
          const c = new pg.Client({ connectionString: server.url() });
          await c.connect();
          await c.end();
          return;
        } catch (err) {
          if (Date.now() > until) throw new Error(`postgres did not start: ${err}\n${log}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    /** Fast shutdown (SIGINT), waited for. */
    async stop() {
      const child = server.child;
      if (!child || child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await gone;
      server.child = undefined;
    },
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: server.url() });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return server.url(name);
    },
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
