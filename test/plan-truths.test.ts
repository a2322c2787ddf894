/** What the plan says matches what exec does and what the other documents say. */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

describe('plan: the same words as the notice', () => {
  it('says a 48-hour soak in hours, as the notice does', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: soak, monitor: { run: 'true', every: 5m, for: 48h32m } }
`,
    );
    const plan = await runCli(['plan', file], { cwd: dir });
    const notice = await runCli(['render', file], { cwd: dir });
    for (const out of [plan.stdout, notice.stdout]) {
      expect(out).toContain('48h32m');
      expect(out).not.toMatch(/\b2d/);
    }
  });
});

describe('plan: a long backward loop', () => {
  it('shows the first passes and the last, and counts the rest, instead of thousands of lines', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: 'true', max_visits: 1000 }
  - { id: b, run: 'true', on_success: a, on_failure: c, max_visits: 1000 }
  - { id: c, run: 'true' }
`,
    );
    const plan = await runCli(['plan', file], { cwd: dir });
    const lines = plan.stdout.split('\n');
    expect(lines.length).toBeLessThan(60);
    expect(plan.stdout).toMatch(/… 1994 more steps \(5 to 1998\) repeat the same way/);
    expect(plan.stdout).toMatch(/reached max_visits \(1000\)/);
    const json = await runCli(['plan', file, '--format', 'json'], { cwd: dir });
    expect((JSON.parse(json.stdout) as { entries: unknown[] }).entries).toHaveLength(2000); // JSON keeps every entry
  });
});

describe('plan: the rollback reserve', () => {
  it('warns when it is 0 only because no rollback step has an estimate', async () => {
    const dir = tempDir();
    const body = (extra: string) => `
window: { start: "2030-01-01T20:00", duration: 1h, timezone: UTC${extra} }
steps:
  - { id: a, run: 'true', estimate: 1m }
rollback:
  steps:
    - { id: back, run: 'true' }
`;
    const warned = await runCli(['plan', writeRunbook(dir, body(''))], { cwd: dir });
    expect(warned.stdout).toMatch(/warning: the rollback reserve is 0s \(no rollback step has an estimate\)/);
    const set = await runCli(['plan', writeRunbook(dir, body(', rollback_reserve: 10m'), 'b.yaml')], { cwd: dir });
    expect(set.stdout).not.toMatch(/rollback reserve is 0s/);
  });
});

describe('plan: an undo that fails', () => {
  it('escalates, as exec does', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: change, run: 'true', undo: 'exit 1' }
  - { id: test, run: 'exit 1' }
rollback:
  steps:
    - { id: after, run: 'true' }
  escalate: Call the DBA
`,
    );
    const plan = await runCli(['plan', file, '--fail', 'test', '--format', 'json'], { cwd: dir });
    const undo = (JSON.parse(plan.stdout) as { entries: Array<{ key: string; onFailure: string }> }).entries.find((e) => e.key === 'change:undo');
    expect(undo?.onFailure).toBe('escalate: Call the DBA');
    const exec = await runCli(['exec', file, '--state-dir', `${dir}/s`], { cwd: dir });
    expect(exec.code).toBe(3);
  });
});
