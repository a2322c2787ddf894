/** A run killed between a loop's start and its first item's goes on with the items, asking nobody. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

describe('resume: a loop in flight', () => {
  it('continues with its items, without a terminal or a flag', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
vars: { hosts: [a, b] }
steps:
  - { id: pre, run: 'true' }
  - id: loop
    for_each: \${{ vars.hosts }}
    steps:
      - { id: one, run: 'echo item \${{ item }}' }
`,
    );
    const killed = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'after-started:2' } });
    expect(killed.signal).toBe('SIGKILL');
    const r = await runCli(['resume', '--state-dir', state], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('item a');
    expect(r.stdout).toContain('item b');
  });
});
