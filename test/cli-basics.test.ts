/** The CLI's own contract: version, help, usage errors and the single error boundary. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/cli.js';

describe('runbook', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('an unknown command or option is a usage error (exit 2)', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['exec', 'x.yaml', '--no-such-option'])).code).toBe(2);
    expect((await runCli(['validate', 'x.yaml', '--format', 'xml'])).code).toBe(2);
  });

  it('bad input is one line with its location, never a stack trace', async () => {
    for (const args of [['exec', '/nonexistent/runbook.yaml'], ['plan', REPO], ['resume', '--state-dir', '/nonexistent-state']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
