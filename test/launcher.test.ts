/**
 * Steps start through the persistent launcher (src/executors/launcher.ts); RUNBOOK_LAUNCHER=0
 * spawns each from Node. Both ways must give the same results: values arrive byte for byte,
 * output is split at the right step, and background children do not hold a step open.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, collect, runCli, startCli, tempDir, waitFor, type CliResult } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

const logOf = (state: string, step: string): string => {
  const run = readdirSync(join(state, 'runs'))[0]!;
  const logs = join(state, 'runs', run, 'logs');
  return readFileSync(join(logs, readdirSync(logs).find((f) => f.endsWith(`-${step}.log`))!), 'utf8');
};

/** Writes the runbook in a fresh directory and execs it from there, its state in `<dir>/s`. */
async function execRunbook(yaml: string, env: Record<string, string> = {}): Promise<{ r: CliResult; dir: string; state: string }> {
  const dir = tempDir();
  const state = join(dir, 's');
  const r = await runCli(['exec', writeRunbook(dir, yaml), '--state-dir', state], { cwd: dir, env });
  return { r, dir, state };
}

for (const launcher of ['1', '0']) {
  describe(`steps ${launcher === '1' ? 'through the launcher' : 'spawned from Node (RUNBOOK_LAUNCHER=0)'}`, () => {
    const env = { RUNBOOK_LAUNCHER: launcher };

    it('passes cwd, env and the command byte for byte, quotes, newlines and $(…) included', async () => {
      const dir = tempDir();
      const odd = join(dir, `it's a "dir" $(x) é`);
      mkdirSync(odd);
      const file = writeRunbook(dir, `
steps:
  - id: show
    cwd: ${JSON.stringify(odd)}
    env: { ODD: "it's \\"q\\" $(echo no) \`x\`\\nline2 \\\\ é" }
    run: |
      printf '%s\\n' "$PWD" > "${dir}/out"
      printf '%s' "$ODD" >> "${dir}/out"
`);
      const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env });
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
`, env);
      expect(r.code).toBe(0);
      expect(logOf(state, 'one')).toBe('a1\nno newline ée1');
      expect(logOf(state, 'two')).toBe(`${'é'.repeat(40000)}\nb2\n`);
      expect(logOf(state, 'three')).toBe('c3\n');
    });

    it("does not hold the run up for a background child that never stops writing to stderr", async () => {
      const dir = tempDir();
      const file = writeRunbook(dir, `
steps:
  - { id: spew, run: "yes spew >&2 & echo $! > spew.pid; echo started" }
  - { id: two, run: "echo two" }
  - { id: three, run: "kill $(cat spew.pid); echo three" }
`);
      const t0 = Date.now();
      const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env }).finally(() => {
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
`, env);
      expect(r.code).toBe(0);
      expect(logOf(state, 'loud')).toBe(`${'e'.repeat(3_000_000)}\ntail`);
      expect(logOf(state, 'quiet')).toBe('next\n');
    });

    it('keeps framing when a step prints every process command line (the launcher keeps its marker private)', async () => {
      const { r, state } = await execRunbook(`
steps:
  - { id: procs, run: "cat /proc/[0-9]*/cmdline 2>/dev/null || true; echo; echo last-line" }
  - { id: after, run: "echo c3" }
`, env);
      expect(r.code).toBe(0);
      expect(logOf(state, 'procs')).toMatch(/\nlast-line\n$/);
      expect(logOf(state, 'after')).toBe('c3\n');
    });

    it('does not wait for background children that keep the output open', async () => {
      const dir = tempDir();
      const file = writeRunbook(dir, `
steps:
  - { id: daemon, run: "(sleep 4; echo late) & echo started" }
  - { id: then, run: "echo then" }
`);
      const t0 = Date.now();
      const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env });
      expect(r.code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(r.stdout).toMatch(/started/);
    });

    it(`runs the step's shell ${launcher === '1' ? 'from the launcher' : 'from Node'}`, async () => {
      const { r, dir } = await execRunbook(`
steps:
  - { id: parent, run: "tr '\\\\0' ' ' < /proc/$PPID/cmdline > parent" }
`, env);
      expect(r.code).toBe(0);
      expect(readFileSync(join(dir, 'parent'), 'utf8')).toMatch(launcher === '1' ? /runbook-launcher $/ : /runbook\.js exec /);
    });

    it('waits through a stop: a step stopped (SIGSTOP) and continued ends when it really ends', async () => {
      const { r, state } = await execRunbook(`
steps:
  - { id: paused, run: "(sleep 0.5; while kill -CONT $$ 2>/dev/null; do sleep 0.2; done) & kill -STOP $$; echo resumed" }
  - { id: stop-status, run: "exit 148", expect: { exit_codes: [148] } }
  - { id: after, run: "echo after" }
`, env);
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
`, env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/bash: -c: line 1: syntax error near unexpected token `fi'/);
      expect(r.stdout).toMatch(/✗ bad failed: exit code 2/);
      expect(logOf(state, 'after')).toBe('after\n');
      expect(journalOf(state).filter((j) => j.type === 'step_started' && j.key === 'bad')).toHaveLength(1);
    });

    it("ends a step whose shell gives up before its go-ahead (a slow disk) with the shell's status, once", async () => {
      const dir = tempDir();
      const state = join(dir, 's');
      const file = writeRunbook(dir, `
steps:
  - { id: bad, run: "echo ran >> trace; fi", on_failure: continue }
  - { id: nowhere, cwd: ${JSON.stringify(join(dir, 'missing'))}, run: "echo ran >> trace", on_failure: continue }
  - { id: after, run: "echo after" }
`);
      for (const n of [1, 2]) {
        const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { ...env, RUNBOOK_FAILPOINT: `release-late:${n}` } });
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(n === 1 ? /✗ bad failed: exit code 2/ : /✗ nowhere failed: (exit code 1|could not start)/);
      }
      expect(existsSync(join(dir, 'trace'))).toBe(false);
      expect(journalOf(state).filter((j) => j.type === 'step_started')).toHaveLength(3);
    });

    it('a caller that exports TMOUT (a hardened host) changes nothing: a slow disk, an idle launcher', async () => {
      const dir = tempDir();
      const file = writeRunbook(dir, `
steps:
  - { id: one, run: 'echo "one $TMOUT $PPID"' }
  - { id: pause, wait: 1s }
  - { id: two, shell: bash -x, run: "echo two" }
  - { id: three, run: 'echo "three $PPID"' }
`);
      const state = join(dir, 's');
      const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { ...env, TMOUT: '0.2', RUNBOOK_FAILPOINT: 'release-late:1' } });
      expect(r.code).toBe(0);
      const [, tmout, parent] = logOf(state, 'one').trim().split(' ');
      expect(tmout).toBe('0.2');
      // The same launcher throughout: an idle one did not time out and end.
      expect(logOf(state, 'three')).toBe(`three ${parent}\n`);
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
`, env);
      expect(r.code).toBe(0);
      expect(logOf(state, 'big')).toBe('B0 100001\nB1 100001\nB2 100001\nB3 100001\nB4 100001\n');
      expect(logOf(state, 'after')).toBe('after\n');
    });

    it('reports the exit code of a step killed by a signal and runs the next one', async () => {
      const { r } = await execRunbook(`
