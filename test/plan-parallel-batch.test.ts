/**
 * The items of a `serial: N` batch run at the same time in exec; the plan's timeline, its totals,
 * the window check and the change notice count them that way.
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

interface PlanJson {
  timeline: { expectedMs: number; worstCaseMs: number };
  entries: Array<{ key: string; atMs: number; worstAtMs: number }>;
  outcome: { exitCode: number };
}

const MIN = 60_000;

/** Three items, each step `estimate: 1m` (`timeout: 2m` at worst), then one more step; a 4m window keeping 2m for the rollback. */
function batchRunbook(dir: string, serial: number): string {
  return writeRunbook(
    dir,
    `
window: { start: "2030-01-01T20:00", duration: 4m, timezone: UTC, rollback_reserve: 2m }
steps:
  - id: roll
    for_each: [w1, w2, w3]
    serial: ${serial}
    steps:
      - { id: deploy, run: 'true', estimate: 1m, timeout: 2m }
  - { id: after, run: 'true', estimate: 30s, timeout: 1m }
rollback:
  steps:
    - { id: back, run: 'true', estimate: 1m }
`,
    `serial-${serial}.yaml`,
  );
}

async function plan(file: string): Promise<PlanJson> {
  const r = await runCli(['plan', file, '--format', 'json', '--at', '2030-01-01T20:00']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as PlanJson;
}

const times = (p: PlanJson) => Object.fromEntries(p.entries.map((e) => [e.key, [e.atMs, e.worstAtMs]]));

describe('plan: a parallel batch', () => {
  it('serial: 3 starts the three items together, and the batch takes as long as one item', async () => {
    const dir = tempDir();
    const file = batchRunbook(dir, 3);
    const p = await plan(file);
    expect(times(p)).toEqual({
      'deploy[w1]': [0, 0],
      'deploy[w2]': [0, 0],
      'deploy[w3]': [0, 0],
      after: [1 * MIN, 2 * MIN],
    });
    expect(p.timeline.expectedMs).toBe(1.5 * MIN);
    expect(p.timeline.worstCaseMs).toBe(3 * MIN);
    // `after` starts at +1m, before the point of no return (+2m): no overrun, no rollback.
    expect(p.outcome.exitCode).toBe(0);
    const text = await runCli(['plan', file, '--at', '2030-01-01T20:00']);
    const heads = text.stdout.split('\n').filter((l) => /^ +\d+\. /.test(l));
    expect(heads.map((l) => l.trim().split(/ +/).slice(0, 3))).toEqual([
      ['1.', '+0s', 'deploy[w1]'],
      ['2.', '+0s', 'deploy[w2]'],
      ['3.', '+0s', 'deploy[w3]'],
      ['4.', '+1m', 'after'],
    ]);
    expect(text.stdout).not.toMatch(/warning: the expected/);
    const notice = await runCli(['render', file]);
    expect(notice.stdout).toContain('**Expected duration:** 1m30s');
  });

  it('serial: 1 stays one item after another', async () => {
    const dir = tempDir();
    const p = await plan(batchRunbook(dir, 1));
    expect(times(p)).toMatchObject({
      'deploy[w1]': [0, 0],
      'deploy[w2]': [1 * MIN, 2 * MIN],
      'deploy[w3]': [2 * MIN, 4 * MIN],
    });
    expect(p.timeline.expectedMs).toBe(3.5 * MIN);
    // Past the point of no return before `after`: the plan rolls back, as exec would.
    expect(p.entries.map((e) => e.key)).toEqual(['deploy[w1]', 'deploy[w2]', 'deploy[w3]', 'back']);
    expect(p.outcome.exitCode).toBe(1);
  });

  it('serial: 2 over three items: two batches, the second starting when the first has finished', async () => {
    const dir = tempDir();
    const p = await plan(batchRunbook(dir, 2));
    expect(times(p)).toEqual({
      'deploy[w1]': [0, 0],
      'deploy[w2]': [0, 0],
      'deploy[w3]': [1 * MIN, 2 * MIN],
      after: [2 * MIN, 4 * MIN],
    });
    expect(p.timeline.expectedMs).toBe(2.5 * MIN);
  });
});
