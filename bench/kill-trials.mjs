#!/usr/bin/env node
// Kill a 20-step run at random moments (SIGKILL), resume until it finishes, and check that every
// step ran exactly once. TRIALS=1000 by default (npm test runs 50 of these in test/resume.test.ts).
//   node bench/kill-trials.mjs            TRIALS=200 node bench/kill-trials.mjs
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : resolve(import.meta.dirname, '..', 'bin', 'runbook.js');
const TRIALS = Number(process.env.TRIALS ?? 1000);
const STEPS = 20;
const env = { ...process.env, NO_COLOR: '1' };

function run(args, cwd, killAfterMs) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

function runFinished(state) {
  const runs = join(state, 'runs');
  if (!existsSync(runs)) return false;
  return readdirSync(runs).some((r) => existsSync(join(runs, r, 'journal')) && /"type":"run_finished"/.test(readFileSync(join(runs, r, 'journal'), 'utf8')));
}

const steps = Array.from({ length: STEPS }, (_, i) => `  - { id: s${i}, run: 'echo s${i} >> trace', verify: 'grep -qx s${i} trace' }\n`).join('');
const runbookIn = (dir) => writeFileSync(join(dir, 'rb.yaml'), `version: 1\nid: k\ntitle: kill trial\nsteps:\n${steps}`);

// Kills land anywhere in a run: from the start of the process to a little after a whole
// run takes on this machine (measured here, so a faster CLI still gets killed mid-run).
const whole = [];
for (let i = 0; i < 5; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-kill-'));
  runbookIn(dir);
  const t = Date.now();
  await run(['exec', 'rb.yaml', '--state-dir', 's'], dir, 600_000);
  whole.push(Date.now() - t);
  rmSync(dir, { recursive: true, force: true });
}
const span = whole.sort((a, b) => a - b)[2] * 1.1;

let kills = 0;
let resumes = 0;
const failures = [];
const t0 = Date.now();
for (let trial = 1; trial <= TRIALS; trial++) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-kill-'));
  runbookIn(dir);
  let args = ['exec', 'rb.yaml', '--state-dir', 's'];
  let finished = false;
  for (let round = 0; round < 50 && !finished; round++) {
    // Later rounds wait longer (a loaded machine starts slowly); from round 40 on, no kill.
    const r = await run(args, dir, round < 40 ? Math.random() * span + round * 20 : 600_000);
    if (r.code === 0) finished = true;
    else if (r.code === 2 && /no unfinished run/.test(r.stderr)) {
      // Finished before the kill landed, or killed before its first record (then exec again).
      if (runFinished(join(dir, 's'))) finished = true;
      else args = ['exec', 'rb.yaml', '--state-dir', 's'];
    }
    else if (r.signal === 'SIGKILL' || r.code === 130) {
      kills++;
      resumes++;
      args = ['resume', '--state-dir', 's'];
    } else {
      failures.push(`trial ${trial}: exit ${r.code}: ${r.stderr.trim()}`);
      process.stderr.write(`${failures[failures.length - 1]}\n`);
      break;
    }
  }
  const trace = existsSync(join(dir, 'trace')) ? readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n') : [];
  const expected = Array.from({ length: STEPS }, (_, i) => `s${i}`);
  const failure = !finished ? `trial ${trial}: did not finish` : trace.join(' ') !== expected.join(' ') ? `trial ${trial}: trace ${trace.join(' ')}` : undefined;
  if (failure) {
    failures.push(failure);
    process.stderr.write(`${failure}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  if (trial % 100 === 0) process.stderr.write(`${trial} trials, ${kills} kills, ${failures.length} failures\n`);
}
console.log(`${TRIALS} trials of ${STEPS} steps (a whole run: ${whole[2]} ms): ${kills} kills (SIGKILL at random moments), ${resumes} resumes, ${failures.length} failures, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
process.exit(failures.length ? 1 : 0);