steps:
  - { id: killed, run: "kill -9 $$", on_failure: continue }
  - { id: after, run: "echo after" }
`, env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/✗ killed failed: (exit code 137|killed by SIGKILL)/);
      expect(r.stdout).toMatch(/✓ after succeeded/);
    });
  });
}

describe('a step sees the same process either way', () => {
  // What a step can observe of how it was started, minus what differs from run to run.
  const PROBE = String.raw`
    env -0 | LC_ALL=C sort -z | tr '\0\n' '\n~' | grep -v -E '^(RUNBOOK_RUN_ID|RUNBOOK_OUTPUT|RUNBOOK_LAUNCHER|_)='
    grep -E '^Sig(Ign|Blk):' /proc/self/status
    echo "umask $(umask) flags $- pwd $PWD"
    ulimit -a
    for fd in /proc/$$/fd/*; do printf '%s %s\n' "$(basename "$fd")" "$(readlink "$fd" | sed 's/:.*//')"; done
    read -r _ _ _ _ pgrp _ _ tty _ < /proc/$$/stat; echo "own group $([ "$pgrp" = $$ ] && echo yes) tty $tty"
  `;
  /** The probe's output run from Node and through the launcher, from the same directory. */
  const probeBothWays = async (extraEnv: Record<string, string | undefined>): Promise<Array<{ code: number | null; out: string }>> => {
    const dir = tempDir();
    const file = writeRunbook(dir, `
