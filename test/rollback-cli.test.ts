/** `runbook rollback RUN`: the rollback of a run that already ended (a severity-1 anomaly found after the window). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

describe('runbook rollback RUN', () => {
  it('undoes a finished run newest first, then runs the rollback plan, once', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: 'echo a >> trace', undo: 'echo undo-a >> trace' }
  - { id: b, run: 'echo b >> trace', undo: 'echo undo-b >> trace' }
rollback:
  steps:
    - { id: back, run: 'echo back >> trace' }
`,
    );
    expect((await runCli(['exec', file, '--state-dir', state], { cwd: dir })).code).toBe(0);
    const runId = String(journalOf(state)[0]!.runId);
    const r = await runCli(['rollback', runId, '--state-dir', state], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('a\nb\nundo-b\nundo-a\nback\n');
    const again = await runCli(['rollback', runId, '--state-dir', state], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already rolled back/);
  });
});
