#!/usr/bin/env node
// The kill bar of issue 14: a 20-step run with a `serial: 2` loop and a rollback in progress,
// SIGKILLed at random moments and resumed until it ends, 500 trials by default; every step and
// every undo must run exactly once (./kill-trial.mjs). npm test runs a few in test/resume.test.ts.
//   node bench/kill-trials.mjs            node bench/kill-trials.mjs --trials 50
import { resolve } from 'node:path';
import { DEFAULT_CLI, killTrial, wholeRunMs } from './kill-trial.mjs';

const at = process.argv.indexOf('--trials');
const trials = at > 0 ? Number(process.argv[at + 1]) : 500;
if (!Number.isInteger(trials) || trials < 1) {
  console.error('--trials takes a whole number, e.g. --trials 500');
  process.exit(2);
}
const cli = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : DEFAULT_CLI;

// Kills land anywhere from the process's start to a little after a whole run takes here.
const whole = await wholeRunMs(cli, 5);
let kills = 0;
const failures = [];
const t0 = Date.now();
for (let trial = 1; trial <= trials; trial++) {
  const r = await killTrial({ cli, spanMs: whole * 1.1 });
  kills += r.kills;
  if (r.failure) {
    failures.push(`trial ${trial}: ${r.failure}`);
    process.stderr.write(`${failures.at(-1)}\n`);
  }
  if (trial % 50 === 0) process.stderr.write(`${trial} trials, ${kills} kills, ${failures.length} failures\n`);
}
console.log(`trials ${trials}, kills ${kills}, failures ${failures.length} (20 steps, serial: 2 loop, rollback; a whole run ${whole} ms; ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
process.exit(failures.length ? 1 : 0);