steps:
  - id: probe
    env: { STEP_VAR: "a b", LANG: C.UTF-8 }
    run: |
${PROBE.split('\n').map((l) => `      ${l.trim()}`).join('\n')}
`);
    return Promise.all(['0', '1'].map(async (launcher) => {
      const state = join(dir, `s${launcher}`);
      const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { ...extraEnv, RUNBOOK_LAUNCHER: launcher } });
      // Sorted: stdout and stderr (a locale warning) arrive on two pipes, in either order.
      return { code: r.code, out: r.code === 0 ? logOf(state, 'probe').split('\n').sort().join('\n') : r.stdout };
    }));
  };

  // bash reads ~/.bashrc when its stdin is a socket (as Node's pipes are) and SHLVL is below 2,
  // unless told --norc: the launcher's bash must not, or it would change every step's PATH.
  const home = tempDir();
  writeFileSync(join(home, '.bashrc'), 'export PATH="/bashrc-ran:$PATH"; export BASHRC_RAN=1\n');
  for (const shlvl of ['3', undefined]) {
    it(`environment, signal masks, umask, limits, open files and process group are the same (SHLVL ${shlvl ?? 'unset'})`, async () => {
      const callerVars = { k: '5', key: 'the-caller-s', job: 'x', OLDPWD: shlvl ? '/' : undefined, PS1: '$ ' };
      const [viaNode, viaLauncher] = await probeBothWays({ HOME: home, SHLVL: shlvl, 'ODD.NAME': 'kept', LC_ALL: shlvl ? 'C.UTF-8' : 'xx_XX.UTF-8', ...callerVars });
      expect(viaNode!.code).toBe(0);
      expect(viaNode!.out).toContain('ODD.NAME=kept');
      expect(viaNode!.out).toContain(`SHLVL=${Number(shlvl ?? 0) + 1}`);
      expect(viaNode!.out).not.toContain('BASHRC_RAN');
      expect(viaNode!.out).toContain('key=the-caller-s');
      expect(viaLauncher!.out).toBe(viaNode!.out);
    });
  }

  it('SHELLOPTS and BASHOPTS exported by the caller reach the step as they would from Node', async () => {
    const [viaNode, viaLauncher] = await probeBothWays({ SHELLOPTS: 'braceexpand:hashall:interactive-comments:nounset', BASHOPTS: 'extglob' });
    expect(viaNode!.code).toBe(0);
    expect(viaNode!.out).toContain('flags ehuBc');
    expect(viaLauncher).toEqual(viaNode);
  });

  it('a step may set variables that bash keeps for itself (UID, RANDOM, SECONDS)', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `
steps:
  - id: special
    env: { UID: "4242", RANDOM: "7", SECONDS: "9" }
    run: env | grep -E '^(UID|RANDOM|SECONDS)=' | sort > out-$RUNBOOK_LAUNCHER
