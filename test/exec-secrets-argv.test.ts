/**
 * A secret never enters the argument list of a process the CLI starts (/proc/PID/cmdline is
 * readable by every user on the host): while real runs go on, every process's cmdline is read
 * over and over, and the secret is in none; yet each command received exactly its value.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, collect, runCli, startCli, tempDir, waitFor } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

/** A unique part (found in any quoting of the value) and hostile characters around it. */
const UNIQUE = `tok${process.pid}x${Date.now().toString(36)}`;
const SECRET = `${UNIQUE} 'sq' "dq" $(touch pwned) \`touch pwned\` *.ts ünï 🔑 trailing\\`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Reads every process's cmdline until `done` settles; returns the ones holding `needle`, and
 * which of `markers` were seen (each command ends with `sleep …; : marker`, so that its shell
 * lingers: bash would replace itself with a last simple command).
 */
async function watchArgv(done: Promise<unknown>, needle: string, markers: readonly string[]): Promise<{ leaks: string[]; seen: string[] }> {
  let finished = false;
  void done.finally(() => (finished = true));
  const leaks = new Set<string>();
  const seen = new Set<string>();
  while (!finished) {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let argv: string;
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      if (argv.includes(needle)) leaks.add(argv.replace(/\0/g, ' '));
      for (const m of markers) if (argv.includes(m)) seen.add(m);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { leaks: [...leaks], seen: [...seen].sort() };
}

const hashOf = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8').trim();

describe('secrets in commands', () => {
  it('reach run, wait.until, monitor and undo through the environment, never argv', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    // Each command hashes what it received and lingers so that the watcher sees its process.
    const file = writeRunbook(
      dir,
      `
secrets: { T: { env: MY_T } }
steps:
  - id: plain
    run: |
      printf '%s' \${{ secrets.T }} | sha256sum | cut -c1-64 > unquoted.sha
      printf '%s' "[\${{ secrets.T }}]" | sha256sum | cut -c1-64 > double.sha
      printf '%s' '[\${{ secrets.T }}]' | sha256sum | cut -c1-64 > single.sha
      cat <<EOF | head -c -1 | sha256sum | cut -c1-64 > heredoc.sha
      \${{ secrets.T }}
      EOF
      echo "seen: \${{ secrets.T }}"
      sleep 0.5; : m-run
    undo: "printf '%s' \${{ secrets.T }} | sha256sum | cut -c1-64 > undo.sha; sleep 0.5; : m-undo"
  - id: poll
    wait: { until: "printf '%s' \${{ secrets.T }} | sha256sum | cut -c1-64 > until.sha; sleep 0.5; : m-until", every: 1s, timeout: 20s }
  - id: soak
    monitor: { run: "printf '%s' \${{ secrets.T }} | sha256sum | cut -c1-64 > monitor.sha; sleep 0.5; : m-monitor", every: 1s, for: 1s }
  - { id: fail, run: 'false', on_failure: rollback }
`,
    );
    const done = collect(startCli(['exec', file, '--state-dir', state], { cwd: dir, env: { MY_T: SECRET } }), { timeoutMs: 60_000 });
    const watched = await watchArgv(done, UNIQUE, ['m-run', 'm-undo', 'm-until', 'm-monitor']);
    const r = (await done) as CliResult;
    expect(r.code, r.stdout + r.stderr).toBe(1); // rolled back
    expect(watched.seen).toEqual(['m-monitor', 'm-run', 'm-undo', 'm-until']); // the watcher did see each command's shell
    expect(watched.leaks).toEqual([]);
    expect(hashOf(dir, 'unquoted.sha')).toBe(sha(SECRET));
    expect(hashOf(dir, 'double.sha')).toBe(sha(`[${SECRET}]`));
    expect(hashOf(dir, 'single.sha')).toBe(sha(`[${SECRET}]`));
    expect(hashOf(dir, 'heredoc.sha')).toBe(sha(SECRET));
    for (const f of ['undo.sha', 'until.sha', 'monitor.sha']) expect(hashOf(dir, f), f).toBe(sha(SECRET));
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(r.stdout).toContain('seen: ***');
    expect(r.stdout).toContain("printf '%s' *** | sha256sum"); // the command as shown
    expect(r.stdout + r.stderr).not.toContain(UNIQUE);
  }, 90_000);

  it('reach verify, on resume, through the environment', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
secrets: { T: { env: MY_T } }
steps:
  - id: long
    run: 'touch started; sleep 30'
    verify: "printf '%s' \${{ secrets.T }} | sha256sum | cut -c1-64 > verify.sha; sleep 0.5; : m-verify"
`,
    );
    const env = { MY_T: SECRET };
    const child = startCli(['exec', file, '--state-dir', state], { cwd: dir, env });
    const first = collect(child, { timeoutMs: 30_000 });
    await waitFor(() => existsSync(join(dir, 'started')), 20_000);
    child.kill('SIGINT');
    const stopped = await first;
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(130);
    const resumed = runCli(['resume', '--state-dir', state], { cwd: dir, env, timeoutMs: 30_000 });
    const watched = await watchArgv(resumed, UNIQUE, ['m-verify']);
    const r = await resumed;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('verify exited 0');
    expect(watched.seen).toEqual(['m-verify']);
    expect(watched.leaks).toEqual([]);
    expect(hashOf(dir, 'verify.sha')).toBe(sha(SECRET));
  }, 90_000);

  it('fail the step, without a trace of the value, when it holds a NUL byte', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'nul.secret'), `${UNIQUE}\0rest`);
    const file = writeRunbook(
      dir,
      `
secrets: { T: { file: nul.secret } }
steps:
  - { id: use, run: 'echo \${{ secrets.T }}' }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toContain('use failed: ${{ secrets.T }}: the value holds a NUL byte');
    expect(r.stdout + r.stderr).not.toContain(UNIQUE);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
