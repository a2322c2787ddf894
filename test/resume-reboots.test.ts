/**
 * A `reboots: true` step in flight counts done only when the machine restarted since it started
 * (its boot id changed); on the same boot it is settled like any other in-flight step. A restart
 * is simulated by rewriting the boot ids in the journal, frames and checksums included.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../src/state/frame.js';
import type { JournalRecord } from '../src/state/records.js';
import { runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

const RUNBOOK = `
steps:
  - { id: before, run: 'echo before >> trace' }
  - { id: reboot, reboots: true, run: 'echo reboot >> trace' }
  - { id: after, run: 'echo after >> trace' }
rollback:
  steps:
    - { id: back, run: 'echo back >> trace' }
`;

function trace(dir: string): string[] {
  return existsSync(join(dir, 'trace')) ? readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Rewrites each record of the newest run's journal through `edit`, with correct frames. */
function rewriteJournal(state: string, edit: (r: Record<string, unknown>) => Record<string, unknown>): void {
  const runs = readdirSync(join(state, 'runs')).sort();
  const file = join(state, 'runs', runs[runs.length - 1]!, 'journal');
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const records = lines.map((line) => edit(JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>));
  writeFileSync(file, Buffer.concat(records.map((r) => encodeFrame(r as unknown as JournalRecord))));
}

/** The machine "restarted": every boot id the journal holds is one this machine no longer has. */
const otherBoot = (r: Record<string, unknown>) => ('bootId' in r ? { ...r, bootId: '00000000-0000-4000-8000-000000000000' } : r);

/** Runs the runbook until the CLI kills itself just after the reboot step's started record. */
async function killedInReboot(): Promise<{ dir: string; state: string }> {
  const dir = tempDir();
  const state = join(dir, 's');
  const file = writeRunbook(dir, RUNBOOK);
  const first = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'after-started:2' } });
  expect(first.signal).toBe('SIGKILL');
  expect(trace(dir)).toEqual(['before']);
  return { dir, state };
}

describe('a reboots step in flight on the same boot', () => {
  it('is not counted done: without a flag resume refuses (exit 5)', async () => {
    const { dir, state } = await killedInReboot();
    const r = await runCli(['resume', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/step reboot was running when the run stopped and reboots the machine, but the machine has not restarted since \(same boot id\).*--fail-in-flight/);
    expect(trace(dir)).toEqual(['before']);
  });

  it('--rerun-in-flight runs it again', async () => {
    const { dir, state } = await killedInReboot();
    const r = await runCli(['resume', '--rerun-in-flight', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(0);
    expect(trace(dir)).toEqual(['before', 'reboot', 'after']);
    expect(journalOf(state).find((x) => x.type === 'decision')).toMatchObject({ key: 'reboot', decision: 'rerun', note: expect.stringMatching(/not restarted/) });
  });

  it('--fail-in-flight counts it failed: its on_failure (the rollback) applies', async () => {
    const { dir, state } = await killedInReboot();
    const r = await runCli(['resume', '--fail-in-flight', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(1);
    expect(trace(dir)).toEqual(['before', 'back']);
    const finished = journalOf(state).find((x) => x.type === 'step_finished' && x.key === 'reboot');
    expect(finished).toMatchObject({ status: 'failed', reason: 'counted as failed on resume' });
  });

  it('the in-flight flags exclude each other (one line, exit 2)', async () => {
    const { dir, state } = await killedInReboot();
    const r = await runCli(['resume', '--fail-in-flight', '--skip-in-flight', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^runbook: --skip-in-flight and --fail-in-flight exclude each other$/);
  });
});

describe('a reboots step in flight after a restart', () => {
  it('counts done when the boot id of its process changed', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    // The CLI dies in the middle of the step (its pid is in the lock), after the process record.
    const file = writeRunbook(
      dir,
      RUNBOOK.replace(
        "- { id: reboot, reboots: true, run: 'echo reboot >> trace' }",
        `- id: reboot
    reboots: true
    run: |
      echo reboot >> trace
      until grep -q '"type":"step_process"' s/runs/*/journal; do sleep 0.05; done
      kill -9 $(grep -o '"pid":[0-9]*' s/locks/t.lock | cut -d: -f2)
      sleep 5`,
      ),
    );
    const first = await runCli(['exec', file, '--state-dir', state], { cwd: dir });
    expect(first.signal).toBe('SIGKILL');
    expect(journalOf(state).some((r) => r.type === 'step_process' && r.key === 'reboot')).toBe(true);
    // Only the process record says which boot the step ran on: the session's boot id stays.
    rewriteJournal(state, (r) => (r.type === 'step_process' ? otherBoot(r) : r));
    const r = await runCli(['resume', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/reboot: done by runbook \(reboots: the machine restarted/);
    expect(trace(dir)).toEqual(['before', 'reboot', 'after']);
  });

  it('counts done when no process record survived and the session boot id changed', async () => {
    const { dir, state } = await killedInReboot();
    expect(journalOf(state).some((r) => r.type === 'step_process' && r.key === 'reboot')).toBe(false);
    rewriteJournal(state, (r) => (r.type === 'run_started' ? otherBoot(r) : r));
    const r = await runCli(['resume', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the machine restarted/);
    expect(trace(dir)).toEqual(['before', 'after']);
    expect(journalOf(state).find((x) => x.type === 'step_finished' && x.key === 'reboot')).toMatchObject({ status: 'succeeded', via: 'in flight at the interruption: counted done' });
  });
});
