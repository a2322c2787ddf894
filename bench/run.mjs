#!/usr/bin/env node
// Benchmarks (npm run bench): one table; every figure a median of several runs with min and max,
// every comparison a ratio against a baseline measured in the same run. Not part of npm test.
//   BENCH_RUNS=N (default 5)   BENCH_SKIP=steps,start,size,memory,throughput,resume (names to skip)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { stats, timer } from './measure.mjs';

const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : resolve(import.meta.dirname, '..', 'bin', 'runbook.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const work = mkdtempSync(join(tmpdir(), 'runbook-bench-'));
const env = { ...process.env, NO_COLOR: '1', CI: '1' };
const rows = [];

const time = timer(env, work);

function measure(fn, runs = RUNS) {
  fn(); // warm the file cache
  return stats(Array.from({ length: runs }, fn));
}

function row(name, st, unit, baseline, goal) {
  const ratio = baseline ? st.median / baseline.median : undefined;
  rows.push({ name, ...st, unit, ratio, goal });
}

function runbook(name, steps, extra = '') {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `version: 1\nid: ${name}\ntitle: bench ${name}\n${extra}steps:\n${steps}`);
  return file;
}

const trivial = (n) => Array.from({ length: n }, (_, i) => `  - { id: s${i}, run: "true" }\n`).join('');
let stateN = 0;
const freshState = () => join(work, `state-${stateN++}`);

// 1. Per-step overhead: exec of 200 trivial steps vs bash running `bash -c true` 200 times.
if (!SKIP.has('steps')) {
  const one = runbook('one', trivial(1));
  const many = runbook('many', trivial(200));
  const bash = (n) => `for i in $(seq ${n}); do bash -c true; done`;
  const exec = (file, extra = {}) => time('node', [CLI, 'exec', file, '--state-dir', freshState()], { env: { ...env, ...extra } });
  // Taken in turns, so that a busy minute on the machine falls on all three alike.
  const sides = {
    engine: () => exec(many) - exec(one),
    base: () => time('bash', ['-c', bash(200)]) - time('bash', ['-c', bash(1)]),
  };
  const samples = { engine: [], base: [] };
  for (const f of Object.values(sides)) f(); // warm the file cache
  for (let i = 0; i < RUNS; i++) for (const [k, f] of Object.entries(sides)) samples[k].push(f());
  const [engine, base] = [samples.engine, samples.base].map(stats);
  const per = (st) => ({ median: st.median / 199, min: st.min / 199, max: st.max / 199 });
  row('bash -c true, per step (baseline)', per(base), 'ms');
  row('runbook exec, per step (journal fsyncs included)', per(engine), 'ms', per(base), '<= 3x');
}

// 2. Cold start vs `node -e 0`.
if (!SKIP.has('start')) {
  const one = runbook('cold', trivial(1));
  const node = measure(() => time('node', ['-e', '0']), RUNS * 2);
  row('node -e 0 (baseline)', node, 'ms');
  row(
    'runbook --version',
    measure(() => time('node', [CLI, '--version']), RUNS * 2),
    'ms',
    node,
  );
  row(
    'runbook validate (1 step)',
    measure(() => time('node', [CLI, 'validate', one]), RUNS * 2),
    'ms',
    node,
    '<= 3x',
  );
  const shipped = resolve(import.meta.dirname, '..', 'runbooks', 'email-patch.yaml');
  row(
    'runbook validate runbooks/email-patch.yaml',
    measure(() => time('node', [CLI, 'validate', shipped]), RUNS * 2),
    'ms',
    node,
    '<= 3x',
  );
}

// 3. validate and plan of 1,000- and 10,000-step runbooks.
for (const [n, goal] of SKIP.has('size')
  ? []
  : [
      [1_000, '< 1000 ms'],
      [10_000, '< 3000 ms'],
    ]) {
  const big = runbook(`big${n}`, Array.from({ length: n }, (_, i) => `  - { id: s${i}, run: "echo step ${i} on \${{ vars.host }}", estimate: 1s }\n`).join(''), 'vars: { host: web1 }\n');
  const steps = n.toLocaleString('en');
  row(
    `validate, ${steps} steps`,
    measure(() => time('node', [CLI, 'validate', big])),
    'ms',
    undefined,
    goal,
  );
  row(
    `plan, ${steps} steps`,
    measure(() => time('node', [CLI, 'plan', big], { stdio: ['ignore', 'ignore', 'pipe'] })),
    'ms',
    undefined,
    goal,
  );
}