`);
    for (const launcher of ['0', '1']) {
      const r = await runCli(['exec', file, '--state-dir', join(dir, `s${launcher}`)], { cwd: dir, env: { RUNBOOK_LAUNCHER: launcher } });
      expect(r.code).toBe(0);
    }
    expect(readFileSync(join(dir, 'out-0'), 'utf8')).toContain('UID=4242\n');
    expect(readFileSync(join(dir, 'out-1'), 'utf8')).toBe(readFileSync(join(dir, 'out-0'), 'utf8'));
  });
});

describe("what the step's shell runs before its command does not show", () => {
  // A step run with bash and quiet options waits for its go-ahead in its own shell (the launcher's
  // GATE, before the command); others wait in the standby. Either way a step sees only its own.
  const bothWays = async (shell: string, run: string, extraEnv: Record<string, string> = {}, stepEnv = '{}'): Promise<string[]> => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bash-env'), 'echo "from BASH_ENV"\n');
    const file = writeRunbook(dir, `
steps:
  - { id: probe, shell: ${JSON.stringify(shell)}, env: ${stepEnv}, run: ${JSON.stringify(run)} }
`);
    return Promise.all(['0', '1'].map(async (launcher) => {
      const state = join(dir, `s${launcher}`);
      const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { ...extraEnv, BASH_ENV: extraEnv.BASH_ENV && join(dir, extraEnv.BASH_ENV), RUNBOOK_LAUNCHER: launcher } });
      expect(r.code).toBe(0);
      // Sorted: stdout and stderr (a trace) arrive on two pipes, in either order.
      return logOf(state, 'probe').split('\n').filter(Boolean).sort().join('\n');
    })) as Promise<string[]>;
  };

  it('a trace (bash -x, -v) shows the command alone', async () => {
    for (const shell of ['bash -x', 'bash -xv', 'bash -eo xtrace']) {
      const [viaNode, viaLauncher] = await bothWays(shell, 'echo "one $LINENO"; true');
      expect(viaNode).toContain('+ echo \'one 1\'');
      expect(viaLauncher).toBe(viaNode);
    }
  });

  it('line numbers, $? and the variables are those of the command (bash -eu, -eo pipefail)', async () => {
    for (const shell of ['bash -eu', 'bash -eo pipefail', 'bash --norc -euo pipefail']) {
      const run = 'echo "status $? line $LINENO"; (set -o posix; set) | grep -E "^_rb=" || echo "no gate variable"; false || echo "line $LINENO"';
      const [viaNode, viaLauncher] = await bothWays(shell, run);
      expect(viaNode).toBe(['line 1', 'no gate variable', 'status 0 line 1'].join('\n'));
      expect(viaLauncher).toBe(viaNode);
    }
  });

  it("BASH_ENV, read when the step's shell starts, and a caller's or step's own _rb", async () => {
    const [a, b] = await bothWays('bash', 'echo "rb=${_rb-unset}"', { BASH_ENV: 'bash-env' });
    expect(a).toBe(['from BASH_ENV', 'rb=unset'].join('\n'));
    expect(b).toBe(a);
    const [c, d] = await bothWays('bash', 'echo "rb=${_rb-unset}"', { _rb: 'the-caller-s' });
    expect(c).toBe('rb=the-caller-s');
    expect(d).toBe(c);
    const [e, f] = await bothWays('bash -e', 'echo "rb=${_rb-unset}"', {}, '{ _rb: "the-step-s" }');
    expect(e).toBe('rb=the-step-s');
    expect(f).toBe(e);
  });
});

describe('the started record comes first', () => {
  it('a step forked but not yet released never runs if the CLI dies; resume runs it once', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `
steps:
  - { id: once, run: "echo ran >> ${dir}/trace", idempotent: true }
`);
    const first = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'before-release' } });
    expect(first.signal).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(dir, 'trace'))).toBe(false);
    const journal = journalOf(state);
    expect(journal.filter((j) => j.type === 'step_started')).toHaveLength(1);
    const r = await runCli(['resume', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('ran\n');
  });

  it('a go-ahead left by a shell that ended without reading it does not start the next step', async () => {
    const dir = tempDir();
    // The first step's shell ends at its syntax error, mostly after its go-ahead was written.
    const file = writeRunbook(dir, `
steps:
  - { id: bad, run: "fi", on_failure: continue }
  - { id: after, run: "echo ran >> ${dir}/trace", idempotent: true }
