/** What the plan says matches what exec does and what the other documents say. */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

describe('plan: the same words as the notice', () => {
  it('says a 48-hour soak in hours, as the notice does', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `
steps:
  - { id: soak, monitor: { run: 'true', every: 5m, for: 48h32m } }
`);
    const plan = await runCli(['plan', file], { cwd: dir });
    const notice = await runCli(['render', file], { cwd: dir });
    for (const out of [plan.stdout, notice.stdout]) {
      expect(out).toContain('48h32m');
      expect(out).not.toMatch(/\b2d/);
    }
  });
});
