/** `when:` through the real CLI: validation, exec, resume and plan. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

type Problem = { code: string; line: number; column: number; message: string; severity: string };

async function problems(body: string): Promise<Problem[]> {
  const dir = tempDir();
  const file = writeRunbook(dir, body);
  const r = await runCli(['validate', file, '--format', 'json'], { cwd: dir });
  return (JSON.parse(r.stdout) as { files: Array<{ problems: Problem[] }> }).files[0]!.problems;
}

describe('when: validation', () => {
  it('accepts a condition on step results, vars and the loop variable', async () => {
    const found = await problems(`
vars: { env: prod, servers: [a, b] }
steps:
  - { id: drain, run: 'true' }
  - { id: remove, run: 'true', when: "steps.drain.status != 'succeeded' and vars.env in ['prod', 'stage']" }
  - id: loop
    for_each: \${{ vars.servers }}
    as: server
    steps:
      - { id: one, run: 'true', when: "server != 'b' or steps.drain.exit_code > 0" }
`);
    expect(found.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('names each bad condition and each unknown reference at its place', async () => {
    const found = await problems(`
vars: { env: prod }
secrets: { T: { env: T } }
steps:
  - { id: drain, run: 'true' }
  - { id: b1, run: 'true', when: "steps.drian.status == 'x'" }
  - { id: b2, run: 'true', when: "vars.env = 'prod'" }
  - { id: b3, run: 'true', when: "secrets.T == 'x'" }
  - { id: b4, run: 'true', when: "vars.nope == 1" }
`);
    const errors = found.filter((p) => p.code === 'conditions').map((p) => [p.line, p.column, p.message]);
    expect(errors).toEqual([
      [8, 35, expect.stringMatching(/no step "drian" \(did you mean "drain"\?\)/)],
      [9, 34, expect.stringMatching(/unexpected "="/)],
      [10, 35, expect.stringMatching(/cannot compare a secret/)],
      [11, 35, expect.stringMatching(/no variable "nope"/)],
    ]);
  });
});

describe('when: at run time', () => {
  const body = `
vars: { env: prod, hosts: [a, b] }
steps:
  - { id: drain, run: 'echo in_pool=yes >> "$RUNBOOK_OUTPUT"' }
  - { id: remove, run: 'echo removing >> trace', when: "steps.drain.status != 'succeeded'", on_success: end }
  - { id: byoutput, run: 'echo byoutput >> trace', when: "steps.drain.outputs.in_pool == 'yes'" }
  - id: loop
    for_each: \${{ vars.hosts }}
    steps:
      - { id: one, run: 'echo one-\${{ item }} >> trace', when: "item != 'b'" }
      - { id: two, run: 'echo two-\${{ item }} >> trace', when: "steps.one.status == 'skipped'" }
`;

  it("skips what does not hold, says why, and ignores the skipped step's own branches", async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, body);
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('byoutput\none-a\ntwo-b\n');
    expect(r.stdout).toMatch(/↷ remove skipped: only if step drain did not succeed: it does not hold/);
    const skipped = journalOf(state)
      .filter((rec) => rec.type === 'step_finished' && rec.status === 'skipped')
      .map((rec) => [rec.key, rec.via]);
    expect(skipped).toEqual([
      ['remove', 'when'],
      ['two[a]', 'when'],
      ['one[b]', 'when'],
    ]);
    const report = await runCli(['report', String(journalOf(state)[0]!.runId), '--state-dir', state], { cwd: dir });
    expect(report.stdout).toContain("skipped: only if item is not 'b': it does not hold");
  });

  it('a run killed at any record resumes to the same end, deciding each condition the same way', async () => {
    for (const n of [2, 4, 6, 7]) {
      const dir = tempDir();
      const state = join(dir, 's');
      const file = writeRunbook(dir, body.replaceAll("run: 'echo", "idempotent: true, run: 'echo"));
      const killed = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: `after-started:${n}` } });
      expect(killed.signal, `after-started:${n}`).toBe('SIGKILL');
      const r = await runCli(['resume', '--state-dir', state], { cwd: dir });
      expect(r.code, `${n}: ${r.stderr}`).toBe(0);
      const ran = readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n');
      expect([...new Set(ran)], `after-started:${n}`).toEqual(['byoutput', 'one-a', 'two-b']);
    }
  }, 60_000);

  it('plan decides what it can and says "runs if" for what depends on run-time values', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, body);
    const r = await runCli(['plan', file, '--format', 'json'], { cwd: dir });
    const entries = (JSON.parse(r.stdout) as { entries: Array<{ key: string; status?: string; condition?: string }> }).entries;
    const byKey = Object.fromEntries(entries.map((e) => [e.key, e]));
    expect(byKey.remove).toMatchObject({ status: 'skipped', condition: 'only if step drain did not succeed: it does not hold' });
    expect(byKey.byoutput).toMatchObject({ status: 'succeeded', condition: "runs if steps.drain.outputs.in_pool is 'yes'" });
    expect(byKey['one[b]']?.status).toBe('skipped');
    expect(byKey['two[b]']?.status).toBe('succeeded');
    const text = await runCli(['plan', file], { cwd: dir });
    expect(text.stdout).toContain("? runs if steps.drain.outputs.in_pool is 'yes'");
  });

  it('fails the step before it starts when the condition cannot be evaluated', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
vars: { env: prod }
steps:
  - { id: a, run: 'echo n=x >> "$RUNBOOK_OUTPUT"' }
  - { id: b, run: 'echo b >> trace', when: "steps.a.outputs.n > 2" }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/b failed: when: .*compares numbers/);
    expect(existsSync(join(dir, 'trace'))).toBe(false);
  });
});
