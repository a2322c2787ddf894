/** `runbook validate`: output formats, --strict, several files, exit codes (the real CLI). */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const VALID = ['test/fixtures/valid/every-field.yaml', 'test/fixtures/valid/minimal.yaml'];
const BROKEN = 'test/fixtures/invalid/unknown-key.yaml';
const WARNED = 'test/fixtures/invalid/reboots-idempotent.yaml';

describe('runbook validate', () => {
  it('valid files: exit 0 and one summary line each', async () => {
    const r = await runCli(['validate', ...VALID]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VALID[0]}: valid\n${VALID[1]}: valid\n`);
    expect(r.stderr).toBe('');
  });

  it('one invalid file among valid ones: exit 2, problems and a summary per file', async () => {
    const r = await runCli(['validate', VALID[0] as string, BROKEN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`${VALID[0]}: valid\n` + `${BROKEN}:9:5: error: unknown key "tiemout" (did you mean "timeout"?) [unknown-key]\n` + `${BROKEN}: 1 error\n`);
  });

  it('warnings alone keep a file valid; --strict makes them errors', async () => {
    const plain = await runCli(['validate', WARNED]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/:9:14: warning: reboots and idempotent .* \[step-flags\]\n/);
    expect(plain.stdout).toMatch(new RegExp(`${WARNED}: valid, 1 warning\\n$`));
    const strict = await runCli(['validate', '--strict', WARNED]);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toMatch(/:9:14: error: reboots and idempotent/);
    expect(strict.stdout).toMatch(/: 1 error\n$/);
  });

  it('--format json: { files: [{ file, valid, errors, warnings, problems }] }', async () => {
    const r = await runCli(['validate', '--format', 'json', VALID[1] as string, BROKEN]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { files: Array<Record<string, unknown>> };
    expect(out.files).toEqual([
      { file: VALID[1], valid: true, errors: 0, warnings: 0, problems: [] },
      {
        file: BROKEN,
        valid: false,
        errors: 1,
        warnings: 0,
        problems: [{ severity: 'error', code: 'unknown-key', message: 'unknown key "tiemout" (did you mean "timeout"?)', file: BROKEN, line: 9, column: 5 }],
      },
    ]);
  });

  it('--format github: workflow commands', async () => {
    const r = await runCli(['validate', '--format', 'github', BROKEN, WARNED]);
    expect(r.code).toBe(0 + 2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain(`::error file=${BROKEN},line=9,col=5,title=runbook unknown-key::unknown key "tiemout" (did you mean "timeout"?)`);
    expect(lines.some((l) => l.startsWith(`::warning file=${WARNED},line=9,col=14,title=runbook step-flags::reboots and idempotent`))).toBe(true);
  });

  it('an unknown format is a usage error', async () => {
    const r = await runCli(['validate', '--format', 'xml', BROKEN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('checks the runbooks shipped in runbooks/', async () => {
    const r = await runCli(['validate', 'runbooks/email-patch.yaml', 'runbooks/kns-rolling-deploy.yaml', 'runbooks/network-migration.yaml', 'runbooks/conx-aws-production.yaml']);
    expect(r.stdout).not.toMatch(/: error: /);
    expect(r.code).toBe(0);
  });
});
