#!/usr/bin/env node
// Team state on PostgreSQL (issue 17), against a local server started here (fsync on,
// synchronous_commit on): every figure a median with min and max, each ratio against a baseline
// measured in the same run. Not part of npm test. Needs PostgreSQL and root (initdb runs as the
// postgres user), like test/pg-team.test.ts.
//   node bench/pg.mjs                        BENCH_RUNS=N (default 5)
//   node bench/pg.mjs --kill-trials 200      the random-kill loop on PostgreSQL state (default 100)
//   BENCH_SKIP=steps,runs,memory,kills       skip the per-step rows, `runs`, the 1 GB log or the kill loop
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { postgresMissing, startPostgres } from '../test/helpers/pg-server.mjs';
import { DEFAULT_CLI, killTrial, wholeRunMs } from './kill-trial.mjs';
import { stats, timer } from './measure.mjs';

const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : DEFAULT_CLI;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const at = process.argv.indexOf('--kill-trials');
const TRIALS = at > 0 ? Number(process.argv[at + 1]) : 100;
const missing = postgresMissing();
if (missing) {
  console.error(`bench/pg.mjs: ${missing}`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'runbook-bench-pg-'));
const env = { ...process.env, NO_COLOR: '1', CI: '1' };
delete env.RUNBOOK_STATE;
delete env.RUNBOOK_STATE_DIR;
const rows = [];
const server = await startPostgres({ fsync: true });
let dbs = 0;
const newDb = () => server.createDatabase(`bench${++dbs}`);

const time = timer(env, work);
const row = (name, st, unit, baseline, goal) => rows.push({ name, ...st, unit, ratio: baseline ? st.median / baseline.median : undefined, goal });
const runbook = (name, steps) => {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `version: 1\nid: ${name}\ntitle: bench ${name}\nsteps:\n${steps}`);
  return file;
};
const trivial = (n) => Array.from({ length: n }, (_, i) => `  - { id: s${i}, run: "true" }\n`).join('');
let stateN = 0;
const freshDir = () => join(work, `state-${stateN++}`);

try {
  // 1. Per step: 200 trivial steps less 1, on PostgreSQL state and on directory state, in turns.
  if (!SKIP.has('steps')) {
    const one = runbook('one', trivial(1));
    const many = runbook('many', trivial(200));
    const urls = [];
    for (let i = 0; i < 2 * (RUNS + 1); i++) urls.push(await newDb());
    const exec = (file, state) => time('node', [CLI, 'exec', file, ...state]);
    const sides = {
      dir: () => exec(many, ['--state-dir', freshDir()]) - exec(one, ['--state-dir', freshDir()]),
      pg: () => exec(many, ['--state', urls.pop(), '--state-dir', freshDir()]) - exec(one, ['--state', urls.pop(), '--state-dir', freshDir()]),
    };
    const samples = { dir: [], pg: [] };
    for (const f of Object.values(sides)) f();
    for (let i = 0; i < RUNS; i++) for (const [k, f] of Object.entries(sides)) samples[k].push(f());
    const per = (st) => ({ median: st.median / 199, min: st.min / 199, max: st.max / 199 });
    const dir = per(stats(samples.dir));
    row('exec per step, directory state (baseline)', dir, 'ms');
    row('exec per step, PostgreSQL state (fsync, synchronous_commit on)', per(stats(samples.pg)), 'ms', dir, '<= 2x');
  }

  // 2. `runs` over 1,000 runs in the database vs `node -e 0`.
  if (!SKIP.has('runs')) {
    const url = await newDb();
    const file = runbook('r', trivial(5));
    time('node', [CLI, 'exec', file, '--state', url, '--state-dir', freshDir()]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    // 999 copies of the real run, each with its own id and journal.
    await c.query(`INSERT INTO runbook_runs (run_id, runbook_id, created, runbook_text, summary)
      SELECT run_id || '-' || g, runbook_id, created - make_interval(secs => g), runbook_text, replace(summary, run_id, run_id || '-' || g)
      FROM runbook_runs, generate_series(1, 999) g`);
    await c.query(`INSERT INTO runbook_journal (run_id, n, type, key, visit, attempt, epoch, body)
      SELECT j.run_id || '-' || g, n, type, key, visit, attempt, epoch, body FROM runbook_journal j, generate_series(1, 999) g`);
    await c.end();
    const node = stats(Array.from({ length: RUNS * 2 }, () => time('node', ['-e', '0'])));
    row('node -e 0 (baseline)', node, 'ms');
    time('node', [CLI, 'runs', '--state', url]);
    row('runbook runs, 1,000 runs in the database', stats(Array.from({ length: RUNS * 2 }, () => time('node', [CLI, 'runs', '--state', url]))), 'ms', node, '< 3x');
  }

  // 3. A step printing 1 GB on PostgreSQL state: peak RSS, and what the database keeps of it.
  if (!SKIP.has('memory')) {
    const loud = runbook('loud', `  - { id: loud, run: 'head -c 1073741824 /dev/zero | tr "\\\\0" x | fold -w 99', timeout: 10m }\n`);
    const url = await newDb();
    const state = freshDir();
    const t0 = Date.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', 'node', CLI, 'exec', loud, '--state', url, '--state-dir', state], { env, cwd: work, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`1 GB step failed: ${r.stderr}`);
    row('exec of a step printing 1 GB, PostgreSQL state: peak RSS', stats([Number(r.stderr.trim().split('\n').pop()) / 1024]), 'MiB', undefined, '<= 100 MiB');
    row('  the same: wall time', stats([(Date.now() - t0) / 1000]), 's');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const kept = (await c.query('SELECT sum(length(data)) AS b FROM runbook_log_chunks')).rows[0].b;
    await c.end();
    row('  the same: bytes kept in the database (cap 10 MiB)', stats([Number(kept) / 1024 / 1024]), 'MiB', undefined, '<= 10 MiB');
    rmSync(state, { recursive: true, force: true });
  }

  // 4. Random kills on PostgreSQL state (bench/kill-trial.mjs, each trial its own database).
  if (!SKIP.has('kills')) {
    const whole = await wholeRunMs(CLI, 3, newDb);
    let kills = 0;
    const failures = [];
    const t0 = Date.now();
    for (let trial = 1; trial <= TRIALS; trial++) {
      const r = await killTrial({ cli: CLI, spanMs: whole * 1.1, url: await newDb() });
      kills += r.kills;
      if (r.failure) process.stderr.write(`trial ${trial}: ${failures.push(r.failure) && r.failure}\n`);
      if (trial % 25 === 0) process.stderr.write(`${trial} trials, ${kills} kills, ${failures.length} failures\n`);
    }
    console.log(`random kills on PostgreSQL state: trials ${TRIALS}, kills ${kills}, failures ${failures.length} (a whole run ${whole} ms; ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
} finally {
  await server.destroy();
  rmSync(work, { recursive: true, force: true });
}

const f = (n) => (n === undefined ? '' : n >= 100 ? n.toFixed(0) : n.toFixed(2));
console.log('| benchmark | median | min | max | unit | ratio | goal |\n|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${f(r.median)} | ${f(r.min)} | ${f(r.max)} | ${r.unit} | ${r.ratio ? `${r.ratio.toFixed(2)}x` : ''} | ${r.goal ?? ''} |`);
