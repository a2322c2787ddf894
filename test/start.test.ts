/**
 * Starting (bin/runbook.js, src/cli/node-version.ts): the CLI prints its version, and refuses an
 * older Node.js than package.json's engines in one line (exit 2) before it loads anything else.
 * The CLI itself runs on that oldest Node: RUNBOOK_OLDEST_NODE names its binary (.ci/run
 * installs it); under CI that run is required, elsewhere it is skipped without one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeTooOld, OLDEST_NODE } from '../src/cli/node-version.js';
import { CLI, cliEnv, REPO, runCli } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const OLDEST = process.env.RUNBOOK_OLDEST_NODE;

/** The CLI run by `node`, which reports `version` as its own. */
function runAs(version: string, args: string[]) {
  const fake = `data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:"${version}"}})`;
  return spawnSync(process.execPath, ['--import', fake, CLI, ...args], { env: cliEnv(), encoding: 'utf8' });
}

describe('start', () => {
  it('prints the version for -V and --version', async () => {
    for (const flag of ['-V', '--version']) {
      const r = await runCli([flag]);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('states the oldest Node.js in package.json as the check does', () => {
    expect(pkg.engines.node).toBe(`>=${OLDEST_NODE}`);
  });

  it('tells an older Node.js from a new enough one', () => {
    for (const v of ['18.20.4', '20.0.0', '20.18.3', 'v19.99.99', '0.10.48']) expect(nodeTooOld(v), v).toBe(`needs Node.js >= ${OLDEST_NODE} (this is v${v.replace(/^v/, '')})`);
    for (const v of [OLDEST_NODE, '20.19.1', '20.20.0', '21.0.0', '22.12.0', '24.1.0', '100.0.0']) expect(nodeTooOld(v), v).toBeUndefined();
  });

  it('refuses an older Node.js in one line, exit 2, before the CLI loads', () => {
    for (const args of [['--version'], ['validate', join(REPO, 'runbooks', 'demo.yaml')]]) {
      const r = runAs('20.10.0', args);
      expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: '', stderr: `runbook: needs Node.js >= ${OLDEST_NODE} (this is v20.10.0)\n` });
    }
    expect(runAs(OLDEST_NODE, ['--version']).status).toBe(0);
  });

  it.skipIf(!OLDEST && !process.env.CI)(`runs on the oldest Node.js (${OLDEST ?? 'RUNBOOK_OLDEST_NODE not set'})`, () => {
    expect(OLDEST && existsSync(OLDEST), 'RUNBOOK_OLDEST_NODE must name a node binary under CI').toBeTruthy();
    const version = spawnSync(OLDEST!, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(version).toBe(`v${OLDEST_NODE}`);
    const r = spawnSync(OLDEST!, [CLI, 'validate', join(REPO, 'runbooks', 'demo.yaml')], { env: cliEnv(), encoding: 'utf8' });
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  });
});
