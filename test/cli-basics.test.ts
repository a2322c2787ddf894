/** The CLI's own contract: version, help, usage errors and the single error boundary. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, startCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

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
    for (const args of [
      ['exec', '/nonexistent/runbook.yaml'],
      ['plan', REPO],
      ['resume', '--state-dir', '/nonexistent-state'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a reader that goes away (`runbook plan | head -1`) ends the command quietly, exit 0', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `steps:\n${Array.from({ length: 3000 }, (_, i) => `  - { id: s${i}, run: "echo ${i}" }\n`).join('')}`);
    const child = startCli(['plan', file], { cwd: dir });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.once('data', () => child.stdout!.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
