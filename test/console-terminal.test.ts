/**
 * The console as the operator sees it, at a real terminal (a pty 80 and 120 columns wide) and in
 * a pipe: lines fit the width without breaking words, numbers say where the run is, the last line
 * names the step that failed first and why, and NO_COLOR, FORCE_COLOR and TERM=dumb do what
 * they say.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, REPO, runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

const ROLLING = `
vars: { servers: [web1, web2, web3] }
steps:
  - { id: prepare, run: 'echo ready' }
  - id: rolling
    for_each: \${{ vars.servers }}
    as: host
    steps:
      - id: drain
        name: Take the server out of rotation behind the load balancer before it is touched
        run: echo "\${{ host }} is now out of rotation behind the load balancer, waiting for its connections to drain"
        undo: echo "\${{ host }} back"
      - id: health
        name: Health check
        run: 'if [ "\${{ host }}" = web2 ]; then echo "health check failed on \${{ host }}: HTTP 500" >&2; exit 1; fi; echo ok'
  - { id: settle, run: 'echo settled' }
rollback:
  steps:
    - { id: verify, run: 'echo verified' }
`;

/** The CLI at a pty of `columns`, with `env`; everything it wrote, as the terminal got it. */
function atTerminal(args: string[], columns: number, env: Record<string, string | undefined> = {}) {
  const r = spawnSync('python3', [join(REPO, 'test/helpers/at_terminal.py'), '--', process.execPath, CLI, ...args], {
    env: cliEnv({ NO_COLOR: undefined, CI: undefined, TERM: 'xterm', PTY_COLUMNS: String(columns), ...env }),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, raw: r.stdout, stderr: r.stderr };
}

/** What lands on each row: the text between line starts (newline, carriage return, cursor to column 1), escapes removed. */
function rows(raw: string): string[] {
  return raw
    .split(/\r|\n|\x1b\[1G/)
    .map((s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))
    .filter((s) => s.trim() !== '');
}

/** The logical lines back: continuation rows (indented) joined to the row before. */
function unwrapped(lines: string[]): string {
  return lines.join('\n').replace(/\n {4}(?!│)/g, ' ');
}

describe('the console at a terminal', () => {
  it('whose output is stopped (Ctrl-S) does not stop the run: the steps go on, and every line comes once it is resumed', () => {
    const dir = tempDir();
    // Far more than a terminal buffers: a blocking write would stop the run inside the first step.
    const rb = writeRunbook(dir, `steps:\n  - { id: loud, run: 'seq 1 100000' }\n  - { id: last, run: 'touch "${join(dir, 'done')}"' }\n`);
    const r = atTerminal(['exec', rb, '--state-dir', join(dir, 'state')], 100, { PTY_STOP_UNTIL: join(dir, 'done') });
    expect(r.stderr).toBe('came while stopped\n');
    expect(r.code, r.raw.slice(-2000)).toBe(0);
    const lines = rows(r.raw);
    expect(lines.filter((l) => /^│ \d+$/.test(l.trim()))).toHaveLength(100_000);
    expect(lines.some((l) => /✓ last succeeded/.test(l))).toBe(true);
  });

  for (const columns of [80, 120]) {
    it(`fits every line to ${columns} columns, says where the run is, and names the first failure`, () => {
      const dir = tempDir();
      const file = writeRunbook(dir, ROLLING);
      const r = atTerminal(['exec', file, '--state-dir', join(dir, 's')], columns);
      expect(r.code, r.raw).toBe(1);
      const lines = rows(r.raw);
      const tooLong = lines.filter((l) => [...l].length >= columns);
      expect(tooLong, r.raw).toEqual([]);
      const text = unwrapped(lines);
      // Words are wrapped whole: every word of the step's name is there, unbroken.
      expect(text).toContain('Take the server out of rotation behind the load balancer before it is touched');
      expect(text).toContain('▶ [2/3] rolling › web2 (2 of 3) › [2/2] health[web2] — Health check');
      expect(text).toContain('▶ [1/3] prepare: echo ready');
      // One count for the whole rollback: its undos, then its steps.
      expect(text).toContain('▶ rollback [1/3] drain[web2]:undo');
      expect(text).toContain('▶ rollback [3/3] verify');
      expect(text).toMatch(/✗ rolled back \(exit 1\): health\[web2\] failed \(exit code 1; last output: health check failed on web2: HTTP 500\); the rollback completed/);
      // Colour at a colour terminal.
      expect(r.raw).toMatch(/\x1b\[3[1-6]m/);
    }, 60_000);
  }

  it('with NO_COLOR keeps the spinner and the layout, without colour', () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `\nsteps:\n  - { id: slow, run: 'sleep 0.5; echo done' }\n`);
    const r = atTerminal(['exec', file, '--state-dir', join(dir, 's')], 80, { NO_COLOR: '1' });
    expect(r.code, r.raw).toBe(0);
    expect(r.raw).not.toMatch(/\x1b\[(3[0-9]|9[0-7]|1|2|22|39)m/);
    expect(r.raw).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[1\/1\] slow · /); // the spinner
    expect(r.raw).not.toMatch(/^\d{4}-\d\d-\d\dT/m); // no plain timestamps
  }, 60_000);

  it('with TERM=dumb writes plain lines with ASCII marks', () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `\nsteps:\n  - { id: a, run: 'echo out; echo err >&2' }\n  - { id: b, run: 'exit 3' }\n`);
    const r = atTerminal(['exec', file, '--state-dir', join(dir, 's')], 80, { TERM: 'dumb' });
    expect(r.code, r.raw).toBe(4);
    expect(r.raw).toMatch(/> \[1\/2\] a: echo out; echo err >&2/);
    expect(r.raw).toMatch(/ {2}\| out/);
    expect(r.raw).toMatch(/ {2}! err/);
    expect(r.raw).toMatch(/\+ a succeeded/);
    expect(r.raw).toMatch(/x aborted \(exit 4\): b failed \(exit code 3\)/);
    expect(r.raw).not.toMatch(/[^\x00-\x7f]/);
  }, 60_000);
});

describe('the console in a pipe', () => {
  it("marks a step's stderr apart from its stdout, and FORCE_COLOR colours it", async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `\nsteps:\n  - { id: a, run: 'echo to-stdout; echo to-stderr >&2' }\n`);
    const plain = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(plain.stdout).toMatch(/ {2}│ to-stdout/);
    expect(plain.stdout).toMatch(/ {2}┃ to-stderr/);
    expect(plain.stdout).not.toMatch(/\x1b\[/);
    const forced = await runCli(['exec', file, '--state-dir', join(dir, 's2')], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\x1b\[32m✓ a succeeded/);
  });

  it('--quiet shows failures and the result only; --verbose each command whole', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `\nsteps:\n  - { id: a, run: "echo one\\necho two" }\n  - { id: b, run: 'echo bad; exit 2' }\n`);
    const quiet = await runCli(['exec', file, '--state-dir', join(dir, 's'), '--quiet'], { cwd: dir });
    expect(quiet.code).toBe(4);
    expect(quiet.stdout).not.toMatch(/▶|succeeded|│ one/);
    expect(quiet.stdout).toMatch(/✗ b failed: exit code 2/);
    expect(quiet.stdout).toMatch(/✗ aborted \(exit 4\): b failed \(exit code 2; last output: bad\)/);
    const verbose = await runCli(['exec', file, '--state-dir', join(dir, 's2'), '--verbose'], { cwd: dir });
    expect(verbose.stdout).toMatch(/▶ \[1\/2\] a: echo one\n.*echo two\n/);
  });
});
