/**
 * Attempts are counted across resumes: a step killed mid-way and re-run on resume is its next
 * attempt in the journal, in RUNBOOK_ATTEMPT and in the report; the operator's re-run is recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

describe('attempts across resumes', () => {
  it('a step killed twice and re-run is attempt 3, for the step, the journal and the report', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    // The first two attempts kill the CLI (its pid is in the lock) in the middle of the step.
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: before, run: 'echo before' }
  - id: migrate
    run: |
      echo $RUNBOOK_ATTEMPT >> attempts
      if [ "$RUNBOOK_ATTEMPT" -lt 3 ]; then kill -9 $(grep -o '"pid":[0-9]*' s/locks/t.lock | cut -d: -f2); sleep 5; fi
  - { id: after, run: 'echo after' }
`,
    );
    expect((await runCli(['exec', file, '--state-dir', state], { cwd: dir })).signal).toBe('SIGKILL');
    expect((await runCli(['resume', '--rerun-in-flight', '--state-dir', state], { cwd: dir })).signal).toBe('SIGKILL');
    const last = await runCli(['resume', '--rerun-in-flight', '--state-dir', state], { cwd: dir });
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(/migrate.*\(attempt 3\)/);
    expect(readFileSync(join(dir, 'attempts'), 'utf8')).toBe('1\n2\n3\n');

    const journal = journalOf(state);
    expect(journal.filter((r) => r.type === 'step_started' && r.key === 'migrate').map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(journal.find((r) => r.type === 'step_finished' && r.key === 'migrate')).toMatchObject({ status: 'succeeded', attempts: 3 });
    // Each re-run is the operator's decision (through the flag), with who and when.
    const reruns = journal.filter((r) => r.type === 'decision' && r.key === 'migrate');
    expect(reruns).toHaveLength(2);
    for (const d of reruns) {
      expect(d).toMatchObject({ decision: 'rerun', visit: 1 });
      expect(String(d.by)).toMatch(/@/);
      expect(Number.isNaN(Date.parse(String(d.at)))).toBe(false);
    }

    const runId = String(journal[0]!.runId);
    const report = await runCli(['report', runId, '--state-dir', state, '--format', 'json'], { cwd: dir });
    expect(report.code).toBe(0);
    const steps = (JSON.parse(report.stdout) as { steps: Array<{ key: string; attempts: number; decisions: Array<{ by: string; decision: string }> }> }).steps;
    const migrate = steps.filter((s) => s.key === 'migrate');
    expect(migrate).toHaveLength(1);
    expect(migrate[0]).toMatchObject({ attempts: 3 });
    expect(migrate[0]!.decisions.map((d) => d.decision)).toEqual(['rerun', 'rerun']);
    const md = await runCli(['report', runId, '--state-dir', state], { cwd: dir });
    const migrateSection = md.stdout.slice(md.stdout.indexOf('**2. migrate**'), md.stdout.indexOf('**3. after**'));
    expect(migrateSection).toContain('; 3 attempts;');
    expect(md.stdout).toMatch(/\| `migrate` [^|]*\| change \| succeeded \| 3 \|/);
  });

  it('a step counted failed on resume keeps the attempt it was in', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `steps:\n  - { id: a, run: 'echo a' }\n  - { id: b, run: 'echo b' }\n`);
    const killAfterStarted = (n: number) => ({ cwd: dir, env: { RUNBOOK_FAILPOINT: `after-started:${n}` } });
    expect((await runCli(['exec', file, '--state-dir', state], killAfterStarted(2))).signal).toBe('SIGKILL');
    expect((await runCli(['resume', '--rerun-in-flight', '--state-dir', state], killAfterStarted(1))).signal).toBe('SIGKILL');
    expect((await runCli(['resume', '--fail-in-flight', '--state-dir', state], { cwd: dir })).code).toBe(4);
    const journal = journalOf(state);
    expect(journal.filter((r) => r.type === 'step_started' && r.key === 'b').map((r) => r.attempt)).toEqual([1, 2]);
    expect(journal.find((r) => r.type === 'step_finished' && r.key === 'b')).toMatchObject({ status: 'failed', attempts: 2 });
  });
});
