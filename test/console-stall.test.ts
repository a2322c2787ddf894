/**
 * A console nobody reads (stdout a pipe whose reader is stuck) must not stall the run: the step's
 * timeout and Ctrl-C act on time, the step's log keeps every line, and the console says how many
 * lines it did not show. The reader here reads nothing until the journal says the run is over.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, collect, runCli, startCli, tempDir, waitFor } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

const LINE = 'a line of output that fills the pipe nobody reads, over and over';

/** Starts the run with its stdout never read (paused, so the pipe fills) until `until` holds. */
async function unreadUntil(args: string[], until: () => boolean, poke?: (child: ChildProcess) => void) {
  const child = startCli(args);
  child.stdout!.pause();
  try {
    await waitFor(until, 30_000);
  } catch (err) {
    child.kill('SIGKILL'); // the build under test stalled: no run left behind
    throw err;
  }
  poke?.(child);
  return child;
}

const records = (state: string) => {
  try {
    return journalOf(state);
  } catch {
    return [];
  }
};

describe('a console nobody reads', () => {
  it("does not hold back the step's timeout; the log has every line, the console a note", async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `\nsteps:\n  - { id: loud, run: 'yes "${LINE}"', timeout: 2s, on_failure: abort }\n`);
    const child = await unreadUntil(['exec', file, '--state-dir', state], () => records(state).some((r) => r.type === 'run_finished'));
    const finished = records(state).find((r) => r.type === 'step_finished');
    expect(finished).toMatchObject({ status: 'failed' });
    expect(String(finished!.reason)).toMatch(/timed out after 2s/);
    child.stdout!.resume();
    const r = await collect(child, { timeoutMs: 30_000 });
    expect(r.code).toBe(4);
    const note = /… (\d+) lines not shown \(the console could not keep up\): `(runbook log \S+ --state-dir \S+)` has every line/.exec(r.stdout);
    expect(note, r.stdout.slice(-2000)).not.toBeNull();
    expect(r.stdout).toMatch(/✗ aborted \(exit 4\): loud failed \(timed out after 2s; last output: a line of output/);
    const shown = r.stdout.split('\n').filter((l) => l.endsWith(LINE)).length;
    const log = await runCli([...note![2]!.split(' ').slice(1), 'loud'], { cwd: dir, timeoutMs: 60_000 });
    const logged = log.stdout.split('\n').filter((l) => l === LINE).length;
    expect(logged).toBeGreaterThanOrEqual(shown + Number(note![1]));
  }, 90_000);

  it('with --format json, the output events it drops are counted in a JSON event of their own', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `\nsteps:\n  - { id: loud, run: 'yes "${LINE}"', timeout: 2s, on_failure: abort }\n`);
    const child = await unreadUntil(['exec', file, '--state-dir', state, '--format', 'json'], () => records(state).some((r) => r.type === 'run_finished'));
    child.stdout!.resume();
    const r = await collect(child, { timeoutMs: 30_000 });
    expect(r.code).toBe(4);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; lines?: number });
    expect(events.find((e) => e.type === 'console_dropped')?.lines).toBeGreaterThan(0);
    expect(events.at(-2)?.type).toBe('run_finished');
  }, 90_000);

  it('stops on Ctrl-C at once, and the resume command is shown', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `\nsteps:\n  - { id: loud, run: 'yes "${LINE}"', idempotent: true }\n`);
    const started = () => records(state).some((r) => r.type === 'step_started');
    const child = await unreadUntil(['exec', file, '--state-dir', state], started, (c) => setTimeout(() => c.kill('SIGINT'), 500));
    await waitFor(() => records(state).some((r) => r.type === 'run_interrupted'), 30_000);
    child.stdout!.resume();
    const r = await collect(child, { timeoutMs: 30_000 });
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/Resume with: runbook resume \S+ --state-dir /);
  }, 90_000);

  it('a console on a full disk (/dev/full): the run goes on and ends as it should, saying so once', () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `\nsteps:\n  - { id: a, run: 'seq 1 1000' }\n  - { id: b, run: 'echo b' }\n`);
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [CLI, 'exec', file, '--state-dir', state], { cwd: dir, env: cliEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
    closeSync(full);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^runbook: the console cannot be written \(ENOSPC[^\n]*\): the run goes on; `runbook log \S+ --state-dir \S+` has every line\n$/);
    expect(records(state).at(-1)).toMatchObject({ type: 'run_finished', outcome: 'succeeded' });
  });
});
