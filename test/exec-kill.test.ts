/**
 * A step dies with its CLI, whatever kills the CLI, on every step (the run's watchdog); a step
 * that outlived both (its CLI and watchdog killed together) is found on resume; a lock holder
 * that is a zombie or whose pid was reused is dead; a step's command line is just its command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, runCli, tempDir, waitFor } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

/** Pids of live (not zombie) processes whose argv[0] is `name`. */
function processesNamed(name: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(`${name}\0`)) found.push(Number(pid));
    } catch {
      /* gone */
    }
  }
  return found;
}

const unique = () => `runbook-orphan-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/** The CLI in a process group of its own (as at a shell prompt), so that the group can be killed. */
function startDetached(args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnv(env), stdio: 'ignore', detached: true });
}

const stepProcess = (state: string) => {
  try {
    return journalOf(state).find((r) => r.type === 'step_process') as { pgid: number } | undefined;
  } catch {
    return undefined; // no run yet
  }
};

const gone = (name: string) => processesNamed(name).length === 0;

const groupOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);

/** Live (not zombie) processes of process group `pgid`. */
function liveMembers(pgid: number): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) found.push(Number(pid));
    } catch {
      /* gone */
    }
  }
  return found;
}

describe('the CLI killed with SIGKILL under a running step', () => {
  for (const [what, env] of [
    ['a plain step', ''],
    ['a step that sets SECONDS (once spawned another way)', 'env: { SECONDS: "5" }'],
  ] as const) {
    it(`takes the step's whole group with it: ${what}`, async () => {
      const dir = tempDir();
      const state = join(dir, 's');
      const name = unique();
      const file = writeRunbook(
        dir,
        `
steps:
  - id: long
    ${env}
    run: 'bash -c "exec -a ${name} sleep 300" & sleep 300'
`,
      );
      const cli = startDetached(['exec', file, '--state-dir', state], dir);
      await waitFor(() => processesNamed(name).length === 1, 15_000);
      const pgid = groupOf(processesNamed(name)[0]!);
      cli.kill('SIGKILL');
      // A zombie is dead (its parent gone, it waits for a reaper that may not come: PID 1 here may not reap).
      await waitFor(() => gone(name) && liveMembers(pgid).length === 0, 10_000);
    });
  }
});

describe('a step that outlived its CLI and the watchdog', () => {
  it('makes a resume without a terminal refuse (exit 5, naming --kill-orphans); --kill-orphans stops it and the run finishes', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const name = unique();
    const file = writeRunbook(
      dir,
      `
steps:
  - id: long
    run: 'if [ -e ran-once ]; then echo again; else touch ran-once; exec -a ${name} sleep 300; fi'
  - { id: last, run: 'echo last' }
`,
    );
    const cli = startDetached(['exec', file, '--state-dir', state], dir);
    await waitFor(() => processesNamed(name).length === 1 && stepProcess(state) !== undefined, 15_000);
    process.kill(-cli.pid!, 'SIGKILL'); // the CLI's group: the CLI and its watchdog, not the step's group
    await new Promise((res) => setTimeout(res, 1500));
    expect(processesNamed(name)).toHaveLength(1);

    const refused = await runCli(['resume', '--state-dir', state, '--rerun-in-flight'], { cwd: dir });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/step long is still running .*--kill-orphans/);
    expect(processesNamed(name)).toHaveLength(1);

    const resumed = await runCli(['resume', '--state-dir', state, '--rerun-in-flight', '--kill-orphans'], { cwd: dir, env: { RUNBOOK_KILL_GRACE_MS: '1000' } });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/still running .*stopping it/);
    expect(resumed.stdout).toMatch(/again/);
    expect(processesNamed(name)).toHaveLength(0);
  });
});

describe('a lock holder', () => {
  const lockFile = (state: string) => join(state, 'locks', 't.lock');

  it('that is a zombie (killed, not yet collected by its parent) is dead: resume takes over', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const name = unique();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: long, run: '[ -e ran-once ] || { touch ran-once; exec -a ${name} sleep 300; }' }
`,
    );
    // The CLI's parent becomes `sleep`, which never collects its children.
    const parent = spawn('bash', ['-c', `"$0" "$1" exec "$2" --state-dir "$3" >/dev/null 2>&1 & exec sleep 60`, process.execPath, CLI, file, state], {
      cwd: dir,
      env: cliEnv(),
      stdio: 'ignore',
      detached: true,
    });
    try {
      await waitFor(() => processesNamed(name).length === 1, 15_000);
      const holder = JSON.parse(readFileSync(lockFile(state), 'utf8')) as { pid: number };
      process.kill(holder.pid, 'SIGKILL');
      await waitFor(() => readFileSync(`/proc/${holder.pid}/stat`, 'utf8').includes(') Z'), 5_000);
      const r = await runCli(['resume', '--state-dir', state, '--rerun-in-flight'], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).toMatch(new RegExp(`took over a stale lock of run .* \\(pid ${holder.pid} on`));
    } finally {
      process.kill(-parent.pid!, 'SIGKILL');
    }
  });

  it('whose pid now belongs to another process (other start time) is dead: exec takes over', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: one, run: 'echo one' }
`,
    );
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      mkdirSync(join(state, 'locks'), { recursive: true });
      const info = { host: hostname(), user: 'ghost', pid: other.pid, bootId, started: '2025-01-01T00:00:00.000Z', runId: 't-20250101-000000-gone', startTime: 1 };
      writeFileSync(lockFile(state), `${JSON.stringify(info)}\n`);
      const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).toMatch(new RegExp(`took over a stale lock of run t-20250101-000000-gone \\(pid ${other.pid} on`));
    } finally {
      other.kill('SIGKILL');
    }
  });
});

describe("a step's command line", () => {
  it('is exactly its shell and command: bash, -eo, pipefail, -c, the command', async () => {
    const dir = tempDir();
    const command = `xargs -0 printf '%s|' < /proc/$$/cmdline > cmdline; printf %s "$BASH_EXECUTION_STRING" > exec-string`;
    const file = writeRunbook(
      dir,
      `
steps:
  - id: show
    run: ${JSON.stringify(command)}
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'cmdline'), 'utf8')).toBe(`bash|-eo|pipefail|-c|${command}|`);
    expect(readFileSync(join(dir, 'exec-string'), 'utf8')).toBe(command);
  });
});
