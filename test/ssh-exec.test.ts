/**
 * Steps on remote hosts, end to end: the real CLI against real sshd servers on 127.0.0.2-5
 * (test/helpers/sshd.ts), as a test user whose shell rc files are empty.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collect, runCli, startCli, tempDir, waitFor } from './helpers/cli.js';
import { describeWith } from './helpers/servers.js';
import { type Sshd, SUDO_USER, sshdMissing, startSshd, uniqueTag } from './helpers/sshd.js';

let sshd: Sshd;

/** A run directory the remote user can write to (every host is this machine). */
function shared(): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const out = join(dir, 'out');
  mkdirSync(out, { mode: 0o777 });
  chmodSync(out, 0o777);
  return dir;
}

function write(dir: string, body: string, head = sshd.runbookHead()): string {
  writeFileSync(join(dir, 'rb.yaml'), `version: 1\nid: ssh-test\ntitle: SSH test\n${head}\n${body}`);
  return 'rb.yaml';
}

/** Live processes whose command line contains `needle` (zombies excluded). */
function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle)) found.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return found;
}

/** TCP connections established to address:port (the server's side, from /proc/net/tcp). */
function establishedTo(address: string, port: number): number {
  const hex = `${address
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === hex && f[3] === '01';
    }).length;
}

function journal(dir: string): Record<string, unknown>[] {
  const runs = join(dir, '.runbook', 'runs');
  const run = readdirSync(runs)[0]!;
  return readFileSync(join(runs, run, 'journal'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('{'))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>);
}

describeWith(sshdMissing, 'steps on hosts over SSH', () => {
  beforeAll(async () => {
    sshd = await startSshd(4);
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  it('a rolling deploy over four hosts, two at a time, with a failure on one: undo only where it was done, each on its own host', async () => {
    const dir = shared();
    const file = write(
      dir,
      `groups:
  web: [web1, web2, web3, web4]
steps:
  - id: roll
    for_each: \${{ groups.web }}
    as: server
    on: \${{ server }}
    serial: 2
    steps:
      - id: deploy
        run: echo "deploy \${{ host.name }} \${SSH_CONNECTION% *}" >> ${dir}/out/deploy.log; test "\${{ server }}" != web3
        undo: echo "undo \${{ host.name }} \${SSH_CONNECTION% *}" >> ${dir}/out/undo.log
`,
    );
    const r = await runCli(['exec', file], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stdout).toContain('[web3] dep');
    expect(r.stdout).toMatch(/✗ \[web3\] deploy\[web3\] failed/);
    const address = (name: string) => sshd.hosts.find((h) => h.name === name)!.address;
    const undo = readFileSync(join(dir, 'out', 'undo.log'), 'utf8')
      .trim()
      .split('\n')
      .sort();
    // Each undo ran on its host: sshd there saw the connection on its own address.
    expect(undo).toEqual(['web1', 'web2', 'web4'].map((h) => expect.stringMatching(new RegExp(`^undo ${h} .* ${address(h).replace(/\./g, '\\.')}$`))));
    expect(readFileSync(join(dir, 'out', 'deploy.log'), 'utf8')).toContain(`deploy web3 `);
    const started = journal(dir).filter((x) => x.type === 'step_started' && String(x.key).startsWith('deploy'));
    expect(started.map((x) => `${x.key}@${x.host}`).sort()).toContain('deploy[web3]@web3');
    expect(journal(dir).some((x) => x.type === 'step_process' && x.remote === true && x.host === 'web2')).toBe(true);
  }, 90_000);

  it('hostile values through --var, outputs and loop items reach the remote shell unchanged', async () => {
    const dir = shared();
    const hostile = `x;touch PWNED $(touch PWNED2) \`touch PWNED3\` "q" 'q' \\ \n line2 & | > out`;
    const file = write(
      dir,
      `vars:
  v: ''
steps:
  - id: one
    on: web1
    run: printf '%s' "\${{ vars.v }}" > ${dir}/out/var; printf 'o=%s\\n' "\${{ vars.v }}" | tr '\\n' ' ' >> "$RUNBOOK_OUTPUT"
  - id: two
    on: web2
    run: printf '%s' \${{ steps.one.outputs.o }} > ${dir}/out/output; cat; read -r x || echo 'stdin is empty'
  - id: loop
    for_each: ["a;touch PWNED", "$(touch PWNED)", "it's \\"q\\""]
    on: web3
    steps:
      - id: item
        run: printf '%s\\n' \${{ item }} >> ${dir}/out/items
`,
    );
    const r = await runCli(['exec', file, '--var', `v=${hostile}`], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(readFileSync(join(dir, 'out', 'var'), 'utf8')).toBe(hostile);
    expect(r.stdout).toContain('stdin is empty'); // a cat or read in the step gets nothing of the session
    expect(readFileSync(join(dir, 'out', 'output'), 'utf8')).toBe(`${hostile.replace('\n', ' ')} `);
    expect(readFileSync(join(dir, 'out', 'items'), 'utf8')).toBe(`a;touch PWNED\n$(touch PWNED)\nit's "q"\n`);
    const home = `/home/rb-ssh`;
    for (const f of ['PWNED', 'PWNED2', 'PWNED3']) {
      expect(existsSync(join(home, f)), f).toBe(false);
      expect(existsSync(join(dir, f)), f).toBe(false);
    }
  }, 60_000);

  it("a step's env names that the remote stage uses itself (a, n, d, o, e, r, PATH) change nothing of the stage", async () => {
    const dir = shared();
    const file = write(
      dir,
      `vars:
  prog: /usr/bin/id
steps:
  - id: envs
    on: web1
    env: { a: "\${{ vars.prog }}", n: x, d: /nonexistent, o: w, e: y, r: z, ac: 9, PATH: "/usr/bin:/bin" }
    run: printf '%s|' "$a" "$n" "$d" "$o" "$e" "$r" "$ac" > ${dir}/out/envs; echo 'k=v' >> "$RUNBOOK_OUTPUT"
  - id: after
    on: web1
    run: printf '%s' '\${{ steps.envs.outputs.k }}' > ${dir}/out/after
`,
    );
    const r = await runCli(['exec', file], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(readFileSync(join(dir, 'out', 'envs'), 'utf8')).toBe('/usr/bin/id|x|/nonexistent|w|y|z|9|');
    expect(readFileSync(join(dir, 'out', 'after'), 'utf8')).toBe('v');
  }, 60_000);

  it('a timeout stops the whole tree on the host', async () => {
    const dir = shared();
    const tag = uniqueTag();
    const file = write(
      dir,
      `steps:
  - id: slow
    on: web1
    timeout: 2s
    run: (sleep 1${tag} & sleep 2${tag}; wait)
`,
    );
    const r = await runCli(['exec', file], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/timed out after 2s/);
    await waitFor(() => processesWith(`sleep 1${tag}`).length + processesWith(`sleep 2${tag}`).length === 0, 10_000);
  }, 60_000);

  it('kill -9 of the CLI leaves no process on the host', async () => {
    const dir = shared();
    const tag = uniqueTag();
    const file = write(
      dir,
      `steps:
  - id: slow
    on: web2
    run: (sleep 3${tag} &); sleep 4${tag}
`,
    );
    const cli = startCli(['exec', file], { cwd: dir });
    const done = collect(cli, { timeoutMs: 60_000 });
    await waitFor(() => processesWith(`sleep 4${tag}`).length > 0 && processesWith(`sleep 3${tag}`).length > 0, 20_000);
    cli.kill('SIGKILL');
    await done;
    await waitFor(() => processesWith(`sleep 3${tag}`).length + processesWith(`sleep 4${tag}`).length === 0, 15_000);
  }, 60_000);

  it('a secret is never in the argument list of any process, here or on the host, and is masked in the output', async () => {
    const dir = shared();
    const secret = `s3cr3t-${process.pid}-${Date.now()}`;
    const tag = uniqueTag();
    const file = write(
      dir,
      `secrets:
  TOKEN: { env: RB_TEST_TOKEN }
steps:
  - id: use
    on: web3
    run: echo "token \${{ secrets.TOKEN }}"; sleep 5${tag}; echo the shell stays while sleep runs
`,
    );
    const cli = startCli(['exec', file], { cwd: dir, env: { RB_TEST_TOKEN: secret } });
    const done = collect(cli, { timeoutMs: 60_000 });
    await waitFor(() => processesWith(`sleep 5${tag}`).length > 0, 20_000);
    expect(processesWith(secret)).toEqual([]);
    cli.kill('SIGINT');
    const r = await done;
    expect(r.stdout).toContain('token ***');
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.code).toBe(130); // Ctrl-C stopped the step on the host, and the run as interrupted
    await waitFor(() => processesWith(`sleep 5${tag}`).length === 0, 15_000);
  }, 60_000);

  it('steps on one host share a session, nothing of one step stays for the next, and the session ends with the run', async () => {
    const dir = shared();
    const secret = `s3cr3t-${process.pid}-${Date.now()}`;
    const file = write(
      dir,
      `secrets:
  TOKEN: { env: RB_TEST_TOKEN }
steps:
  - id: a
    on: web1
    cwd: ${dir}/out
    env: { ONLY_A: "a" }
    run: echo "$PPID" > ppid-a; echo "$RUNBOOK_OUTPUT" > outputs; echo "k=\${{ secrets.TOKEN }}" >> "$RUNBOOK_OUTPUT"; umask 0
  - id: b
    on: web1
    run: echo "$PPID" > ${dir}/out/ppid-b; echo "a=\${ONLY_A-unset} s=\${RUNBOOK_SECRET_TOKEN-unset} pwd=$PWD umask=$(umask) out=$(cat "$RUNBOOK_OUTPUT")" > ${dir}/out/b
`,
    );
    const r = await runCli(['exec', file], { cwd: dir, timeoutMs: 60_000, env: { RB_TEST_TOKEN: secret } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = (f: string) => readFileSync(join(dir, 'out', f), 'utf8').trim();
    // The same stage served both steps (the step's bash is its child), and b saw nothing of a.
    expect(out('ppid-b')).toBe(out('ppid-a'));
    expect(out('b')).toBe(`a=unset s=unset pwd=/home/rb-ssh umask=0022 out=`);
    // The session ended with the run, and its outputs file with it.
    await waitFor(() => !existsSync(out('outputs')), 10_000);
  }, 60_000);

  it('refuses an unknown and a changed host key before any step runs (exit 5), naming each host', async () => {
    const dir = shared();
    const kh = join(dir, 'known_hosts');
    const other = sshd.hosts[0]!;
    // web1 missing; web2 listed with web1's key.
    const web2 = sshd.hosts[1]!;
    writeFileSync(
      kh,
      `[${web2.address}]:${web2.port} ${other.hostKey}\n${sshd.hosts
        .slice(2)
        .map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`)
        .join('')}`,
    );
    const file = write(
      dir,
      `steps:
  - id: a
    on: web1
    run: touch ${dir}/out/ran-a
  - id: b
    on: web2
    run: touch ${dir}/out/ran-b
  - id: c
    on: web3
    run: touch ${dir}/out/ran-c
  - id: d
    on: web4
    run: touch ${dir}/out/ran-d
`,
      sshd.runbookHead({ knownHosts: kh }),
    );
    await sshd.down('web4');
    const r = await runCli(['exec', file], { cwd: dir, timeoutMs: 60_000 }).finally(() => sshd.up('web4'));
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/web1: .*host key is unknown/);
    expect(r.stderr).toMatch(/web2: .*host key has changed/);
    expect(r.stderr).toMatch(/web4: unreachable: .*Connection refused/);
    expect(r.stderr).not.toMatch(/web3:/);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
    const check = await runCli(['check', file], { cwd: dir, timeoutMs: 60_000 });
    expect(check.code).toBe(5);
    expect(check.stderr).toMatch(/web1: /);
  }, 60_000);

  it('become: refused by the preflight without passwordless sudo; runs as root with it', async () => {
    const dir = shared();
    const body = `steps:
  - id: root
    on: web4
    become: true
    run: id -u > ${dir}/out/uid; echo "\${RUNBOOK_STEP_ID}" >> ${dir}/out/uid
  - id: loop
    for_each: [web3]
    on: \${{ item }}
    become: true
    steps:
      - id: inherits
        run: echo "inherits $(id -u)" >> ${dir}/out/uid
      - id: own
        become: false
        run: echo "own $(id -un)" > ${dir}/out/own
`;
    const no = write(dir, body);
    const r = await runCli(['exec', no], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/web4: become needs passwordless sudo/);
    expect(existsSync(join(dir, 'out', 'uid'))).toBe(false);

    write(dir, body, sshd.runbookHead({ user: SUDO_USER }));
    const ok = await runCli(['exec', 'rb.yaml'], { cwd: dir, timeoutMs: 60_000 });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(readFileSync(join(dir, 'out', 'uid'), 'utf8')).toBe('0\nroot\ninherits 0\n');
    expect(readFileSync(join(dir, 'out', 'own'), 'utf8')).toBe(`own ${SUDO_USER}\n`);
  }, 60_000);

  it('a host lost during a step: unreachable, the run stops as interrupted (130); resume after the host is back finishes it', async () => {
    const dir = shared();
    const file = write(
      dir,
      `steps:
  - id: first
    on: web2
    run: touch ${dir}/out/started; sleep 30
    # True on web2 only: resume must run it there.
    verify: test "\${SSH_CONNECTION##* }" = "${sshd.hosts[1]!.port}" && test -e ${dir}/out/started
  - id: after
    on: web2
    run: touch ${dir}/out/after
`,
    );
    const cli = startCli(['exec', file], { cwd: dir });
    const done = collect(cli, { timeoutMs: 60_000 });
    await waitFor(() => existsSync(join(dir, 'out', 'started')), 20_000);
    await sshd.down('web2');
    const r = await done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stdout).toMatch(/web2 unreachable/);
    expect(existsSync(join(dir, 'out', 'after'))).toBe(false);
    const status = await runCli(['status'], { cwd: dir });
    expect(status.stdout).toMatch(/in flight +first \(step first on web2, attempt 1/);
    const log = await runCli(['log', String(journal(dir)[0]!.runId), 'first'], { cwd: dir });
    expect(log.stdout + log.stderr).toMatch(/change, on web2, attempt 1/);
    await sshd.up('web2');
    const resumed = await runCli(['resume'], { cwd: dir, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/first: done by runbook \(verify exited 0\)/);
    expect(existsSync(join(dir, 'out', 'after'))).toBe(true);
  }, 90_000);

  it('in wait.until, a host that cannot be reached counts as not yet', async () => {
    const dir = shared();
    const file = write(
      dir,
      `steps:
  - id: ready
    on: web4
    wait: { until: "touch ${dir}/out/checked; test -e ${dir}/out/ready", every: 1s, timeout: 60s }
`,
    );
    const cli = startCli(['exec', file], { cwd: dir });
    const done = collect(cli, { timeoutMs: 90_000 });
    await waitFor(() => existsSync(join(dir, 'out', 'checked')), 20_000);
    await sshd.down('web4');
    await new Promise((r) => setTimeout(r, 2500)); // checks fail to connect meanwhile
    await sshd.up('web4');
    writeFileSync(join(dir, 'out', 'ready'), '');
    const r = await done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ \[web4\] ready succeeded/);
    const check = await runCli(['check', file], { cwd: dir, timeoutMs: 60_000 });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('web4: ready');
  }, 90_000);

  it('a batch wider than sshd allows sessions on one connection waits for free ones instead of opening more connections', async () => {
    const dir = shared();
    const naps = `2.${Date.now() % 100000}${process.pid}`; // about two seconds, and a unique command line
    const items = Array.from({ length: 14 }, (_, i) => `i${i}`).join(', ');
    const file = write(
      dir,
      `steps:
  - id: wide
    for_each: [${items}]
    on: web3
    serial: 14
    steps:
      - id: one
        run: sleep ${naps}; echo "\${{ item }}" >> ${dir}/out/done
`,
    );
    const cli = startCli(['exec', file], { cwd: dir });
    const done = collect(cli, { timeoutMs: 60_000 });
    const sleeps = () => processesWith(`sleep ${naps}`).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'));
    await waitFor(() => sleeps().length >= 10, 20_000);
    // Ten sessions at once, the other four waiting, all on the one connection the preflight opened.
    expect(sleeps()).toHaveLength(10);
    expect(establishedTo(sshd.hosts[2]!.address, sshd.hosts[2]!.port)).toBe(1);
    const r = await done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(
      readFileSync(join(dir, 'out', 'done'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(14);
  }, 60_000);

  it("what the host's login scripts print is not the step's output", async () => {
    const dir = shared();
    const rc = `/home/${SUDO_USER}/.bashrc`;
    writeFileSync(rc, 'echo LOGIN-NOISE; echo LOGIN-NOISE-ERR >&2; printf "no newline"\n');
    try {
      const file = write(
        dir,
        `steps:
  - id: out
    on: web1
    run: echo "step says hi"; echo "step err" >&2
`,
        sshd.runbookHead({ user: SUDO_USER }),
      );
      const r = await runCli(['exec', file], { cwd: dir, timeoutMs: 60_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('│ step says hi');
      expect(r.stdout).toContain('┃ step err');
      expect(r.stdout + r.stderr).not.toMatch(/LOGIN-NOISE|no newline/);
    } finally {
      writeFileSync(rc, '');
    }
  }, 60_000);
});