`);
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'before-release:2' } });
    expect(r.signal).toBe('SIGKILL');
    await new Promise((res) => setTimeout(res, 300));
    expect(existsSync(join(dir, 'trace'))).toBe(false);
  });

  it('a script called bash (a wrapper) runs only after the record is on disk', async () => {
    const dir = tempDir();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'bash'), `#!/bin/sh\necho "$*" >> ${dir}/wrapper.log\nexec ${process.env.SHELL_FOR_TESTS ?? '/bin/bash'} "$@"\n`, { mode: 0o755 });
    const file = writeRunbook(dir, `
steps:
  - { id: once, run: "echo ran >> ${dir}/trace", idempotent: true }
`);
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}`, RUNBOOK_FAILPOINT: 'before-release' } });
    expect(r.signal).toBe('SIGKILL');
    await new Promise((res) => setTimeout(res, 300));
    expect(existsSync(join(dir, 'trace'))).toBe(false);
    // The launcher itself started through the wrapper; the step's shell did not, yet.
    expect(readFileSync(join(dir, 'wrapper.log'), 'utf8')).toMatch(/runbook-launcher/);
    expect(readFileSync(join(dir, 'wrapper.log'), 'utf8')).not.toMatch(/pipefail/);
  });

  it("BASH_ENV included: the step's shell reads it only after the record is on disk", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bash-env'), `echo read >> ${dir}/trace\n`);
    const file = writeRunbook(dir, `
steps:
  - { id: once, run: "echo ran >> ${dir}/trace", idempotent: true }
`);
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { BASH_ENV: join(dir, 'bash-env'), RUNBOOK_FAILPOINT: 'before-release' } });
    expect(r.signal).toBe('SIGKILL');
    await new Promise((res) => setTimeout(res, 300));
    expect(existsSync(join(dir, 'trace'))).toBe(false);
  });
});

describe('a standby killed by someone else', () => {
  it('neither fails nor repeats a step: the job goes to the next standby', async () => {
    const dir = tempDir();
    // After the first batch two launchers are idle, each with a standby forked for its next job.
    // The kill step runs on one of them and kills the other's standby (the other launcher's only
    // child). The second batch needs both launchers.
    const file = writeRunbook(dir, `
vars: { hosts: [a, b] }
steps:
  - id: first
    for_each: \${{ vars.hosts }}
    serial: 2
    steps:
      - { id: one, run: 'sleep 0.2; echo "one \${{ item }}" >> trace' }
  - id: kill-standby
    run: |
      cli=$(ps -o ppid= -p $PPID | tr -d ' ')
      for launcher in $(pgrep -P "$cli"); do
        [ "$launcher" = "$PPID" ] && continue
        for standby in $(pgrep -P "$launcher"); do kill -9 "$standby" && echo "$standby" >> killed; done
      done
  - id: second
    for_each: \${{ vars.hosts }}
    serial: 2
    steps:
      - { id: two, run: 'sleep 0.2; echo "two \${{ item }}" >> trace' }
  - { id: last, run: 'echo last >> trace' }
`);
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.stdout).toContain('succeeded: the change completed');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'killed'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(dir, 'trace'), 'utf8').split('\n').sort()).toEqual(['', 'last', 'one a', 'one b', 'two a', 'two b']);
  });
});

describe('a standby killed after it read its job, before the go-ahead', () => {
  it('ran nothing: the job goes to the next standby and runs once', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(dir, `
steps:
  - { id: one, run: "echo one >> trace" }
  - { id: two, run: "echo two >> trace" }
