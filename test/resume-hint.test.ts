/** The resume command printed after an interruption works when pasted from another directory. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, runCli, startCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

describe('the resume hint', () => {
  it('names the default state directory, so that it works from anywhere', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: 'true' }
  - { id: b, run: 'sleep 30' }
`,
    );
    const child = startCli(['exec', file], { cwd: dir });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('▶ [2/2] b')) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const r = await collect(child);
    expect(r.code).toBe(130);
    const hint = /Resume with: (runbook resume .*)$/m.exec(out + r.stdout)?.[1];
    expect(hint).toBe(`runbook resume ${/run (t-\S+)/.exec(out)?.[1]} --state-dir ${join(dir, '.runbook')}`);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const args = hint!.split(' ').slice(1);
    const resumed = await runCli([...args, '--skip-in-flight'], { cwd: elsewhere });
    expect(resumed.code, resumed.stderr).toBe(0);
  });

  it('the refusal of a second exec names the commands that work from anywhere, also for a relative $RUNBOOK_STATE_DIR', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `\nsteps:\n  - { id: a, run: 'true' }\n  - { id: b, run: 'true' }\n`);
    const env = { RUNBOOK_STATE_DIR: 'st', RUNBOOK_FAILPOINT: 'after-started:2' };
    expect((await runCli(['exec', file], { cwd: dir, env })).signal).toBe('SIGKILL');
    const again = await runCli(['exec', file], { cwd: dir, env: { RUNBOOK_STATE_DIR: 'st' } });
    expect(again.code).toBe(5);
    const hint = /resume it with `(runbook resume [^`]+)`, or roll it back with `runbook rollback \S+ --state-dir \S+`/.exec(again.stderr)?.[1];
    expect(hint, again.stderr).toBe(`runbook resume ${/run (t-\S+) of t/.exec(again.stderr)?.[1]} --state-dir ${join(dir, 'st')}`);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const resumed = await runCli([...hint!.split(' ').slice(1), '--rerun-in-flight'], { cwd: elsewhere, env: { RUNBOOK_STATE_DIR: 'st' } });
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
