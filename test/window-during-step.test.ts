/**
 * The window while a step runs, through the real CLI: a window that opened a second ago and
 * whose point of no return comes a few seconds after the run starts. A wait stops at the point
 * of no return and follows on_overrun; a running command is not killed but warned about; a soak
 * is left alone. The plan shows the same through the virtual clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

/** Opened a second ago, 8 seconds long, 3 kept for the rollback: the point of no return is 4-5 s away. */
function windowNow(extra = ''): string {
  const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString().slice(0, 19);
  return `window: { start: "${start}", duration: 8s, timezone: UTC, rollback_reserve: 3s${extra} }`;
}

const ROLLBACK = `
rollback:
  steps:
    - { id: back, run: 'echo back >> trace' }
`;

const LONG = { timeoutMs: 60_000 };

/** Six servers one at a time, each `seconds` long, each undone by name. */
const ROLLING = (seconds: number) => `
vars: { servers: [web1, web2, web3, web4, web5, web6] }
steps:
  - id: rolling
    for_each: \${{ vars.servers }}
    as: server
    undo: 'echo undo-\${{ server }} >> trace'
    steps:
      - { id: deploy, run: 'echo \${{ server }} >> trace; sleep ${seconds}', idempotent: true }
`;

describe('the window during a step', () => {
  it('a wait stops at the point of no return and the run rolls back (on_overrun: rollback)', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
${windowNow()}
steps:
  - { id: pause, wait: 1m }
  - { id: after, run: 'echo after >> trace' }
${ROLLBACK}`,
    );
    const started = Date.now();
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { ...LONG, cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stdout).toMatch(/the point of no return passed during pause/);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('back\n');
    const journal = journalOf(join(dir, 's'));
    expect(journal.find((rec) => rec.type === 'decision')).toMatchObject({ key: 'window:pause', decision: 'rollback', by: 'window.on_overrun' });
    expect(journal.find((rec) => rec.type === 'step_finished' && rec.key === 'pause')).toMatchObject({ status: 'failed', reason: 'the point of no return passed during the wait' });
  });

  it('a wait stopped there before a kill stays stopped on a resume with --ignore-window: the journaled decision holds', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `\n${windowNow()}\nsteps:\n  - { id: pause, wait: 1m }\n  - { id: after, run: 'echo after >> trace' }\n${ROLLBACK}`);
    const first = await runCli(['exec', file, '--state-dir', state], { ...LONG, cwd: dir, env: { RUNBOOK_FAILPOINT: 'before-finished' } });
    expect(first.signal).toBe('SIGKILL');
    expect(journalOf(state).find((rec) => rec.type === 'decision')).toMatchObject({ key: 'window:pause', decision: 'rollback' });
    const r = await runCli(['resume', '--state-dir', state, '--ignore-window'], { ...LONG, cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('back\n');
  });

  it('a poll (wait.until) stops there too, without its retries', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
${windowNow()}
steps:
  - { id: poll, wait: { until: 'test -e never', every: 1s, timeout: 1m }, retries: 3 }
  - { id: after, run: 'echo after >> trace' }
${ROLLBACK}`,
    );
    const started = Date.now();
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { ...LONG, cwd: dir });
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stdout).not.toMatch(/attempt 2/);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('back\n');
    expect(journalOf(join(dir, 's')).find((rec) => rec.type === 'decision')).toMatchObject({ key: 'window:poll', decision: 'rollback' });
  });

  it('on_overrun: continue lets the wait finish, and the change goes on', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
${windowNow(', on_overrun: continue')}
steps:
  - { id: pause, wait: 7s }
  - { id: after, run: 'echo after >> trace' }
${ROLLBACK}`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { ...LONG, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the point of no return passed during pause/);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('after\n');
    const journal = journalOf(join(dir, 's'));
    expect(journal.filter((rec) => rec.type === 'decision')).toEqual([expect.objectContaining({ key: 'window:pause', decision: 'continue', by: 'window.on_overrun' })]);
    const pause = journal.find((rec) => rec.type === 'step_finished' && rec.key === 'pause');
    expect(pause).toMatchObject({ status: 'succeeded' });
    expect(pause?.durationMs as number).toBeGreaterThanOrEqual(6500);
  });

  it('a command crossing the point of no return is not killed: a warning while it runs, then no next change step', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
${windowNow()}
steps:
  - { id: slow, run: 'sleep 6; echo slow >> trace' }
  - { id: after, run: 'echo after >> trace' }
${ROLLBACK}`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's'), '--format', 'json'], { ...LONG, cwd: dir });
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('slow\nback\n');
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const types = events.filter((e) => e.key === 'slow').map((e) => e.type);
    expect(types).toEqual(['step_started', 'window_warning', 'step_finished']);
    expect(events.find((e) => e.type === 'window_warning')?.message).toMatch(/point of no return passed while slow runs: it is not stopped; the run rolls back before the next change step/);
    expect(events.find((e) => e.type === 'step_finished' && e.key === 'slow')).toMatchObject({ status: 'succeeded' });
    expect(events.some((e) => e.type === 'step_started' && e.key === 'after')).toBe(false);
    expect(events.find((e) => e.type === 'decision')).toMatchObject({ key: 'window:after', decision: 'rollback' });
  });

  it('a rolling loop starts no further item past the point of no return: the items done are undone, then the rollback', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `\n${windowNow()}\n${ROLLING(1)}${ROLLBACK}`);
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { ...LONG, cwd: dir });
    expect(r.code, r.stdout).toBe(1);
    const trace = readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n');
    const done = trace.filter((l) => /^web\d$/.test(l));
    // About four of the six in 4-5 s; never all of them, and the undos of those done, newest first.
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(6);
    expect(trace).toEqual([...done, ...done.map((h) => `undo-${h}`).reverse(), 'back']);
    const next = `rolling[web${done.length + 1}]`;
    expect(r.stdout).toContain(`the point of no return has passed before ${next}`);
    const journal = journalOf(join(dir, 's'));
    expect(journal.find((rec) => rec.type === 'decision')).toMatchObject({ key: 'window:rolling', decision: 'rollback', by: 'window.on_overrun' });
    expect(journal.find((rec) => rec.type === 'step_finished' && rec.key === 'rolling')).toMatchObject({ status: 'failed', reason: `the point of no return passed before ${next} started` });
  });

  it('a resume past the point of no return (--ignore-window) follows the journaled decision: no further item starts', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `\n${windowNow()}\n${ROLLING(1)}${ROLLBACK}`);
    // Killed once the rollback has started, before any undo ran.
    const first = await runCli(['exec', file, '--state-dir', state], { ...LONG, cwd: dir, env: { RUNBOOK_FAILPOINT: 'mid-rollback' } });
    expect(first.signal).toBe('SIGKILL');
    const done = readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n');
    expect(done.length).toBeLessThan(6);
    // Past the point of no return now: the window is ignored, so no clock decides; the journal does.
    const r = await runCli(['resume', '--state-dir', state, '--ignore-window'], { ...LONG, cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n')).toEqual([...done, ...done.map((h) => `undo-${h}`).reverse(), 'back']);
  });

  it('the plain console prints the warning as the point of no return passes', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
${windowNow(', on_overrun: continue')}
steps:
  - { id: slow, run: 'sleep 6' }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { ...LONG, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/▶ \[1\/1\] slow: sleep 6\n.*! the point of no return passed while slow runs: it is not stopped; the change goes on \(on_overrun: continue\)\n.*✓ slow succeeded/);
  });
});

