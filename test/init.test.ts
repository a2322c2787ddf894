/** `runbook init`: a commented starter that validates cleanly; never overwrites without --force. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, REPO, runCli, tempDir } from './helpers/cli.js';

describe('runbook init', () => {
  it('writes runbook.yaml that validates with no problems at all', async () => {
    const dir = tempDir('runbook-init-');
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'runbook.yaml'), 'utf8');
    expect(text).not.toContain(dir); // nothing of this machine in a file meant to be committed
    for (const kind of ['notify:', 'manual:', 'for_each:', 'run:', 'wait:', 'monitor:', 'rollback:', 'window:', 'contacts:']) expect(text).toContain(kind);
    const v = await runCli(['validate', '--strict', 'runbook.yaml'], { cwd: dir });
    expect(v.stdout).toBe('runbook.yaml: valid\n');
    expect(v.code).toBe(0);
  });

  it('points at schemas/runbook.schema.json relative to the file when a parent directory has it', async () => {
    const dir = tempDir('runbook-init-');
    mkdirSync(join(dir, 'schemas'));
    writeFileSync(join(dir, 'schemas', 'runbook.schema.json'), '{}');
    mkdirSync(join(dir, 'runbooks'));
    expect((await runCli(['init', 'runbooks/patch.yaml'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'runbooks', 'patch.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/runbook.schema.json');
  });

  it('never writes an absolute path: outside a project that has the schema, a comment says how to get one', async () => {
    const dir = tempDir('runbook-init-');
    expect((await runCli(['init', 'x.yaml'], { cwd: dir })).code).toBe(0);
    const text = readFileSync(join(dir, 'x.yaml'), 'utf8');
    expect(text).not.toMatch(/\$schema=\//);
    expect(text.split('\n').slice(0, 2).join('\n')).toBe(
      '# For completion in editors: `runbook schema > runbook.schema.json`, then make this line\n#   # yaml-language-server: $schema=runbook.schema.json',
    );
  });

  it('with runbook installed in the project (node_modules), its schema, relative', async () => {
    const dir = tempDir('runbook-init-');
    writeFileSync(join(dir, 'package.json'), '{}');
    const pkg = join(dir, 'node_modules', 'runbook');
    mkdirSync(join(pkg, 'schemas'), { recursive: true });
    cpSync(join(REPO, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(REPO, 'dist'), join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"runbook","type":"module"}');
    writeFileSync(join(pkg, 'schemas', 'runbook.schema.json'), '{}');
    mkdirSync(join(dir, 'ops'));
    const r = spawnSync(process.execPath, [join(pkg, 'bin', 'runbook.js'), 'init', 'ops/x.yaml'], { cwd: dir, env: cliEnv(), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'ops', 'x.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/runbook/schemas/runbook.schema.json');
  });

  it('inside this repository: the committed schema, relative', async () => {
    const dir = join(REPO, 'test', 'fixtures');
    const name = `init-${process.pid}.yaml`;
    try {
      expect((await runCli(['init', name], { cwd: dir })).code).toBe(0);
      expect(readFileSync(join(dir, name), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../../schemas/runbook.schema.json');
    } finally {
      (await import('node:fs')).rmSync(join(dir, name), { force: true });
    }
  });

  it('refuses to overwrite without --force (exit 2), and overwrites with it', async () => {
    const dir = tempDir('runbook-init-');
    writeFileSync(join(dir, 'runbook.yaml'), 'mine\n');
    const refused = await runCli(['init'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('runbook: runbook.yaml already exists: use --force to overwrite it\n');
    expect(readFileSync(join(dir, 'runbook.yaml'), 'utf8')).toBe('mine\n');
    const forced = await runCli(['init', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'runbook.yaml'), 'utf8')).toContain('version: 1');
  });

  it('a missing directory is a one-line error', async () => {
    const dir = tempDir('runbook-init-');
    const r = await runCli(['init', 'no/such/dir.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('runbook: no/such/dir.yaml: the directory does not exist\n');
  });
});