// 4. Peak memory of exec of one step printing 1 GB.
if (!SKIP.has('memory')) {
  // 1 GiB of 100-character lines (no SIGPIPE under pipefail: head reads /dev/zero itself).
  const loud = runbook('loud', `  - { id: loud, run: 'head -c 1073741824 /dev/zero | tr "\\0" x | fold -w 99', timeout: 10m }\n`);
  const samples = Array.from({ length: Math.min(RUNS, 3) }, () => {
    const state = freshState();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', 'node', CLI, 'exec', loud, '--state-dir', state], { env, cwd: work, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    rmSync(state, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`1 GB step failed: ${r.stderr}`);
    return Number(r.stderr.trim().split('\n').pop()) / 1024;
  });
  row('exec of a step printing 1 GB: peak RSS', stats(samples), 'MiB', undefined, '<= 100 MiB');
}

// 4b. Throughput of that step with the console in a pipe (read by cat), against the same output
// written by tee to a file and to a pipe: the log and the console. Taken in turns.
if (!SKIP.has('throughput')) {
  const loud = `head -c 1073741824 /dev/zero | tr "\\0" x | fold -w 99`;
  const file = runbook('loud-pipe', `  - { id: loud, run: '${loud}', timeout: 10m }\n`);
  const sides = {
    base: () => time('bash', ['-o', 'pipefail', '-c', `${loud} | tee ${join(work, 'tee.out')} | cat > /dev/null`]),
    engine: () => {
      const state = freshState();
      const ms = time('bash', ['-o', 'pipefail', '-c', `node ${CLI} exec ${file} --state-dir ${state} | cat > /dev/null`]);
      rmSync(state, { recursive: true, force: true });
      return ms;
    },
  };
  const samples = { base: [], engine: [] };
  for (let i = 0; i < Math.min(RUNS, 3); i++) for (const [k, f] of Object.entries(sides)) samples[k].push(f());
  rmSync(join(work, 'tee.out'), { force: true });
  const [base, engine] = [samples.base, samples.engine].map(stats);
  row('a step printing 1 GB, tee to a file and a pipe (baseline)', base, 'ms');
  row('exec of that step, console in a pipe', engine, 'ms', base, '<= 2x');
}

// 5. Resume of a run whose journal has ~10,000 records.
if (!SKIP.has('resume')) {
  const n = 5_000;
  const long = runbook('long', trivial(n).replace(`id: s${n - 1}, run: "true"`, `id: s${n - 1}, run: "true", idempotent: true`));
  const samples = [];
  for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) {
    const state = freshState();
    spawnSync('node', [CLI, 'exec', long, '--state-dir', state], { env: { ...env, RUNBOOK_FAILPOINT: `after-started:${n}` }, cwd: work, stdio: 'ignore' });
    samples.push(time('node', [CLI, 'resume', '--state-dir', state]));
    rmSync(state, { recursive: true, force: true });
  }
  const records = 2 * n;
  row(`resume, ${records.toLocaleString('en')}-record journal`, stats(samples), 'ms', undefined, '< 300 ms');
}

// 6. Journaled notifications: 200 steps, each step_succeeded to a file channel (queued with an
// fsync, written, sent recorded) against the same run with no channel.
if (!SKIP.has('notify')) {
  const plain = runbook('quiet', trivial(200));
  const noisy = runbook('noisy', trivial(200), `notify:\n  channels:\n    log: { type: file, path: ${join(work, 'notices.jsonl')} }\n  events: { step_succeeded: [log] }\n`);
  const sides = { base: () => time('node', [CLI, 'exec', plain, '--state-dir', freshState()]), notify: () => time('node', [CLI, 'exec', noisy, '--state-dir', freshState()]) };
  const samples = { base: [], notify: [] };
  for (const f of Object.values(sides)) f();
  for (let i = 0; i < RUNS; i++) for (const [k, f] of Object.entries(sides)) samples[k].push(f() / 200);
  const base = stats(samples.base);
  row('exec of 200 steps, no channel, per step (baseline)', base, 'ms');
  row('exec of 200 steps, a notice per step to a file channel, per step', stats(samples.notify), 'ms', base, '');
}

// 7. Other tools, for context, when installed.
for (const tool of ['ansible-playbook', 'zx']) {
  const found = spawnSync('which', [tool]).status === 0;
  rows.push({ name: `${tool}: ${found ? 'installed but not benchmarked here' : 'not installed'}`, note: true });
}

rmSync(work, { recursive: true, force: true });
const fmt = (v) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
console.log(`runbook benchmarks (${RUNS} runs each; median [min-max]) on ${machine}\n`);
console.log(`| benchmark | median | min | max | unit | ratio | goal |\n|---|---|---|---|---|---|---|`);
for (const r of rows) {
  if (r.note) console.log(`| ${r.name} | | | | | | |`);
  else console.log(`| ${r.name} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.unit} | ${r.ratio ? `${r.ratio.toFixed(2)}x` : ''} | ${r.goal ?? ''} |`);
}
