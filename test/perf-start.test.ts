/**
 * Starting fast (scripts/build.mjs, src/cli/start.ts): the built CLI runs with the V8 code cache
 * the build made for it, and runs the same without it: when it is missing, made for another
 * build, or rejected by V8 (cut short, or other V8 flags).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cliEnv, REPO, runCli, tempDir } from './helpers/cli.js';

/** The dist directory of the CLI under test (bin/runbook.js runs ../dist/main.js). */
const DIST = basename(CLI) === 'main.js' ? dirname(CLI) : join(dirname(CLI), '..', 'dist');
const FILES = ['main.js', 'cli.js', 'cli.js.cache'];
const VALID = join(REPO, 'runbooks', 'demo.yaml');
const INVALID = join(REPO, 'test', 'fixtures', 'invalid', 'duplicate-id.yaml');

const copy = tempDir('runbook-start-');
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function run(args: string[], nodeFlags: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeFlags, join(copy, 'main.js'), ...args], { env: cliEnv({ RUNBOOK_DEBUG_START: '1' }), encoding: 'utf8' });
  const [debug, ...rest] = r.stderr.split('\n');
  return { code: r.status, stdout: r.stdout, stderr: rest.join('\n'), cache: debug?.replace(/^runbook: code cache /, '') };
}

describe('start', () => {
  it('uses the code cache the build made', async () => {
    const r = await runCli(['validate', VALID], { env: { RUNBOOK_DEBUG_START: '1' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('runbook: code cache used\n');
  });

  it('runs the same without a usable cache', () => {
    for (const f of FILES) copyFileSync(join(DIST, f), join(copy, f));
    const cache = readFileSync(join(copy, 'cli.js.cache'));
    const cases = [['validate', VALID], ['validate', INVALID], ['validate', INVALID, '--format', 'json'], ['nonsense']];
    const expected = cases.map((args) => run(args));
    for (const e of expected) expect(e.cache).toBe('used');
    expect(expected.map((e) => e.code)).toEqual([0, 2, 2, 2]);

    const check = (what: string, nodeFlags: string[] = []) => {
      cases.forEach((args, i) => {
        const r = run(args, nodeFlags);
        expect(r.cache, `${what}: ${args.join(' ')}`).toBe(what === 'missing' || what === 'another build' ? 'missing' : 'rejected');
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, `${what}: ${args.join(' ')}`).toEqual({ code: expected[i]!.code, stdout: expected[i]!.stdout, stderr: expected[i]!.stderr });
      });
    };
    check('rejected', ['--max-semi-space-size=1']); // V8 rejects a cache made with other flags
    writeFileSync(join(copy, 'cli.js.cache'), cache.subarray(0, cache.length >> 1));
    check('cut short');
    const other = Buffer.from(cache);
    other[0] = other[0] === 0x30 ? 0x31 : 0x30; // the build id
    writeFileSync(join(copy, 'cli.js.cache'), other);
    check('another build');
    rmSync(join(copy, 'cli.js.cache'));
    check('missing');
  });

  it('prints the version for -V and --version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['-V', '--version']) {
      const r = await runCli([flag]);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});
