/**
 * `runbook plan` and `exec --dry-run`: the same engine as exec, with nothing executed, written
 * or sent; the timeline against the window; failure paths rehearsed with --fail.
 */

import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

const DEMO = join(REPO, 'runbooks', 'demo.yaml');

interface PlanJson {
  entries: Array<{ key: string; kind: string; phase: string; detail?: string; status?: string; onFailure: string; atMs: number; manual: boolean }>;
  outcome: { outcome: string; exitCode: number };
  timeline: { expectedMs: number; pointOfNoReturn?: string; lastStepBeforePointOfNoReturn?: string; rollbackReserveMs: number };
  warnings: string[];
  notes: Array<{ text: string }>;
}

async function planJson(file: string, ...args: string[]): Promise<PlanJson> {
  const r = await runCli(['plan', file, '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describe('plan has no side effects', () => {
  it('creates no file, writes no state, sends no webhook, in plan and exec --dry-run', async () => {
    let hits = 0;
    const server = createServer((_req, res) => ((hits += 1), res.end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
secrets: { TOKEN: { env: UNSET_TOKEN_FOR_PLAN } }
notify:
  channels:
    hook: { type: webhook, url: "http://127.0.0.1:${port}/" }
    audit: { type: file, path: audit.jsonl }
  events: { run_started: [hook, audit], run_finished: [hook, audit] }
steps:
  - { id: make, run: 'touch created; curl -H "Authorization: \${{ secrets.TOKEN }}" http://127.0.0.1:${port}/' }
  - { id: tell, notify: hello, to: [hook, audit] }
  - { id: cable, manual: Move the cable }
`,
    );
    for (const args of [
      ['plan', file],
      ['exec', file, '--dry-run'],
    ]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('curl -H "Authorization: ***"');
      expect(r.stdout).toMatch(/missing secret: TOKEN .*\(exec would refuse\)/);
    }
    server.close();
    expect(hits).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['runbook.yaml']);
  });
});

describe('plan output', () => {
  it('text, with times fixed by --at (snapshot)', async () => {
    const r = await runCli(['plan', DEMO, '--at', '2026-01-01T10:00'], { env: { TZ: 'UTC' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });

  it('json, rehearsing a failure on web2 (snapshot)', async () => {
    const r = await runCli(['plan', DEMO, '--at', '2026-01-01T10:00', '--fail', 'health[web2]', '--format', 'json'], { env: { TZ: 'UTC' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchSnapshot();
  });

  it('expands loops and resolves vars, placeholders for run-time values', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
vars: { hosts: [a, b] }
steps:
  - { id: build, run: 'echo version=1 >> $RUNBOOK_OUTPUT' }
  - id: loop
    for_each: \${{ vars.hosts }}
    steps:
      - { id: ship, run: 'ship \${{ item }} \${{ steps.build.outputs.version }}' }
`,
    );
    const plan = await planJson(file);
    expect(plan.entries.map((e) => [e.key, e.detail])).toEqual([
      ['build', 'echo version=1 >> $RUNBOOK_OUTPUT'],
      ['ship[a]', "ship 'a' <steps.build.outputs.version>"],
      ['ship[b]', "ship 'b' <steps.build.outputs.version>"],
    ]);
  });
});

describe('plan --fail', () => {
  it('shows undo of completed items only, newest first, then the rollback steps', async () => {
    const plan = await planJson(DEMO, '--fail', 'health[web2]');
    const rollback = plan.entries.filter((e) => e.phase === 'rollback').map((e) => e.key);
    expect(rollback).toEqual(['deploy[web2]:undo', 'drain[web2]:undo', 'deploy[web1]:undo', 'drain[web1]:undo', 'verify-restored', 'rollback-notice']);
    expect(plan.outcome).toMatchObject({ outcome: 'rolled_back', exitCode: 1 });
    const health = plan.entries.find((e) => e.key === 'health[web1]')!;
    expect(health.onFailure).toBe('after 1 retry, the item fails; the loop fails: rollback: undo deploy[web1], undo drain[web1], then rollback steps verify-restored, rollback-notice');
  });

  it('nested loops: a failing inner item', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
vars: { dcs: [east, west], hosts: [h1, h2] }
steps:
  - id: dc
    for_each: \${{ vars.dcs }}
    as: dc
    steps:
      - id: host
        for_each: \${{ vars.hosts }}
        steps:
          - { id: up, run: 'up \${{ dc }} \${{ item }}', undo: 'down \${{ dc }} \${{ item }}' }
rollback:
  steps:
    - { id: page, notify: rolled back }
`,
    );
    const plan = await planJson(file, '--fail', 'up[west][h2]');
    expect(plan.entries.map((e) => e.key)).toEqual(['up[east][h1]', 'up[east][h2]', 'up[west][h1]', 'up[west][h2]', 'up[west][h1]:undo', 'up[east][h2]:undo', 'up[east][h1]:undo', 'page']);
  });

  it('escalation when the rollback fails', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: change, run: 'make change' }
rollback:
  steps:
    - { id: restore, run: 'restore' }
    - { id: never, run: 'never' }
  escalate: Develop and communicate a recovery plan to interested parties
`,
    );
    const plan = await planJson(file, '--fail', 'change', '--fail', 'restore');
    expect(plan.entries.map((e) => e.key)).toEqual(['change', 'restore']);
    expect(plan.outcome).toMatchObject({ outcome: 'escalated', exitCode: 3 });
    expect(plan.notes.map((n) => n.text).join('\n')).toContain('ESCALATE: restore failed: rehearsed failure (--fail). Develop and communicate');
  });

  it('warns about a --fail that names no step', async () => {
    const plan = await planJson(DEMO, '--fail', 'nope');
    expect(plan.warnings).toContain('--fail nope: no step on the path has this id or key');
  });
});

describe('plan timeline', () => {
  it('point of no return, last step before it, overrun warnings and the overrun rollback', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
window: { start: "2009-12-04T20:00", duration: 1h, timezone: America/Denver, rollback_reserve: 20m }
steps:
  - { id: a, run: a, estimate: 30m }
  - { id: b, run: b, estimate: 20m }
  - { id: c, run: c, estimate: 5m }
rollback:
  steps:
    - { id: r, run: r, estimate: 10m }
`,
    );
    const plan = await planJson(file, '--at', '2009-12-04T20:00');
    expect(plan.timeline.pointOfNoReturn).toBe('2009-12-04T20:40:00-07:00');
    expect(plan.timeline.lastStepBeforePointOfNoReturn).toBe('b');
    expect(plan.warnings.join('\n')).toMatch(/expected duration \(55m\) runs past the point of no return/);
    // Exec would reach c after the point of no return and roll back (on_overrun: rollback).
    expect(plan.entries.map((e) => e.key)).toEqual(['a', 'b', 'r']);
    expect(plan.outcome.exitCode).toBe(1);
  });

  it('exec --dry-run prints exactly what plan prints', async () => {
    const a = await runCli(['plan', DEMO, '--at', '2026-01-01T10:00', '--fail', 'deploy[web3]'], { env: { TZ: 'UTC' } });
    const b = await runCli(['exec', DEMO, '--dry-run', '--at', '2026-01-01T10:00', '--fail', 'deploy[web3]'], { env: { TZ: 'UTC' } });
    expect(b.stdout).toBe(a.stdout);
  });
});
