/**
 * Team state on a real PostgreSQL server: two machines (CLIs under `unshare --uts` with their
 * own hostnames) on one database, with kills, pauses, a lock race, the database going away, a
 * live watcher, capped logs, import, and random kills. RUNBOOK_LEASE is 2 s to keep it quick.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { killTrial, wholeRunMs } from '../bench/kill-trial.mjs';
import { CLI, type CliResult, cliEnv, collect, runCli, tempDir, waitFor } from './helpers/cli.js';
import { PASSWORD, pgMissing, usePostgres } from './helpers/postgres.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';
import { describeWith } from './helpers/servers.js';

const unshare = spawnSync('unshare', ['--uts', 'true']).status === 0 ? undefined : 'unshare --uts does not work here (needs root)';
const missing = pgMissing ?? unshare;

const ENV = { RUNBOOK_LEASE: '2s', RUNBOOK_KILL_GRACE_MS: '1000', PGPASSWORD: undefined, RUNBOOK_STATE: undefined, RUNBOOK_STATE_DIR: undefined };

/** The CLI as if on machine `host`: its own hostname in a UTS namespace. */
function startOn(host: string, args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn('unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', host, process.execPath, CLI, ...args], {
    cwd,
    env: cliEnv({ ...ENV, ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function on(host: string, args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return collect(startOn(host, args, cwd, env), { timeoutMs });
}

/** A child's output as it comes, and its end. */
function follow(child: ChildProcess, timeoutMs = 60_000) {
  const out = { text: '' };
  child.stdout?.on('data', (d: Buffer) => (out.text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out.text += d.toString()));
  const done = collect(child, { timeoutMs });
  return { out, done };
}

const traceOf = (dir: string) => (existsSync(join(dir, 'trace')) ? readFileSync(join(dir, 'trace'), 'utf8').split('\n').filter(Boolean) : []);
const count = (list: readonly string[], item: string) => list.filter((x) => x === item).length;
const noPassword = (...texts: string[]) => {
  for (const t of texts) expect(t).not.toContain(PASSWORD);
};

async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describeWith(missing, 'team state on PostgreSQL', () => {
  const db = usePostgres();

  /** Machine A starts a run on a new database, and its first step `one` has written its trace. */
  async function startA(steps: string, env: Record<string, string> = {}) {
    const dir = tempDir();
    const url = await db.db();
    const a = startOn('host-a', ['exec', writeRunbook(dir, steps), '--state', url], dir, env);
    children.push(a);
    const A = follow(a);
    await waitFor(() => traceOf(dir).includes('one'), 30_000);
    return { dir, url, a, A };
  }

  /** `args` on machine `host` once the lease has lapsed (tried until it is no longer "locked"). */
  async function whenLapsed(host: string, args: readonly string[], dir: string): Promise<CliResult> {
    for (const until = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 300))) {
      const r = await on(host, args, dir);
      if (!/locked by/.test(r.stderr) || Date.now() > until) return r;
    }
  }

  it('A killed -9 mid-step, resumed on B: refused while the lease is live, the in-flight step asked about, done steps not re-run', async () => {
    const dir = tempDir();
    const url = await db.db();
    const rb = writeRunbook(dir, `steps:\n  - { id: one, run: 'echo one >> trace' }\n  - { id: two, run: 'echo two >> trace; sleep 30' }\n  - { id: three, run: 'echo three >> trace' }\n`);
    const a = startOn('host-a', ['exec', rb, '--state', url], dir);
    children.push(a);
    const A = follow(a);
    await waitFor(() => traceOf(dir).includes('two'), 30_000);
    a.kill('SIGKILL');
    await A.done;
    const early = await on('host-b', ['resume', '--state', url], dir);
    expect(early.code, early.stderr).toBe(5);
    expect(early.stderr).toMatch(/locked by run t-.* on host-a, started .*, last seen/);
    // Once the lease has lapsed, B takes over and is asked about the step in flight.
    const asked = await whenLapsed('host-b', ['resume', '--state', url], dir);
    expect(asked.code, asked.stderr).toBe(5);
    expect(asked.stderr).toMatch(/step two was running when the run stopped and is not idempotent: did it take effect\? Resume with --rerun-in-flight/);
    // `runs` reads the summary kept in the run's row: it says what the journal says.
    const listed = async () => JSON.parse((await on('host-c', ['runs', '--state', url, '--format', 'json'], dir)).stdout)[0];
    expect(await listed()).toMatchObject({ state: 'interrupted', done: 1, failed: 0, records: expect.any(Number), inFlight: { key: 'two', stepId: 'two' } });
    const resumed = await on('host-b', ['resume', '--state', url, '--skip-in-flight'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(traceOf(dir)).toEqual(['one', 'two', 'three']);
    const status = JSON.parse((await on('host-c', ['status', '--state', url, '--format', 'json'], dir)).stdout);
    expect(await listed()).toEqual({ ...status, resume: undefined });
    expect(status).toMatchObject({ state: 'succeeded', done: 3, resumes: 1, inFlightAll: [] });
    noPassword(A.out.text, early.stderr, asked.stderr, resumed.stdout, resumed.stderr);
    const hosts = await sql<{ host: string }>(url, "SELECT body::json->>'host' AS host FROM runbook_journal WHERE type IN ('run_started', 'run_resumed') ORDER BY n");
    expect(hosts.map((h) => h.host)).toEqual(['host-a', 'host-b']);
  }, 90_000);

  it('A paused (SIGSTOP) past its lease: B takes over naming A; A continued starts nothing and says why', async () => {
    const { dir, url, a, A } = await startA(`steps:\n  - { id: one, run: 'echo one >> trace; sleep 3', idempotent: true }\n  - { id: two, run: 'echo two >> trace' }\n`);
    a.kill('SIGSTOP');
    const b = await whenLapsed('host-b', ['resume', '--state', url], dir);
    expect(b.code, b.stderr).toBe(0);
    expect(`${b.stdout}${b.stderr}`).toMatch(/took over the lapsed lease of run t-.* on host-a, .*last seen/);
    a.kill('SIGCONT');
    const endA = await A.done;
    expect(endA.code, A.out.text).toBe(130);
    expect(A.out.text).toMatch(/the lease of t (was taken over by run t-.* on host-b|has not been confirmed by the database .* this process was paused)/);
    expect(A.out.text).not.toMatch(/two/);
    expect(count(traceOf(dir), 'two')).toBe(1);
    const started = await sql<{ n: string }>(url, "SELECT count(*) AS n FROM runbook_journal WHERE type = 'step_started' AND key = 'two'");
    expect(Number(started[0]!.n)).toBe(1);
    noPassword(A.out.text, b.stdout, b.stderr);
  }, 90_000);

  it('A paused right after a started record, past its lease: B takes over; A continued does not start the step', async () => {
    const dir = tempDir();
    const url = await db.db();
    const rb = writeRunbook(dir, `steps:\n  - { id: one, run: 'echo one >> trace' }\n  - { id: two, run: 'echo two >> trace', idempotent: true }\n`);
    // The second started record (two's) committed, then A stops as a paused machine would.
    const a = startOn('host-a', ['exec', rb, '--state', url], dir, { RUNBOOK_FAILPOINT: 'after-started:2:stop' });
    children.push(a);
    const A = follow(a);
    await waitFor(() => /^\d+ \(\S+\) T /.test(readFileSync(`/proc/${a.pid}/stat`, 'utf8')), 30_000);
    const b = await whenLapsed('host-b', ['resume', '--state', url], dir);
    expect(b.code, b.stderr).toBe(0);
    expect(traceOf(dir)).toEqual(['one', 'two']);
    a.kill('SIGCONT');
    const endA = await A.done;
    expect(endA.code, A.out.text).toBe(130);
    expect(A.out.text).toMatch(/the lease of t has not been confirmed by the database .* this process was paused/);
    expect(traceOf(dir)).toEqual(['one', 'two']);
  }, 90_000);

  it('20 processes racing for one lock: exactly one wins, the others are refused (exit 5) naming it', async () => {
    const dir = tempDir();
    const url = await db.db(); // empty: the racers also race to make the schema
    const rb = writeRunbook(dir, `steps:\n  - { id: hold, run: 'while [ ! -e go ]; do sleep 0.1; done' }\n`);
    const racers = Array.from({ length: 20 }, () => {
      const c = startOn('host-a', ['exec', rb, '--state', url], dir);
      children.push(c);
      return collect(c, { timeoutMs: 90_000 });
    });
    const settled: CliResult[] = [];
    for (const r of racers) void r.then((x) => settled.push(x));
    await waitFor(() => settled.length === 19, 80_000);
    writeFileSync(join(dir, 'go'), '');
    const all = await Promise.all(racers);
    expect(all.filter((r) => r.code === 0)).toHaveLength(1);
    const losers = all.filter((r) => r.code !== 0);
    expect(
      losers.every((r) => r.code === 5 && /t is locked by run t-/.test(r.stderr)),
      losers.map((r) => r.stderr).join('\n'),
    ).toBe(true);
    expect(await sql(url, 'SELECT run_id FROM runbook_runs')).toHaveLength(1);
  }, 120_000);

  it('the database stopped mid-step: the step is stopped and the run with it (130, naming the database); resumed once it is back', async () => {
    const { dir, url, A } = await startA(`steps:\n  - { id: one, run: 'echo one >> trace; [ -e once ] || { touch once; sleep 20; }', idempotent: true }\n  - { id: two, run: 'echo two >> trace' }\n`);
    const t0 = Date.now();
    await db.server().stop();
    let end: CliResult;
    try {
      end = await A.done;
    } finally {
      await db.server().start();
    }
    expect(end.code, A.out.text).toBe(130);
    expect(Date.now() - t0).toBeLessThan(15_000); // not the step's 20 s
    expect(A.out.text).toMatch(/the database postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+ (is unreachable|for \d+ s \(the lease is 2 s; the database was unreachable)/);
    expect(A.out.text).toMatch(/Resume with: runbook resume t-\S+ --state postgres:\/\/postgres@127/);
    const resumed = await on('host-a', ['resume', '--state', url], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(traceOf(dir)).toEqual(['one', 'one', 'two']);
    noPassword(A.out.text, resumed.stdout, resumed.stderr);
  }, 90_000);

  it('the database away while a step runs and back before the lease could lapse: the end record is retried and the run goes on', async () => {
    const { dir, url, A } = await startA(`steps:\n  - { id: one, run: 'echo one >> trace; sleep 1' }\n  - { id: two, run: 'echo two >> trace' }\n`, { RUNBOOK_LEASE: '12s' });
    await db.server().stop();
    await new Promise((r) => setTimeout(r, 2000)); // the step ends meanwhile
    await db.server().start();
    const end = await A.done;
    expect(end.code, A.out.text).toBe(0);
    expect(traceOf(dir)).toEqual(['one', 'two']);
    const finished = await sql<{ key: string }>(url, "SELECT key FROM runbook_journal WHERE type = 'step_finished' ORDER BY n");
    expect(finished.map((f) => f.key)).toEqual(['one', 'two']);
  }, 90_000);

  it('watch from a third machine sees every step and the output, and exits with the run’s exit code', async () => {
    const dir = tempDir();
    const url = await db.db();
    const rb = writeRunbook(
      dir,
      `steps:\n  - { id: one, run: 'echo first-out; while [ ! -e go ]; do sleep 0.1; done' }\n  - { id: two, run: 'for i in 1 2 3; do echo line-$i; sleep 0.2; done' }\n  - { id: three, run: 'exit 3' }\n`,
    );
    const a = startOn('host-a', ['exec', rb, '--state', url], dir);
    children.push(a);
    const A = follow(a);
    await waitFor(() => /one/.test(A.out.text), 30_000);
    const w = startOn('host-c', ['watch', '--state', url], dir);
    children.push(w);
    const W = follow(w);
    // The running step's output, live, before it ends.
    await waitFor(() => /one started.*\n {2}\| first-out\n/.test(W.out.text), 30_000);
    expect(W.out.text).not.toMatch(/one succeeded/);
    writeFileSync(join(dir, 'go'), '');
    const [ea, ew] = [await A.done, await W.done];
    expect(ea.code).toBe(4);
    expect(ew.code, W.out.text).toBe(4);
    for (const re of [
      /one started/,
      /first-out/,
      /one succeeded/,
      /two started/,
      /\| line-1\n {2}\| line-2\n {2}\| line-3/,
      /two succeeded \(exit 0\) {2}\[2\/3 done\]/,
      /three failed \(exit 3\)/,
      /run finished: aborted, exit 4/,
    ]) {
      expect(W.out.text).toMatch(re);
    }
    noPassword(W.out.text);
  }, 90_000);

  it('watch works on a directory state too', async () => {
    const dir = tempDir();
    const rb = writeRunbook(dir, `steps:\n  - { id: one, run: 'while [ ! -e go ]; do sleep 0.1; done; echo out-1' }\n  - { id: two, run: 'true' }\n`);
    const a = startOn('host-a', ['exec', rb, '--state-dir', 'st'], dir);
    children.push(a);
    const A = follow(a);
    await waitFor(() => /one/.test(A.out.text), 30_000);
    const w = follow(startOn('host-a', ['watch', '--state', 'st'], dir));
    await waitFor(() => /one started/.test(w.out.text), 30_000);
    writeFileSync(join(dir, 'go'), '');
    expect((await A.done).code).toBe(0);
    expect((await w.done).code, w.out.text).toBe(0);
    expect(w.out.text).toMatch(/\| out-1[\s\S]*two succeeded[\s\S]*run finished: succeeded, exit 0/);
  }, 60_000);

  it('a step log is capped in the database (RUNBOOK_LOG_CAP) with its tail kept; the full log stays on the machine', async () => {
    const dir = tempDir();
    const url = await db.db();
    const rb = writeRunbook(dir, `steps:\n  - { id: loud, run: 'seq 1 200000' }\n`);
    const r = await on('host-a', ['exec', rb, '--state', url, '--state-dir', 'local'], dir, { RUNBOOK_LOG_CAP: '64k' });
    expect(r.code, r.stderr).toBe(0);
    const { bytes } = (await sql<{ bytes: string }>(url, 'SELECT sum(length(data)) AS bytes FROM runbook_log_chunks'))[0]!;
    expect(Number(bytes)).toBeGreaterThan(0);
    expect(Number(bytes)).toBeLessThanOrEqual(64 * 1024);
    const full = spawnSync('seq', ['1', '200000'], { encoding: 'utf8', maxBuffer: 1 << 24 }).stdout;
    const { path, host } = (await sql<{ path: string; host: string }>(url, 'SELECT path, host FROM runbook_logs'))[0]!;
    expect(host).toBe('host-a');
    expect(statSync(path).size).toBe(full.length);
    const log = await runCli(['log', 't', 'loud', '--state', url], { cwd: dir, env: ENV });
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toMatch(/\[runbook: \d+ bytes of this log are not in the database .*; the whole log is in host-a:\//);
    expect(log.stdout).toMatch(/\n199999\n200000\n/);
    expect(log.stdout).not.toMatch(/\n1000\n/);
    const report = await runCli(['report', 't', '--state', url], { cwd: dir, env: ENV });
    expect(report.stdout).toMatch(/200000/);
  }, 60_000);

  it('a password in $RUNBOOK_STATE does not reach the steps’ environment', async () => {
    const dir = tempDir();
    const url = await db.db();
    const rb = writeRunbook(dir, `steps:\n  - { id: env, run: 'echo "state=$RUNBOOK_STATE"' }\n`);
    const r = await runCli(['exec', rb], { cwd: dir, env: { ...ENV, RUNBOOK_STATE: url } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/state=postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+\n/);
    const log = await runCli(['log', 't', '--state', url], { cwd: dir, env: ENV });
    expect(log.stdout).toMatch(/state=postgres:\/\/postgres@/);
    noPassword(r.stdout, r.stderr, log.stdout);
  });

  it('$PGPASSWORD does not reach the steps (nor the log in the database), and $RUNBOOK_STATE is redacted even when another state is named', async () => {
    const dir = tempDir();
    const url = await db.db();
    const bare = url.replace(`:${PASSWORD}@`, '@');
    const rb = writeRunbook(dir, `steps:\n  - { id: env, run: 'echo "pg=$PGPASSWORD state=$RUNBOOK_STATE"' }\n`);
    const r = await runCli(['exec', rb, '--state', bare], { cwd: dir, env: { ...ENV, PGPASSWORD: PASSWORD, RUNBOOK_STATE: url } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pg= state=postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+\n/);
    const log = await runCli(['log', 't', '--state', bare], { cwd: dir, env: { ...ENV, PGPASSWORD: PASSWORD } });
    expect(log.code, log.stderr).toBe(0);
    noPassword(r.stdout, r.stderr, log.stdout);
    const other = tempDir();
    const rb2 = writeRunbook(other, `steps:\n  - { id: env, run: 'echo "state=$RUNBOOK_STATE"' }\n`);
    const d = await runCli(['exec', rb2, '--state-dir', join(other, 's')], { cwd: other, env: { ...ENV, RUNBOOK_STATE: url } });
    expect(d.code, d.stderr).toBe(0);
    noPassword(d.stdout, d.stderr);
  });

  it('a database unreachable at start: exit 5, nothing run, the password never shown', async () => {
    const dir = tempDir();
    const rb = writeRunbook(dir, `steps:\n  - { id: one, run: 'echo one >> trace' }\n`);
    const r = await runCli(['exec', rb, '--state', `postgres://postgres:${PASSWORD}@127.0.0.1:1/none`], { cwd: dir, env: ENV });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^runbook: the database postgres:\/\/postgres@127\.0\.0\.1:1\/none is unreachable \(.*ECONNREFUSED.*\)\n$/);
    expect(traceOf(dir)).toEqual([]);
    noPassword(r.stdout, r.stderr);
  });

  it('a schema newer than the CLI is refused; the password may come from PGPASSWORD, and a hint never carries one', async () => {
    const dir = tempDir();
    const url = await db.db();
    const bare = url.replace(`:${PASSWORD}@`, '@');
    const rb = writeRunbook(dir, `steps:\n  - { id: one, run: 'kill -INT $PPID; sleep 5' }\n`);
    const r = await runCli(['exec', rb, '--state', bare], { cwd: dir, env: { ...ENV, PGPASSWORD: PASSWORD } });
    expect(r.code, r.stderr).toBe(130);
    expect(`${r.stdout}${r.stderr}`).toMatch(/Resume with: runbook resume t-\S+ --state postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+\n/);
    const status = await runCli(['status', '--state', url], { cwd: dir, env: ENV });
    expect(status.stdout).toMatch(/was interrupted[\s\S]*resume +runbook resume t-\S+ --state postgres:\/\/postgres@127/);
    noPassword(r.stdout, r.stderr, status.stdout, JSON.stringify(await sql(url, 'SELECT * FROM runbook_journal')));
    await sql(url, 'UPDATE runbook_schema SET version = 99');
    const newer = await runCli(['runs', '--state', url], { cwd: dir, env: ENV });
    expect(newer.code).toBe(5);
    expect(newer.stderr).toMatch(/runbook schema in postgres:\/\/postgres@.* is version 99, newer than this runbook CLI knows \(2\): upgrade runbook/);
  }, 60_000);

  it('--force-unlock of a live lease is journaled, and fences the old holder', async () => {
    const { dir, url, A } = await startA(`steps:\n  - { id: one, run: 'echo one >> trace; sleep 2', idempotent: true }\n  - { id: two, run: 'echo two >> trace' }\n`, { RUNBOOK_LEASE: '30s' });
    const refusedB = await on('host-b', ['resume', '--state', url], dir);
    expect(refusedB.code).toBe(5);
    const b = await on('host-b', ['resume', '--state', url, '--force-unlock', 't'], dir);
    expect(b.code, b.stderr).toBe(0);
    const end = await A.done;
    expect(end.code, A.out.text).toBe(130);
    expect(A.out.text).toMatch(/lease of t (lapsed or was removed|was taken over)/);
    expect(count(traceOf(dir), 'two')).toBe(1);
    const forced = await sql<{ body: string }>(url, "SELECT body FROM runbook_journal WHERE type = 'decision' AND key = 'lock'");
    expect(forced.map((f) => JSON.parse(f.body))).toEqual([expect.objectContaining({ key: 'lock', decision: 'force-unlock', note: expect.stringMatching(/removed the lock of run t-.* on host-a/) })]);
    expect(await sql(url, "SELECT * FROM runbook_lock_events WHERE event = 'force-unlock'")).toHaveLength(1);
  }, 60_000);

  it('import copies an interrupted run from a directory into the database, where it resumes', async () => {
    const dir = tempDir();
    const url = await db.db();
    const rb = writeRunbook(
      dir,
      `steps:\n  - { id: one, run: 'echo one >> trace; echo said-one' }\n  - { id: two, run: 'echo two >> trace; [ -e once ] || { touch once; kill -INT $PPID; sleep 5; }', idempotent: true }\n  - { id: three, run: 'echo three >> trace' }\n`,
    );
    const local = await runCli(['exec', rb, '--state-dir', 'st'], { cwd: dir, env: ENV });
    expect(local.code, local.stderr).toBe(130);
    const runId = /run (t-\S+)/.exec(local.stdout + local.stderr)![1]!;
    const imported = await runCli(['import', runId, '--from', 'st', '--state', url], { cwd: dir, env: ENV });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/imported run t-\S+ \(interrupted, \d+ records, 1 log\)/);
    const again = await runCli(['import', runId, '--from', 'st', '--state', url], { cwd: dir, env: ENV });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already in/);
    // The same records in the same order, and the summary the database keeps says what the directory's journal says.
    const bodies = await sql<{ body: string }>(url, 'SELECT body FROM runbook_journal ORDER BY n');
    expect(bodies.map((b) => JSON.parse(b.body))).toEqual(journalOf(join(dir, 'st')));
    const listed = async (state: string[]) => JSON.parse((await runCli(['runs', ...state, '--format', 'json'], { cwd: dir, env: ENV })).stdout)[0];
    expect({ ...(await listed(['--state', url])), dir: undefined }).toEqual({ ...(await listed(['--state-dir', 'st'])), dir: undefined });
    const resumed = await on('host-b', ['resume', runId, '--state', url], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(traceOf(dir)).toEqual(['one', 'two', 'two', 'three']);
    const log = await runCli(['log', runId, 'one', '--state', url], { cwd: dir, env: ENV });
    expect(log.stdout).toMatch(/said-one/);
  }, 60_000);

  it('random kills on PostgreSQL state: each step and undo runs once (a few trials; bench/pg.mjs runs the long loop)', async () => {
    // The median of three whole runs (one can be a slow first one, and then most kills land after
    // the run); at least 3 trials and at most 6, until two kills have landed mid-run.
    const span = (await wholeRunMs(CLI, 3, () => db.db())) * 1.1;
    let kills = 0;
    for (let trial = 0; trial < 6 && (trial < 3 || kills < 2); trial++) {
      const r = await killTrial({ cli: CLI, spanMs: span, url: await db.db() });
      expect(r.failure, `trial ${trial}`).toBeUndefined();
      kills += r.kills;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
