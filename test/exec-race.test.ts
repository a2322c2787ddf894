/** Many operators starting the same runbook at once: one runs it, every other is refused in one line. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

describe('exec racing for one lock', () => {
  it('20 processes: exactly one runs, every other exits 5 with "locked by"', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, 'steps:\n  - { id: a, run: sleep 5 }\n');
    const state = join(dir, 'state');
    const results = await Promise.all(Array.from({ length: 20 }, () => runCli(['exec', file, '--state-dir', state], { cwd: dir, timeoutMs: 60_000 })));
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    for (const r of losers) {
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(/^runbook: t is locked by run t-/);
    }
    const runs = await runCli(['runs', '--state-dir', state, '--format', 'json'], { cwd: dir });
    expect((JSON.parse(runs.stdout) as unknown[]).length).toBe(1);
  }, 90_000);
});
