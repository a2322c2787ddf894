/**
 * A step failing in a loop's body fails its item; max_failures and the loop's own on_failure
 * decide what follows. The plan says so, and exec of the same runbook does it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

interface PlanJson {
  entries: Array<{ key: string; onFailure: string; branch?: string; status?: string }>;
  outcome: { exitCode: number };
}

async function plan(file: string, ...args: string[]): Promise<PlanJson> {
  const r = await runCli(['plan', file, '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as PlanJson;
}

const entry = (p: PlanJson, key: string) => p.entries.find((e) => e.key === key)!;

/** A loop over w1 and w2 whose body fails for the items named in `failing`, with a rollback plan. */
function loopRunbook(dir: string, loopFields: string, failing: string): string {
  return writeRunbook(
    dir,
    `
steps:
  - id: loop
    for_each: [w1, w2]
    ${loopFields}
    steps:
      - { id: inner, run: 'case \${{ item }} in ${failing}) exit 1;; esac' }
  - { id: after, run: 'true' }
rollback:
  steps:
    - { id: back, run: 'true' }
`,
  );
}

async function exec(file: string, dir: string) {
  const state = join(dir, 'state');
  const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir });
  const ran = journalOf(state)
    .filter((rec) => rec.type === 'step_started')
    .map((rec) => rec.key);
  return { code: r.code, ran };
}

describe('plan: a failing step in a loop body', () => {
  it("with the loop's on_failure: abort, the item fails and the loop aborts without rollback, as exec does", async () => {
    const dir = tempDir();
    const file = loopRunbook(dir, 'on_failure: abort', 'w1');
    const p = await plan(file);
    expect(entry(p, 'inner[w1]').onFailure).toBe('the item fails; the loop fails: abort (no rollback)');
    const rehearsed = await plan(file, '--fail', 'inner[w1]');
    expect(entry(rehearsed, 'inner[w1]').branch).toBe('the item fails; the loop fails: abort (no rollback)');
    expect(rehearsed.outcome.exitCode).toBe(4);
    const run = await exec(file, dir);
    expect(run.code).toBe(4);
    expect(run.ran).toEqual(['loop', 'inner[w1]']); // no w2, no rollback step
  });

  it('with max_failures: 1, the first failed item is allowed and the loop goes on, as exec does', async () => {
    const dir = tempDir();
    const file = loopRunbook(dir, 'on_failure: abort\n    max_failures: 1', 'w1');
    const p = await plan(file, '--fail', 'inner[w1]');
    expect(entry(p, 'inner[w1]').onFailure).toBe('the item fails (1 of 1 allowed); the loop goes on');
    expect(entry(p, 'inner[w1]').branch).toBe('the item fails (1 of 1 allowed); the loop goes on');
    expect(entry(p, 'inner[w2]').onFailure).toBe('the item fails (2, more than max_failures 1); the loop fails: abort (no rollback)');
    expect(p.outcome.exitCode).toBe(0);
    const run = await exec(file, dir);
    expect(run.code).toBe(0);
    expect(run.ran).toEqual(['loop', 'inner[w1]', 'inner[w2]', 'after']);
  });

  it("with max_failures: 1 and both items failing, the loop's default on_failure rolls back, as exec does", async () => {
    const dir = tempDir();
    const file = loopRunbook(dir, 'max_failures: 1', 'w1|w2');
    const p = await plan(file, '--fail', 'inner');
    expect(entry(p, 'inner[w2]').branch).toBe('the item fails (2, more than max_failures 1); the loop fails: rollback: rollback steps back');
    expect(p.outcome.exitCode).toBe(1);
    const run = await exec(file, dir);
    expect(run.code).toBe(1);
    expect(run.ran).toEqual(['loop', 'inner[w1]', 'inner[w2]', 'back']);
  });
});
