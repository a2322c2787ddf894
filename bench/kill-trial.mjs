// One kill trial, shared by bench/kill-trials.mjs (500 of them) and test/resume.test.ts (a few):
// a 20-step run with a `serial: 2` loop that fails at its end and rolls back, SIGKILLed at random
// moments and resumed until it ends; then every step and every undo must have run exactly once.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const DEFAULT_CLI = resolve(import.meta.dirname, '..', 'bin', 'runbook.js');

const TOP = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'];
const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'];
const TAIL = ['s8', 's9'];
const RB = ['rb0', 'rb1'];

/** Appends its name to `trace` once; verify (what resume asks when the kill cut it short) tells whether it did. */
const traced = (id, name = id, extra = '') => `{ id: ${id}, run: 'echo ${name} >> trace', verify: 'grep -qx ${name} trace'${extra} }`;
const undone = (name) => `, undo: [ ${traced(`undo-${name}`)} ]`;

// 8 steps, a loop over 8 hosts two at a time, 2 more, one that fails: 20 step executions, then
// the rollback: 16 undos, newest first, and the rollback plan's 2 steps.
export const RUNBOOK = `version: 1
id: k
title: kill trial
vars: { hosts: [${HOSTS.join(', ')}] }
steps:
${TOP.map((s) => `  - ${traced(s, s, undone(s))}\n`).join('')}  - id: rolling
    for_each: \${{ vars.hosts }}
    serial: 2
    steps:
      - { id: deploy, run: 'echo deploy-\${{ item }} >> trace', verify: 'grep -qx deploy-\${{ item }} trace', undo: [ { id: undeploy, run: 'echo undeploy-\${{ item }} >> trace', verify: 'grep -qx undeploy-\${{ item }} trace' } ] }
${TAIL.map((s) => `  - ${traced(s)}\n`).join('')}  - { id: gate, run: 'false', idempotent: true }
rollback:
  steps:
${RB.map((s) => `    - ${traced(s)}\n`).join('')}`;

/** What each trial must leave in `trace`, in groups whose order within is free (a batch runs two at once). */
export const EXPECTED = [...TOP, ...HOSTS.map((h) => `deploy-${h}`), ...TAIL, ...[...HOSTS].reverse().map((h) => `undeploy-${h}`), ...[...TOP].reverse().map((s) => `undo-${s}`), ...RB];

/** Why the trace is wrong (a step lost, run twice, or out of order), or undefined. */
export function traceProblem(trace) {
  const counts = new Map();
  for (const t of trace) counts.set(t, (counts.get(t) ?? 0) + 1);
  const lost = EXPECTED.filter((e) => !counts.has(e));
  const twice = [...counts].filter(([, n]) => n > 1).map(([t, n]) => `${t} x${n}`);
  const extra = [...counts.keys()].filter((t) => !EXPECTED.includes(t));
  if (lost.length || twice.length || extra.length)
    return [lost.length && `lost ${lost.join(' ')}`, twice.length && `twice ${twice.join(' ')}`, extra.length && `unexpected ${extra.join(' ')}`].filter(Boolean).join('; ');
  // Order: positions may swap only inside a batch of two (the loop and its undos), never across phases.
  for (let i = 0; i < trace.length; i++) {
    const want = EXPECTED.indexOf(trace[i]);
    if (Math.abs(want - i) > 1) return `out of order at ${i}: ${trace.join(' ')}`;
  }
  return undefined;
}

function run(cli, args, cwd, killAfterMs) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

/** Whether a run has ended: in the state directory, or with `url`, in the database. */
async function runEnded(state, url) {
  if (url) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query("SELECT 1 FROM runbook_journal WHERE type = 'run_finished'")).rowCount > 0;
    } finally {
      await c.end();
    }
  }
  const runs = join(state, 'runs');
  if (!existsSync(runs)) return false;
  return readdirSync(runs).some((r) => existsSync(join(runs, r, 'journal')) && readFileSync(join(runs, r, 'journal'), 'utf8').includes('"type":"run_finished"'));
}

const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-kill-'));
  writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
  return dir;
};

/** How long a whole run takes here (ms), the median of `n`: kills land between 0 and a little more. */
export async function wholeRunMs(cli = DEFAULT_CLI, n = 3, url = undefined) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const dir = newDir();
    const state = url ? ['--state', await url()] : [];
    const t = Date.now();
    const r = await run(cli, ['exec', 'rb.yaml', '--state-dir', 's', ...state], dir);
    times.push(Date.now() - t);
    const problem = r.code === 1 ? traceProblem(readTrace(dir)) : `exit ${r.code}: ${r.stderr.trim()}`;
    rmSync(dir, { recursive: true, force: true });
    if (problem) throw new Error(`an uninterrupted run went wrong: ${problem}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

const readTrace = (dir) => (existsSync(join(dir, 'trace')) ? readFileSync(join(dir, 'trace'), 'utf8').split('\n').filter(Boolean) : []);

/**
 * One trial: exec, then resume after each kill, until the run ends (exit 1: rolled back). Later
 * rounds wait longer (a loaded machine starts slowly); from round 40 on, no kill.
 * Returns the kills that landed mid-run and the failure, if any.
 */
export async function killTrial({ cli = DEFAULT_CLI, spanMs, url }) {
  const dir = newDir();
  // With a database (`url`, empty), the state is there and this machine's logs in s/.
  const state = ['--state-dir', 's', ...(url ? ['--state', url] : [])];
  let args = ['exec', 'rb.yaml', ...state];
  let kills = 0;
  let failure;
  let ended = false;
  for (let round = 0; round < 50 && !ended && !failure; round++) {
    const r = await run(cli, args, dir, round < 40 ? Math.random() * spanMs + round * 20 : undefined);
    if (r.code === 1 && (await runEnded(join(dir, 's'), url))) ended = true;
    else if (r.code === 2 && /no unfinished run/.test(r.stderr)) {
      // Ended before the kill landed, or killed before its first record (then exec again).
      if (await runEnded(join(dir, 's'), url)) ended = true;
      else args = ['exec', 'rb.yaml', ...state];
    } else if (r.signal === 'SIGKILL') {
      kills++;
      args = ['resume', ...state];
    } else
      failure = `round ${round}: exit ${r.code}: ${r.stderr
        .split('\n')
        .filter((l) => l.trim() && !/^\s+at /.test(l))
        .join(' | ')}`;
  }
  const trace = readTrace(dir);
  if (!failure && !ended) failure = 'did not end in 50 rounds';
  if (!failure) failure = traceProblem(trace);
  if (failure) failure += ` (left in ${dir})`;
  else rmSync(dir, { recursive: true, force: true });
  return { kills, failure };
}
