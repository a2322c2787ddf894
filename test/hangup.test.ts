/** The terminal closes under a running CLI (a dropped SSH session): the run stops as interrupted, and resumes. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, REPO, runCli, tempDir, waitFor } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
};

describe('the terminal hangs up', () => {
  it.each(['text', 'json'])(
    'exits 130 with the interruption journaled and the step stopped (%s)',
    async (format) => {
      const dir = tempDir();
      const state = join(dir, 's');
      const file = writeRunbook(
        dir,
        `
steps:
  - { id: long, run: 'if [ ! -e once ]; then touch once; echo $$ > pid; echo work""ing; sleep 30; fi', idempotent: true }
  - { id: after, run: echo after }
`,
      );
      const r = spawnSync('python3', [join(REPO, 'test/helpers/hang_up.py'), 'working', '--', process.execPath, CLI, 'exec', file, '--state-dir', state, '--format', format], {
        cwd: dir,
        env: cliEnv({ NO_COLOR: undefined, CI: undefined, TERM: 'xterm' }),
        encoding: 'utf8',
        timeout: 40_000,
      });
      expect(r.stdout, r.stderr).toMatch(/status 130\s*$/);
      expect(journalOf(state).at(-1)).toMatchObject({ type: 'run_interrupted', signal: 'SIGHUP' });
      const step = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      await waitFor(() => !alive(step), 10_000);
      const resumed = await runCli(['resume', '--state-dir', state], { cwd: dir });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('after');
    },
    60_000,
  );
});
