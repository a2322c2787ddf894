/**
 * Kill the CLI at any instant: resume finishes the run, no finished step runs twice, nothing is
 * lost. Real processes, real SIGKILL/SIGINT, fault injection through RUNBOOK_FAILPOINT.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killTrial, wholeRunMs } from '../bench/kill-trial.mjs';
import { CLI, collect, runCli, startCli, tempDir, waitFor } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

/** n steps; each appends its key to `trace` once, and `verify` tells whether it did. */
function tracedSteps(n: number, extra = ''): string {
  return Array.from({ length: n }, (_, i) => `  - { id: s${i}, run: 'echo s${i} >> trace', verify: 'grep -qx s${i} trace'${extra} }\n`).join('');
}

function trace(dir: string): string[] {
  return existsSync(join(dir, 'trace')) ? readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n').filter(Boolean) : [];
}

async function resumeUntilDone(dir: string, state: string, args: string[] = []): Promise<number | null> {
  for (let i = 0; i < 5; i++) {
    const r = await runCli(['resume', '--state-dir', state, ...args], { cwd: dir });
    if (r.code !== 130) return r.code;
  }
  return -1;
}

describe('resume after a crash at each boundary', () => {
  const boundaries = ['before-started', 'after-started', 'after-spawn', 'before-finished', 'after-finished'];
  for (const fp of boundaries) {
    for (const nth of [1, 3]) {
      it(`${fp}:${nth}`, async () => {
        const dir = tempDir();
        const state = join(dir, 's');
        const file = writeRunbook(dir, `steps:\n${tracedSteps(4)}`);
        const first = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: `${fp}:${nth}` } });
        expect(first.signal).toBe('SIGKILL');
        expect(await resumeUntilDone(dir, state)).toBe(0);
        expect(trace(dir)).toEqual(['s0', 's1', 's2', 's3']);
        const finished = journalOf(state)
          .filter((r) => r.type === 'step_finished')
          .map((r) => r.key);
        expect(finished).toEqual(['s0', 's1', 's2', 's3']);
      });
    }
  }

  it('mid-rollback: the resumed rollback finishes, undos run once', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: 'echo a >> trace', undo: 'echo undo-a >> trace', idempotent: true }
  - { id: b, run: 'echo b >> trace', undo: 'echo undo-b >> trace', idempotent: true }
  - { id: c, run: 'false' }
rollback:
  steps:
    - { id: rb, run: 'echo rb >> trace', idempotent: true }
`,
    );
    const first = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'mid-rollback' } });
    expect(first.signal).toBe('SIGKILL');
    expect(await resumeUntilDone(dir, state)).toBe(1);
    expect(trace(dir)).toEqual(['a', 'b', 'undo-b', 'undo-a', 'rb']);
  });
});

describe('resume decisions', () => {
  it('refuses an in-flight step that is not idempotent without a terminal or a flag (exit 5)', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `steps:\n  - { id: a, run: 'echo a >> trace' }\n  - { id: b, run: 'echo b >> trace' }\n`);
    await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'before-finished:2' } });
    const refused = await runCli(['resume', '--state-dir', state], { cwd: dir });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/step b was running when the run stopped.*--rerun-in-flight, --skip-in-flight or --fail-in-flight/);
    const exec = await runCli(['exec', file, '--state-dir', state], { cwd: dir });
    expect(exec.code).toBe(5);
    expect(exec.stderr).toMatch(/is unfinished: resume it with `runbook resume t-/);
    const skipped = await runCli(['resume', '--skip-in-flight', '--state-dir', state], { cwd: dir });
    expect(skipped.code).toBe(0);
    expect(trace(dir)).toEqual(['a', 'b']);
    expect(journalOf(state).find((r) => r.type === 'decision')).toMatchObject({ key: 'b', decision: 'done' });
  });

  it('continues with the copy the run started with when the file changed', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `steps:\n${tracedSteps(3)}`);
    await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'after-finished:1' } });
    writeRunbook(dir, `steps:\n${tracedSteps(2)}  - { id: extra, run: 'echo extra >> trace' }\n`);
    const r = await runCli(['resume', file, '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/changed since this run started \(added extra; removed s2\): continuing with the copy/);
    expect(trace(dir)).toEqual(['s0', 's1', 's2']);
  });
});

describe('signals', () => {
  it('first SIGINT stops the step, journals the interruption, exits 130 with the resume command', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: first, run: 'echo first >> trace' }
  - { id: long, run: 'echo $$ > long.pid; echo long >> trace; sleep \${SLEEP_FOR:-30}', idempotent: true }
  - { id: last, run: 'echo last >> trace' }
`,
    );
    const child = startCli(['exec', file, '--state-dir', state], { cwd: dir });
    const done = collect(child);
    await waitFor(() => existsSync(join(dir, 'long.pid')));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    const runId = /Resume with: runbook resume (\S+)/.exec(r.stdout)?.[1];
    expect(runId).toBeTruthy();
    const pid = Number(readFileSync(join(dir, 'long.pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
    expect(journalOf(state).some((rec) => rec.type === 'run_interrupted')).toBe(true);
    writeFileSync(join(dir, 'long.pid'), '');
    const resumed = await runCli(['resume', runId!, '--state-dir', state], { cwd: dir, env: { SLEEP_FOR: '0' } });
    expect(resumed.code).toBe(0);
    expect(trace(dir)).toEqual(['first', 'long', 'long', 'last']);
  });
});

describe('a signal while the started record goes to disk', () => {
  it('stops the step before it starts (a slow disk), and the run is resumable', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: first, run: 'echo first >> trace' }
  - { id: second, run: 'echo second >> trace' }
`,
    );
    const child = startCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'slow-fsync:2' } });
    const done = collect(child);
    const started = () => {
      try {
        return journalOf(state).some((rec) => rec.type === 'step_started' && rec.key === 'second');
      } catch {
        return false; // no run yet
      }
    };
    await waitFor(started);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    await new Promise((res) => setTimeout(res, 300));
    expect(trace(dir)).toEqual(['first']);
    // Journaled as started, the step counts as in flight: the operator says it did not run.
    const resumed = await runCli(['resume', '--state-dir', state, '--rerun-in-flight'], { cwd: dir });
    expect(resumed.code).toBe(0);
    expect(trace(dir)).toEqual(['first', 'second']);
  });
});

describe('random kills', () => {
  // The bar's loop (bench/kill-trials.mjs runs 500 of these): a few here catch a regression.
  it('runs of 20 steps with a serial: 2 loop and a rollback, killed at random moments, run each step and undo once', async () => {
    const span = (await wholeRunMs(CLI, 1)) * 1.1;
    let kills = 0;
    for (let trial = 0; trial < 8; trial++) {
      const r = await killTrial({ cli: CLI, spanMs: span });
      expect(r.failure, `trial ${trial}`).toBeUndefined();
      kills += r.kills;
    }
    expect(kills, 'kills that landed mid-run').toBeGreaterThanOrEqual(4);
  }, 120_000);
});
