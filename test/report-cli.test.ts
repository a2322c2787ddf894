/**
 * `runbook report RUN` through the real CLI: a run of a small local change (exec for real, in
 * a temporary state directory), then its record in Markdown, HTML and JSON.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './helpers/cli.js';

const FIXTURE = join(REPO, 'test', 'fixtures', 'render', 'local-change.yaml');
const SECRET = 's3cr3t-value-for-the-record';

async function execRun(...vars: string[]): Promise<{ dir: string; runId: string; code: number | null }> {
  return execWith((text) => text, [], ...vars);
}

/** A run of the fixture as `edit` changes it, with `flags` for exec. */
async function execWith(edit: (text: string) => string, flags: string[], ...vars: string[]): Promise<{ dir: string; runId: string; code: number | null }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'change.yaml'), edit(readFileSync(FIXTURE, 'utf8')));
  const args = ['exec', 'change.yaml', '--yes', '--state-dir', 'state', ...flags, ...vars.flatMap((v) => ['--var', v])];
  const r = await runCli(args, { cwd: dir, env: { LOCAL_CHANGE_TOKEN: SECRET } });
  const runs = readdirSync(join(dir, 'state', 'runs'));
  expect(runs).toHaveLength(1);
  return { dir, runId: runs[0]!, code: r.code };
}

async function report(dir: string, runId: string, format: string): Promise<string> {
  const r = await runCli(['report', runId, '--state-dir', 'state', '--format', format], { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('runbook report', () => {
  it('records a succeeded run: who, the confirmation, the masked output', async () => {
    const { dir, runId, code } = await execRun();
    expect(code).toBe(0);
    const md = await report(dir, runId.slice(0, -2), 'md');
    expect(md).toContain('- **Outcome:** Succeeded');
    expect(md).toContain(`- **Run:** \`${runId}\``);
    expect(md).toMatch(/- confirmed by .+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(md).toContain('preparing with token ***');
    expect(md).toContain('| `apply[b]` Apply | change | succeeded | 1 | 0 |');
    for (const format of ['md', 'html', 'json']) expect(await report(dir, runId, format)).not.toContain(SECRET);
  });

  it('records a rolled-back run: the failed step, its output, the undo and the rollback', async () => {
    const { dir, runId, code } = await execRun('fail_on=b');
    expect(code).toBe(1);
    const md = await report(dir, runId, 'md');
    expect(md).toContain('- **Outcome:** Failed; rolled back');
    expect(md).toContain('| `apply[b]` Apply | change | failed | 1 | 3 |');
    expect(md).toContain('applying b\n<script>boom</script> | failed on b');
    const json = JSON.parse(await report(dir, runId, 'json')) as { outcome: { state: string }; steps: Array<{ key: string; phase: string; status: string }> };
    expect(json.outcome.state).toBe('rolled_back');
    expect(json.steps.filter((s) => s.phase === 'rollback').map((s) => `${s.key} ${s.status}`)).toEqual(['apply[a]:undo succeeded', 'restore succeeded']);
    const html = await report(dir, runId, 'html');
    expect(html).toContain('&lt;script&gt;boom&lt;/script&gt; | failed on b');
    expect(html).not.toMatch(/<script/i);
  });

  it('records an escalated run with the escalation text', async () => {
    const { dir, runId, code } = await execRun('fail_on=a', 'restore_ok=no');
    expect(code).toBe(3);
    const md = await report(dir, runId, 'md');
    expect(md).toContain('- **Outcome:** Rollback failed: escalated');
    expect(md).toContain('> **Important:** Manual recovery needed. Call the on-call admin and restore by hand.');
  });

  it('records the commands as run, secrets masked', async () => {
    const { dir, runId } = await execRun();
    const md = await report(dir, runId, 'md');
    const prepare = md.slice(md.indexOf('**1. prepare: Prepare**'), md.indexOf('**2. '));
    expect(prepare).toContain('Command, as run (secrets masked):\n\n```text\necho "preparing with token ***"\n```');
    const apply = md.slice(md.indexOf('**4. apply\\[a\\]: Apply**'), md.indexOf('**5. '));
    expect(apply).toContain("echo \"applying a\"\nif [ 'a' = '' ]; then");
    expect(md.slice(md.indexOf('**2. confirm'))).toContain('Instruction:\n\n```text\nLook at the console and confirm it is quiet.\n```');
  });

  it('says when --ignore-window overrode the window', async () => {
    const enforced = (t: string) => t.replace('enforce: false', 'enforce: true');
    const { dir, runId, code } = await execWith(enforced, ['--ignore-window']);
    expect(code).toBe(0);
    const md = await report(dir, runId, 'md');
    expect(md).toMatch(/- \*\*Window overridden:\*\* \\--ignore-window by .+, 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC: outside the maintenance window: it closed 2000-01-01 01:00 UTC/);
    expect(md).toContain('> **Important:** The maintenance window was not enforced for this run (--ignore-window)');
    expect(md).toContain('Window overridden (--ignore-window): outside the maintenance window: it closed');
    expect(md).toMatch(/- \*\*Started:\*\* [^\n]*, \d+d[0-9hms]* after the window closed\n/);
    const plain = await execRun();
    expect(await report(plain.dir, plain.runId, 'md')).not.toContain('overridden');
  });

  it('says TBD for a window whose start is not set', async () => {
    const tbd = (t: string) => t.replace('start: "2000-01-01T00:00"', 'start: TBD');
    const { dir, runId, code } = await execWith(tbd, []);
    expect(code).toBe(0);
    expect(await report(dir, runId, 'md')).toContain('- **Window:** TBD (the runbook sets no start)');
  });

  it('refuses an unknown run with exit 2', async () => {
    const { dir } = await execRun();
    const r = await runCli(['report', 'no-such-run', '--state-dir', 'state'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no run no-such-run/);
  });
});