`);
    // standby-lost:2 kills the shell that read step two's job, before its go-ahead.
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { RUNBOOK_FAILPOINT: 'standby-lost:2' } });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('one\ntwo\n');
    expect(journalOf(state).filter((j) => j.type === 'step_started')).toHaveLength(2);
  });
});

/** Whether the processes are gone (or dead, unreaped) within 2 s. */
async function goneSoon(pids: readonly string[]): Promise<boolean> {
  const gone = (pid: string) => !existsSync(`/proc/${pid}/stat`) || readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] === 'Z';
  for (const until = Date.now() + 2_000; !pids.every(gone) && Date.now() < until; ) await new Promise((res) => setTimeout(res, 50));
  return pids.every(gone);
}

/** Leaves nothing of a failed test running. */
function killGroups(pids: readonly string[]): void {
  for (const pid of pids) {
    try {
      process.kill(-Number(pid), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

describe('the CLI killed under a stopped step', () => {
  it('takes the step with it, stopped (SIGSTOP) and deaf to SIGTERM and SIGHUP as it is', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `
steps:
  - { id: stopped, run: "trap '' HUP TERM; echo $$ > job.pid; kill -STOP $$; sleep 300" }
`);
    const child = startCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    const done = collect(child);
    await waitFor(() => existsSync(join(dir, 'job.pid')) && readFileSync(join(dir, 'job.pid'), 'utf8') !== '');
    await new Promise((res) => setTimeout(res, 200)); // stopped by now
    child.kill('SIGKILL');
    await done;
    const job = readFileSync(join(dir, 'job.pid'), 'utf8').trim();
    try {
      expect(await goneSoon([job])).toBe(true);
    } finally {
      killGroups([job]);
    }
  });
});

describe('the CLI killed under a running step', () => {
  it('takes the step with it (the launcher stops it): it cannot run on beside a resumed run', async () => {
    const dir = tempDir();
    const file = writeRunbook(dir, `
steps:
  - { id: first, run: "echo first" }
  - { id: long, run: "echo $$ > job.pid; sleep 30 & echo $! > bg.pid; wait", idempotent: true }
`);
    const child = startCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    const done = collect(child);
    await waitFor(() => existsSync(join(dir, 'bg.pid')) && readFileSync(join(dir, 'bg.pid'), 'utf8') !== '');
    child.kill('SIGKILL');
    await done;
    const pids = ['job.pid', 'bg.pid'].map((f) => readFileSync(join(dir, f), 'utf8').trim());
    try {
      expect(await goneSoon(pids)).toBe(true);
    } finally {
      killGroups(pids);
    }
  });
});

// In a PID namespace of its own (if this machine lets the tests make one), where a kill of every
// process (kill -1) reaches no further than the namespace.
const namespaces = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

describe('the watchdog of a killed CLI', () => {
  it.skipIf(!namespaces)('is not fooled by a process name that holds a newline into killing other groups', async () => {
    const dir = tempDir();
    // The crafted name makes the first line of its stat file read as a child of the launcher in
    // process group 1 (every process).
    writeRunbook(dir, `
steps:
  - id: craft
    run: |
      ( printf ') a %s 1\\n' "$PPID" > /proc/$BASHPID/comm; sleep 60; : ) > /dev/null 2>&1 &
      sleep 0.2
  - { id: hold, run: "echo $$ > hold.pid; sleep 60" }
`);
    const script = `
      setsid sleep 60 & victim=$!
      node ${JSON.stringify(CLI)} exec runbook.yaml --state-dir s > out.txt 2>&1 & cli=$!
      for i in $(seq 200); do [ -s hold.pid ] && break; sleep 0.05; done
      kill -9 $cli; sleep 1
      kill -0 $victim && echo victim-alive
      kill -0 $(cat hold.pid) 2>/dev/null || echo step-gone
      kill -9 -1 2>/dev/null; true`;
    const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'bash', '-c', script], { cwd: dir, env: cliEnv(), encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toContain('victim-alive');
    expect(r.stdout).toContain('step-gone');
  });
});

describe('a launcher killed under a running step', () => {
  it('takes the step with it: the step fails and nothing of it runs on', async () => {
    const { r, dir } = await execRunbook(`
steps:
  - { id: orphan, run: "sleep 30 & echo $! > bg; kill -9 $PPID; sleep 30" }