describe('the window during a step, in the plan', () => {
  const PLANNED = `
window: { start: "2030-01-01T20:00", duration: 1h, timezone: UTC, rollback_reserve: 10m }
steps:
  - { id: prep, run: 'echo prep', estimate: 20m }
  - { id: pause, wait: 40m }
  - { id: after, run: 'echo after' }
${ROLLBACK}`;

  it('a wait that would cross the point of no return stops there, and the rollback starts then', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, PLANNED);
    const r = await runCli(['plan', file, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.entries.find((e: { key: string }) => e.key === 'pause')).toMatchObject({ status: 'failed', reason: 'the point of no return passed during the wait', branch: 'rollback' });
    // The point of no return is 50 minutes in: the rollback starts there, not when the wait would have ended.
    expect(plan.entries.find((e: { key: string }) => e.key === 'back')).toMatchObject({ phase: 'rollback', atMs: 50 * 60_000 });
    expect(plan.entries.some((e: { key: string }) => e.key === 'after')).toBe(false);
    expect(plan.notes.map((n: { text: string }) => n.text)).toContain('past the point of no return: rollback');
    expect(plan.outcome.outcome).toBe('rolled_back');
  });

  it('a rolling loop stops before the first item that would start past it', async () => {
    const dir = tempDir();
    const body = `\nwindow: { start: "2030-01-01T20:00", duration: 1h, timezone: UTC, rollback_reserve: 25m }\n${ROLLING(1).replace('idempotent: true', 'idempotent: true, estimate: 10m')}${ROLLBACK}`;
    const file = writeRunbook(dir, body);
    const plan = JSON.parse((await runCli(['plan', file, '--format', 'json'], { cwd: dir })).stdout);
    const keys = plan.entries.map((e: { key: string }) => e.key);
    // The point of no return is 35 minutes in: web4 starts at 30, web5 would at 40.
    expect(keys.filter((k: string) => k.startsWith('deploy'))).toEqual(['deploy[web1]', 'deploy[web2]', 'deploy[web3]', 'deploy[web4]']);
    expect(keys.filter((k: string) => k.endsWith(':undo'))).toEqual(['rolling[web4]:undo', 'rolling[web3]:undo', 'rolling[web2]:undo', 'rolling[web1]:undo']);
    expect(plan.entries.find((e: { key: string }) => e.key === 'back')).toMatchObject({ phase: 'rollback', atMs: 40 * 60_000 });
    expect(plan.outcome).toMatchObject({ outcome: 'rolled_back', message: expect.stringContaining('the point of no return passed before rolling[web5] started') });
    // A loop in the rollback plan runs whole: the stop is the change plan's only.
    const loopBack = ROLLBACK.replace("- { id: back, run: 'echo back >> trace' }", "- { id: back, for_each: [a, b], as: x, steps: [{ id: revert, run: 'echo ${{ x }}' }] }");
    const file2 = writeRunbook(dir, body.replace(ROLLBACK, loopBack), 'loop-back.yaml');
    const plan2 = JSON.parse((await runCli(['plan', file2, '--format', 'json'], { cwd: dir })).stdout);
    expect(plan2.entries.map((e: { key: string }) => e.key).filter((k: string) => k.startsWith('revert'))).toEqual(['revert[a]', 'revert[b]']);
    expect(plan2.outcome.outcome).toBe('rolled_back');
  });

  it('with on_overrun: continue, the wait goes on to its end', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, PLANNED.replace('rollback_reserve: 10m', 'rollback_reserve: 10m, on_overrun: continue'));
    const r = await runCli(['plan', file, '--format', 'json'], { cwd: dir });
    const plan = JSON.parse(r.stdout);
    expect(plan.entries.find((e: { key: string }) => e.key === 'after')).toMatchObject({ atMs: 60 * 60_000 });
    expect(plan.notes.map((n: { text: string }) => n.text)).toContain('past the point of no return: continue');
    expect(plan.warnings).toContain('the point of no return passed during pause');
  });

  it('a command that would cross it shows the warning; a soak is not stopped', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
window: { start: "2030-01-01T20:00", duration: 1h, timezone: UTC, rollback_reserve: 10m }
steps:
  - { id: slow, run: 'sleep 1', estimate: 55m }
  - { id: soak, monitor: { run: 'true', every: 5m, for: 48h } }
${ROLLBACK}`,
    );
    const text = await runCli(['plan', file], { cwd: dir });
    expect(text.stdout).toMatch(/slow \[run\]\n.*\n.*\n {3}the point of no return passed while slow runs: it is not stopped; the run rolls back before the next change step\n/);
    const soakOnly = writeRunbook(
      dir,
      `window: { start: "2030-01-01T20:00", duration: 1h, timezone: UTC, rollback_reserve: 10m }\nsteps:\n  - { id: soak, monitor: { run: 'true', every: 5m, for: 48h } }\n${ROLLBACK}`,
      'soak.yaml',
    );
    const plan = JSON.parse((await runCli(['plan', soakOnly, '--format', 'json'], { cwd: dir })).stdout);
    expect(plan.outcome.outcome).toBe('succeeded');
    expect(plan.notes).toEqual([]);
  });
});
