/** The disk under the state fills during a chatty step: the run stops as interrupted, in one line, and resumes once there is space. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted) spawnSync('umount', [dir]);
});

/** A 1 MiB tmpfs of its own. */
function smallDisk(): string {
  const dir = join(tempDir(), 'small');
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot mount a tmpfs: ${r.stderr.trim()}`);
  mounted.push(dir);
  return dir;
}

describe('a full disk under the state', () => {
  it.skipIf(!isRoot)(
    'stops the run as interrupted with one line naming the disk; resume works once there is space (needs root to mount a tmpfs)',
    async () => {
      const dir = tempDir();
      const state = join(smallDisk(), 'state');
      const file = writeRunbook(
        dir,
        `
steps:
  - { id: chatty, run: 'for i in $(seq 200000); do echo line $i of a chatty step; done' }
  - { id: after, run: echo after }
`,
      );
      const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(130);
      expect(`${r.stdout}${r.stderr}`).toMatch(/runbook: the state in \S+: the disk under it is full \(ENOSPC/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const status = await runCli(['status', '--state-dir', state], { cwd: dir });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/interrupted/);
      const runDir = join(state, 'runs', readdirSync(join(state, 'runs'))[0]!);
      rmSync(join(runDir, 'logs'), { recursive: true }); // space again
      mkdirSync(join(runDir, 'logs'));
      const resumed = await runCli(['resume', '--state-dir', state, '--skip-in-flight'], { cwd: dir });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('after');
    },
    90_000,
  );
});
