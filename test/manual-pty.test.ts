/** A manual step answered at a real (pseudo-)terminal: who confirmed, when, and the note are journaled. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, REPO, runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

function atTerminal(dir: string, answers: string[], args: string[]) {
  const r = spawnSync('python3', [join(REPO, 'test/helpers/at_terminal.py'), ...answers, '--', process.execPath, CLI, ...args], {
    cwd: dir,
    env: cliEnv({ NO_COLOR: undefined, CI: undefined, TERM: 'xterm' }),
    encoding: 'utf8',
    timeout: 40_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}${r.error ?? ''}` };
}

describe('manual steps at a terminal', () => {
  it('records the confirmation with who and the note', () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: cable, manual: Move the network cable from port 1 to port 24, confirm: Is the link light on? }
  - { id: after, run: echo after }
`,
    );
    const r = atTerminal(dir, ['link light on?=>y: link is up, green'], ['exec', file, '--state-dir', state]);
    expect(r.out).toContain('Move the network cable from port 1 to port 24');
    expect(r.code).toBe(0);
    const decision = journalOf(state).find((rec) => rec.type === 'decision');
    expect(decision).toMatchObject({ key: 'cable', decision: 'confirmed', note: 'link is up, green' });
    expect(String(decision?.by)).toMatch(/@/);
  });

  it('an answer that is not understood says why and asks again', () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `\nsteps:\n  - { id: cable, manual: Move the cable, confirm: Is the link light on? }\n`);
    const r = atTerminal(dir, ['link light on?=>maybe', '[y/n/s]: =>y'], ['exec', file, '--state-dir', state]);
    expect(r.out).toContain('"maybe" is not understood: answer y (done), n (it failed) or s (skip)');
    expect(r.code, r.out).toBe(0);
    expect(journalOf(state).find((rec) => rec.type === 'decision')).toMatchObject({ key: 'cable', decision: 'confirmed' });
  });

  it('an operator who answers "failed" starts the rollback', () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: cable, manual: Move the network cable }
rollback:
  steps:
    - { id: back, run: echo moving back }
`,
    );
    const r = atTerminal(dir, ['Done?=>n: no link'], ['exec', file, '--state-dir', state]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the operator reported failure: no link/);
  });

  it('plan and the notice say how long a manual step waits for its answer', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, 'steps:\n  - { id: cable, manual: Move the network cable, timeout: 5m }\n');
    const plan = await runCli(['plan', file], { cwd: dir });
    expect(plan.stdout).toMatch(/cable \[MANUAL\]\n {7}» Move the network cable\n {7}fails if nobody answers within 5m\n/);
    const notice = await runCli(['render', file], { cwd: dir });
    expect(notice.stdout).toContain('Confirmation asked: Done? Without an answer within 5m, the step fails.');
  });

  it('a manual step with a timeout fails when nobody answers in time, and its on_failure applies', () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: cable, manual: Move the network cable, timeout: 2s }
  - { id: after, run: echo after >> trace }
rollback:
  steps:
    - { id: back, run: echo back >> trace }
`,
    );
    const t0 = Date.now();
    const r = atTerminal(dir, [], ['exec', file, '--state-dir', state]); // no answers: the question stays open
    const tookMs = Date.now() - t0;
    expect(r.out).toMatch(/Done\? \[y\]es/);
    expect(r.code).toBe(1);
    expect(tookMs).toBeGreaterThanOrEqual(2000);
    expect(tookMs).toBeLessThan(15_000);
    expect(r.out).toMatch(/no answer within 2s/);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('back\n');
    const finished = journalOf(state).find((rec) => rec.type === 'step_finished' && rec.key === 'cable');
    expect(finished).toMatchObject({ status: 'failed', reason: 'no answer within 2s: the question was abandoned' });
    expect(journalOf(state).some((rec) => rec.type === 'decision' && rec.key === 'cable')).toBe(false);
  });
});