`);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/✗ orphan failed: the launcher \(bash\) ended unexpectedly \(SIGKILL\)/);
    const bg = readFileSync(join(dir, 'bg'), 'utf8').trim();
    await new Promise((res) => setTimeout(res, 200));
    // Gone, or a zombie nobody reaps (PID 1 in some containers does not).
    const state = existsSync(`/proc/${bg}/stat`) ? readFileSync(`/proc/${bg}/stat`, 'utf8').replace(/^.*\) /, '')[0] : 'gone';
    expect(['gone', 'Z']).toContain(state);
  });
});

describe('steps without bash', () => {
  it('are spawned from Node when the launcher (bash) cannot start', async () => {
    const dir = tempDir();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const file = writeRunbook(dir, `
defaults: { shell: sh }
steps:
  - { id: one, run: "echo one > ${dir}/out" }
  - { id: two, run: "echo two >> ${dir}/out" }
`);
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { PATH: bin } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('one\ntwo\n');
  });
});

describe("the step's shell, looked up once by the launcher (as a bash loop hashes it)", () => {
  /** A shell that notes which copy of it ran (`name`) in `used`, then runs bash. */
  const writeShell = (dir: string, used: string, name: string): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mysh'), `#!/bin/sh\necho ${name} >> ${used}\nexec /bin/bash "$@"\n`, { mode: 0o755 });
  };

  for (const launcher of ['1', '0']) {
    it(`is looked up again when it is gone, and in a step's own PATH (${launcher === '1' ? 'launcher' : 'Node'})`, async () => {
      const dir = tempDir();
      const used = join(dir, 'used');
      const [a, b, c] = ['a', 'b', 'c'].map((d) => join(dir, d));
      mkdirSync(a!);
      writeShell(b!, used, 'b');
      writeShell(c!, used, 'c');
      const file = writeRunbook(dir, `
defaults: { shell: mysh }
steps:
  - { id: first, run: "true" }
  - { id: move, run: "mv ${b}/mysh ${a}/mysh" }
  - { id: moved, run: "true" }
  - { id: own-path, env: { PATH: "${c}:/usr/bin:/bin" }, run: "true" }
  - { id: last, run: "true" }
`);
      const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { RUNBOOK_LAUNCHER: launcher, PATH: `${a}:${b}:/usr/bin:/bin` } });
      expect(r.code).toBe(0);
      // The copy in b moved to a (the first one in PATH): steps after run that one.
      expect(readFileSync(used, 'utf8')).toBe('b\nb\nb\nc\nb\n');
    });

    it(`is looked up for every step: a copy put earlier in PATH runs from the next step on (${launcher === '1' ? 'launcher' : 'Node'})`, async () => {
      const dir = tempDir();
      const used = join(dir, 'used');
      const [a, b] = ['a', 'b'].map((d) => join(dir, d));
      mkdirSync(a!);
      writeShell(b!, used, 'b');
      // The batch needs two launchers: both must run the new copy.
      const file = writeRunbook(dir, `
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
`);
      const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { RUNBOOK_LAUNCHER: launcher, PATH: `${a}:${b}:/usr/bin:/bin` } });
      expect(r.code).toBe(0);
      expect(readFileSync(used, 'utf8')).toBe('b\nb\na\na\na\n');
    });

    it(`is looked up from the step's directory when PATH has a relative entry (${launcher === '1' ? 'launcher' : 'Node'})`, async () => {
      const dir = tempDir();
      const used = join(dir, 'used');
      // Where the CLI (and the launcher) starts, bin/ has none: looked up there, it would be the
      // fallback's, later in PATH, and the steps would run that one.
      for (const d of ['fallback', 'x', 'y']) writeShell(join(dir, d, 'bin'), used, d);
      const file = writeRunbook(dir, `
defaults: { shell: mysh }
steps:
  - { id: in-x, cwd: x, run: "true" }
  - { id: in-y, cwd: y, run: "true" }
`);
      const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { RUNBOOK_LAUNCHER: launcher, PATH: `bin:${dir}/fallback/bin:/usr/bin:/bin` } });
      expect(r.code).toBe(0);
      expect(readFileSync(used, 'utf8')).toBe('x\ny\n');
    });
  }
});
