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
});
