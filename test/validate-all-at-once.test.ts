/** validate reports every problem of a file in one run: the schema's and the rules' together. */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

describe('validate: all problems at once', () => {
  it('an unknown key, a bad duration, an unknown zone, a duplicate id and a bad template in one run', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
window: { start: "2030-01-01T20:00", duration: 1h, timezone: Mars/Olympus }
steps:
  - { id: a, run: 'echo \${{ vars.nope }}', timout: 5m }
  - { id: a, run: 'true', timeout: 5 parsecs }
`,
    );
    const r = await runCli(['validate', file], { cwd: dir });
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => /\[([a-z-]+)\]$/.exec(l)?.[1])).toEqual(['window', 'templates', 'unknown-key', 'unique-ids', 'value', undefined]);
    expect(r.stdout).toContain('"Mars/Olympus"');
    expect(r.stdout).toContain('5 errors');
  });

  it('keeps to the schema alone where the rest cannot be checked (a step of no known kind)', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, runn: 'true' }
  - { id: a, run: 'true' }
`,
    );
    const r = await runCli(['validate', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('[unique-ids]');
  });
});
