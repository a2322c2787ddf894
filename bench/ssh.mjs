#!/usr/bin/env node
// SSH benchmarks (root: it starts sshd on 127.0.0.2-5 with the test harness, test/helpers/sshd.ts,
// as a test user whose shell rc files are empty). Every figure a median of BENCH_RUNS runs (default 3),
// every comparison a ratio against a baseline measured in the same run, taken in turns.
//   (a) a remote step through the run's master connection vs a bare `ssh -o ControlPath=...` loop
//       running the same command (goal <= 1.3x);
//   (b) 20 steps on each of 4 hosts, serial: 4, vs ansible-playbook doing the same over SSH
//       (ControlPersist on, its defaults otherwise; goal: runbook >= 10x faster).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const REPO = resolve(import.meta.dirname, '..');
const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(REPO, 'bin', 'runbook.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'runbook-bench-ssh-'));
const env = { ...process.env, NO_COLOR: '1', CI: '1' };

// The harness is TypeScript: bundle it for this script (inside the repo, where its imports resolve).
const harness = join(REPO, 'node_modules', '.cache', 'runbook-bench', 'sshd.mjs');
await build({ entryPoints: [join(REPO, 'test/helpers/sshd.ts')], bundle: true, platform: 'node', format: 'esm', outfile: harness, external: ['vitest'], logLevel: 'error' });
const { startSshd } = await import(harness);
const sshd = await startSshd(4);

function time(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: work, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const rows = [];
let stateN = 0;

function runbook(name, body) {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `version: 1\nid: ${name}\ntitle: bench ${name}\n${sshd.runbookHead()}\n${body}`);
  return file;
}
const exec = (file) => time('node', [CLI, 'exec', file, '--state-dir', join(work, `state-${stateN++}`)]);

/** Runs the sides in turns, RUNS times each (after one warm-up), and returns their stats. */
function inTurns(sides) {
  for (const f of Object.values(sides)) f();
  const samples = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const [k, f] of Object.entries(sides)) samples[k].push(f());
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, stats(xs)]));
}

try {
  // (a) Per remote step: (exec of N steps - exec of 1) / (N - 1), against the same for a bare loop.
  {
    const N = 41;
    const steps = (n) => `steps:\n${Array.from({ length: n }, (_, i) => `  - { id: s${i}, on: web1, run: "true" }\n`).join('')}`;
    const one = runbook('one', steps(1));
    const many = runbook('many', steps(N));
    const sock = join(mkdtempSync('/tmp/rbb-'), 'm');
    const base = ['-F', sshd.config, '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-o', 'BatchMode=yes', '-o', `ControlPath=${sock}`];
    time('ssh', [...base, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=120', '-N', '-f', 'web1']);
    const bare = (n) => time('bash', ['-c', `for i in $(seq ${n}); do ssh ${base.join(' ')} web1 true; done`]);
    const r = inTurns({ runbook: () => (exec(many) - exec(one)) / (N - 1), bare: () => (bare(N) - bare(1)) / (N - 1) });
    spawnSync('ssh', [...base, '-O', 'exit', 'web1'], { stdio: 'ignore' });
    rows.push({ name: 'bare ssh through a master, per command (baseline)', ...r.bare, unit: 'ms' });
    rows.push({ name: 'runbook exec, per remote step (journal fsyncs included)', ...r.runbook, unit: 'ms', ratio: r.runbook.median / r.bare.median, goal: '<= 1.3x' });
  }

  // (b) 20 steps on each of 4 hosts, 4 at a time.
  {
    const steps = Array.from({ length: 20 }, (_, i) => `      - { id: t${i}, run: "true" }\n`).join('');
    const file = runbook(
      'fleet',
      `groups:\n  web: [web1, web2, web3, web4]\nsteps:\n  - id: fleet\n    for_each: \${{ groups.web }}\n    as: server\n    on: \${{ server }}\n    serial: 4\n    steps:\n${steps}`,
    );
    const haveAnsible = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;
    const sides = { runbook: () => exec(file) };
    if (haveAnsible) {
      const inventory = join(work, 'inventory.yaml');
      writeFileSync(inventory, `all:\n  hosts:\n${sshd.hosts.map((h) => `    ${h.name}: {}\n`).join('')}`);
      writeFileSync(
        join(work, 'ansible.cfg'),
        `[defaults]\ninventory = ${inventory}\nhost_key_checking = True\n[ssh_connection]\nssh_args = -F ${sshd.config} -o UserKnownHostsFile=${sshd.knownHosts} -o ControlMaster=auto -o ControlPersist=60s\ncontrol_path_dir = ${work}/cp\n`,
      );
      const playbook = join(work, 'fleet.yml');
      writeFileSync(playbook, `- hosts: all\n  tasks:\n${Array.from({ length: 20 }, (_, i) => `    - name: t${i}\n      command: "true"\n`).join('')}`);
      sides.ansible = () => time('ansible-playbook', [playbook], { env: { ...env, ANSIBLE_CONFIG: join(work, 'ansible.cfg') } });
    }
    const r = inTurns(sides);
    if (r.ansible) rows.push({ name: 'ansible-playbook, 20 tasks x 4 hosts (baseline)', ...r.ansible, unit: 'ms' });
    rows.push({
      name: 'runbook exec, 20 steps x 4 hosts, serial: 4',
      ...r.runbook,
      unit: 'ms',
      ratio: r.ansible ? r.ansible.median / r.runbook.median : undefined,
      goal: r.ansible ? '>= 10x faster' : 'ansible-playbook not installed',
    });
  }
} finally {
  await sshd.stop();
  rmSync(work, { recursive: true, force: true });
}

const f = (x) => (x === undefined ? '' : x >= 100 ? x.toFixed(0) : x.toFixed(2));
console.log('| benchmark | median | min | max | unit | ratio | goal |\n|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${f(r.median)} | ${f(r.min)} | ${f(r.max)} | ${r.unit} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`} | ${r.goal ?? ''} |`);
