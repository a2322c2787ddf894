/**
 * How a step's process runs (src/executors/local-transport.ts): one spawn of its shell, values
 * byte for byte, output split at the right step, background children not holding a step open,
 * and the shell looked up in PATH (the step's own) at every step.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, runCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

const logOf = (state: string, step: string): string => {
  const run = readdirSync(join(state, 'runs'))[0]!;
  const logs = join(state, 'runs', run, 'logs');
  return readFileSync(join(logs, readdirSync(logs).find((f) => f.endsWith(`-${step}.log`))!), 'utf8');
};

/** Writes the runbook in a fresh directory and execs it from there, its state in `<dir>/s`. */
async function execRunbook(yaml: string): Promise<{ r: CliResult; dir: string; state: string }> {
  const dir = tempDir();
  const state = join(dir, 's');
  const r = await runCli(['exec', writeRunbook(dir, yaml), '--state-dir', state], { cwd: dir });
  return { r, dir, state };
}

describe("a step's process", () => {
  it('passes cwd, env and the command byte for byte, quotes, newlines and $(…) included', async () => {
    const dir = tempDir();
    const odd = join(dir, `it's a "dir" $(x) é`);
    mkdirSync(odd);
    const file = writeRunbook(
      dir,
      `
steps:
  - id: show
    cwd: ${JSON.stringify(odd)}
    env: { ODD: "it's \\"q\\" $(echo no) \`x\`\\nline2 \\\\ é" }
    run: |
      printf '%s\\n' "$PWD" > "${dir}/out"
      printf '%s' "$ODD" >> "${dir}/out"
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(`${odd}\nit's "q" $(echo no) \`x\`\nline2 \\ é`);
  });

  it('keeps each step to its own output, unfinished lines and split characters included', async () => {
    const { r, state } = await execRunbook(`
steps:
  - { id: one, run: "printf 'a1\\\\nno newline é'; printf 'e1' >&2" }
  - { id: two, run: "printf 'é%.0s' $(seq 40000); echo; echo b2 >&2" }
  - { id: three, run: "echo c3" }
`);
    expect(r.code).toBe(0);
    expect(logOf(state, 'one')).toBe('a1\nno newline ée1');
    expect(logOf(state, 'two')).toBe(`${'é'.repeat(40000)}\nb2\n`);
    expect(logOf(state, 'three')).toBe('c3\n');
  });

  it('does not hold the run up for a background child that never stops writing to stderr', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: spew, run: "yes spew >&2 & echo $! > spew.pid; echo started" }
  - { id: two, run: "echo two" }
  - { id: three, run: "kill $(cat spew.pid); echo three" }
`,
    );
    const t0 = Date.now();
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir }).finally(() => {
      try {
        process.kill(Number(readFileSync(join(dir, 'spew.pid'), 'utf8')), 'SIGKILL');
      } catch {
        /* stopped by step three, as it should be */
      }
    });
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("keeps a step's stderr to the step, 3 MB of it", async () => {
    const { r, state } = await execRunbook(`
steps:
  - { id: loud, run: "head -c 3000000 /dev/zero | tr '\\\\0' e >&2; echo >&2; printf 'tail' >&2" }
  - { id: quiet, run: "echo next >&2" }
`);
    expect(r.code).toBe(0);
    expect(logOf(state, 'loud')).toBe(`${'e'.repeat(3_000_000)}\ntail`);
    expect(logOf(state, 'quiet')).toBe('next\n');
  });

  it('keeps framing when a step prints every process command line', async () => {
    const { r, state } = await execRunbook(`
steps:
  - { id: procs, run: "cat /proc/[0-9]*/cmdline 2>/dev/null || true; echo; echo last-line" }
  - { id: after, run: "echo c3" }
`);
    expect(r.code).toBe(0);
    expect(logOf(state, 'procs')).toMatch(/\nlast-line\n$/);
    expect(logOf(state, 'after')).toBe('c3\n');
  });

  it('does not wait for background children that keep the output open', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: daemon, run: "(sleep 4; echo late) & echo started" }
  - { id: then, run: "echo then" }
`,
    );
    const t0 = Date.now();
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(r.stdout).toMatch(/started/);
  });

  it("runs the step's shell from the CLI itself", async () => {
    const { r, dir } = await execRunbook(`
steps:
  - { id: parent, run: "tr '\\\\0' ' ' < /proc/$PPID/cmdline > parent" }
`);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'parent'), 'utf8')).toMatch(/runbook\.js exec /);
  });

  it('waits through a stop: a step stopped (SIGSTOP) and continued ends when it really ends', async () => {
    const { r, state } = await execRunbook(`
steps:
  - { id: paused, run: "(sleep 0.5; while kill -CONT $$ 2>/dev/null; do sleep 0.2; done) & kill -STOP $$; echo resumed" }
  - { id: stop-status, run: "exit 148", expect: { exit_codes: [148] } }
  - { id: after, run: "echo after" }
`);
    expect(r.code).toBe(0);
    expect(logOf(state, 'paused')).toBe('resumed\n');
    const paused = journalOf(state).find((j) => j.type === 'step_finished' && j.key === 'paused') as { durationMs?: number } | undefined;
    expect(paused?.durationMs).toBeGreaterThanOrEqual(450);
    expect(logOf(state, 'after')).toBe('after\n');
  });

  it('fails a step with a syntax error on its first line as bash does, running nothing of it, once', async () => {
    const { r, state } = await execRunbook(`
steps:
  - { id: bad, run: "echo ran >> trace; fi", on_failure: continue }
  - { id: after, run: "echo after" }
`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bash: -c: line 1: syntax error near unexpected token `fi'/);
    expect(r.stdout).toMatch(/✗ bad failed: exit code 2/);
    expect(logOf(state, 'after')).toBe('after\n');
    expect(journalOf(state).filter((j) => j.type === 'step_started' && j.key === 'bad')).toHaveLength(1);
  });

  it('passes a job larger than the pipe holds (500 KB of variables)', async () => {
    const big = Array.from({ length: 5 }, (_, i) => `      B${i}: "${String(i).repeat(100_000)}"`).join('\n');
    const { r, state } = await execRunbook(`
steps:
  - id: big
    env:
${big}
    run: for v in B0 B1 B2 B3 B4; do printf '%s %s\\n' "$v" "$(printenv "$v" | wc -c)"; done
  - { id: after, run: "echo after" }
`);
    expect(r.code).toBe(0);
    expect(logOf(state, 'big')).toBe('B0 100001\nB1 100001\nB2 100001\nB3 100001\nB4 100001\n');
    expect(logOf(state, 'after')).toBe('after\n');
  });

  it('reports the exit code of a step killed by a signal and runs the next one', async () => {
    const { r } = await execRunbook(`
steps:
  - { id: killed, run: "kill -9 $$", on_failure: continue }
  - { id: after, run: "echo after" }
`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✗ killed failed: (exit code 137|killed by SIGKILL)/);
    expect(r.stdout).toMatch(/✓ after succeeded/);
  });

  it('a step may set variables that bash keeps for itself (UID, RANDOM, SECONDS)', async () => {
    const { r, dir } = await execRunbook(`
steps:
  - id: special
    env: { UID: "4242", RANDOM: "7", SECONDS: "9" }
    run: env | grep -E '^(UID|RANDOM|SECONDS)=' | sort > out
`);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toContain('UID=4242\n');
  });
});

describe("the step's shell, looked up in PATH at every step", () => {
  /** A shell that notes which copy of it ran (`name`) in `used`, then runs bash. */
  const writeShell = (dir: string, used: string, name: string): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mysh'), `#!/bin/sh\necho ${name} >> ${used}\nexec /bin/bash "$@"\n`, { mode: 0o755 });
  };

  it(`is looked up again when it is gone, and in a step's own PATH`, async () => {
    const dir = tempDir();
    const used = join(dir, 'used');
    const [a, b, c] = ['a', 'b', 'c'].map((d) => join(dir, d));
    mkdirSync(a!);
    writeShell(b!, used, 'b');
    writeShell(c!, used, 'c');
    const file = writeRunbook(
      dir,
      `
defaults: { shell: mysh }
steps:
  - { id: first, run: "true" }
  - { id: move, run: "mv ${b}/mysh ${a}/mysh" }
  - { id: moved, run: "true" }
  - { id: own-path, env: { PATH: "${c}:/usr/bin:/bin" }, run: "true" }
  - { id: last, run: "true" }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { PATH: `${a}:${b}:/usr/bin:/bin` } });
    expect(r.code).toBe(0);
    // The copy in b moved to a (the first one in PATH): steps after run that one.
    expect(readFileSync(used, 'utf8')).toBe('b\nb\nb\nc\nb\n');
  });

  it(`is looked up for every step: a copy put earlier in PATH runs from the next step on`, async () => {
    const dir = tempDir();
    const used = join(dir, 'used');
    const [a, b] = ['a', 'b'].map((d) => join(dir, d));
    mkdirSync(a!);
    writeShell(b!, used, 'b');
    const file = writeRunbook(
      dir,
      `
defaults: { shell: mysh }
vars: { hosts: [h1, h2] }
steps:
  - { id: first, run: "true" }
  - { id: install, run: "sed s/echo.b/echo\\\\ a/ ${b}/mysh > ${a}/mysh && chmod +x ${a}/mysh" }
  - { id: after, run: "true" }
  - id: batch
    for_each: \${{ vars.hosts }}
    serial: 2
    steps:
      - { id: each, run: "true" }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { PATH: `${a}:${b}:/usr/bin:/bin` } });
    expect(r.code).toBe(0);
    expect(readFileSync(used, 'utf8')).toBe('b\nb\na\na\na\n');
  });

  it(`is looked up from the step's directory when PATH has a relative entry`, async () => {
    const dir = tempDir();
    const used = join(dir, 'used');
    // Where the CLI starts, bin/ has none: looked up there, it would be the
    // fallback's, later in PATH, and the steps would run that one.
    for (const d of ['fallback', 'x', 'y']) writeShell(join(dir, d, 'bin'), used, d);
    const file = writeRunbook(
      dir,
      `
defaults: { shell: mysh }
steps:
  - { id: in-x, cwd: x, run: "true" }
  - { id: in-y, cwd: y, run: "true" }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { PATH: `bin:${dir}/fallback/bin:/usr/bin:/bin` } });
    expect(r.code).toBe(0);
    expect(readFileSync(used, 'utf8')).toBe('x\ny\n');
  });
});
