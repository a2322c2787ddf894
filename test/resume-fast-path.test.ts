/**
 * A large resume: the lines of replayed steps, written in batches, are all there, in order,
 * before the first real step's.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, runCli, startCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

const steps = (n: number) => Array.from({ length: n }, (_, i) => `  - { id: s${i}, run: 'echo s${i} >> trace', verify: 'grep -qx s${i} trace' }\n`).join('');

/** A run of `n` steps killed when its last step had started. */
async function interrupted(n: number): Promise<{ dir: string; state: string; file: string; runDir: string }> {
  const dir = tempDir();
  const state = join(dir, 's');
  const file = writeRunbook(dir, `steps:\n${steps(n)}`);
  const first = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: `after-started:${n}` } });
  expect(first.signal).toBe('SIGKILL');
  const runDir = join(state, 'runs', readdirSync(join(state, 'runs'))[0]!);
  return { dir, state, file, runDir };
}

describe('resume of a large run', () => {
  it('prints every replayed step, in order, then the rest, in text and JSON', async () => {
    const n = 300;
    for (const format of ['text', 'json']) {
      const { dir, state } = await interrupted(n);
      const r = await runCli(['resume', '--state-dir', state, '--format', format], { cwd: dir });
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      const replayed = lines.filter((l) => (format === 'json' ? /"replayed":true/.test(l) : l.endsWith('(done before the interruption)')));
      expect(replayed).toHaveLength(n - 1);
      expect(replayed.map((l) => /s(\d+)/.exec(format === 'json' ? (JSON.parse(l) as { key: string }).key : l.split(' ')[2]!)![1])).toEqual(Array.from({ length: n - 1 }, (_, i) => String(i)));
      // All of them before the in-flight step's decision and its run.
      const firstReplayed = lines.indexOf(replayed[0]!);
      const lastReplayed = lines.indexOf(replayed[replayed.length - 1]!);
      expect(lastReplayed - firstReplayed).toBe(n - 2);
      const after = lines.slice(lastReplayed + 1).join('\n');
      expect(after).toMatch(
        format === 'json' ? /"type":"decision"[\s\S]*"type":"step_started"[\s\S]*"type":"run_finished"/ : /• s299: rerun by runbook[\s\S]*▶ \[300\/300\] s299[\s\S]*succeeded: the change completed/,
      );
    }
  });

  it('names a run by its runbook file, and says what changed in it', async () => {
    const { dir, state, file } = await interrupted(3);
    writeRunbook(dir, `steps:\n${steps(2)}  - { id: extra, run: 'echo extra >> trace' }\n`);
    const r = await runCli(['resume', file, '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/changed since this run started \(added extra; removed s2\): continuing with the copy/);
  });

  it('writes everything to a pipe whose reader is slow', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `steps:\n  - { id: a, run: 'true' }\n  - { id: loud, run: 'seq 1 60000', idempotent: true }\n`);
    const first = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'after-started:2' } });
    expect(first.signal).toBe('SIGKILL');
    const child = startCli(['resume', '--state-dir', state], { cwd: dir });
    child.stdout!.pause(); // the pipe fills up (64 KiB) long before the step's 350 KB are written
    await new Promise((r) => setTimeout(r, 1500));
    child.stdout!.resume();
    const r = await collect(child);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const numbers = r.stdout
      .split('\n')
      .filter((l) => l.includes(' │ '))
      .map((l) => l.split(' │ ')[1]);
    expect(numbers).toEqual(Array.from({ length: 60000 }, (_, i) => String(i + 1)));
  });
});
