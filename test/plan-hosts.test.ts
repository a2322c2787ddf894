/** `runbook plan` names each step's host (its on: resolved per loop item) and whether it runs as root. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

const RUNBOOK = `version: 1
id: plan-hosts
title: Plan hosts
hosts:
  web1: {}
  web2: {}
  lb1: { address: 10.0.0.1 }
groups:
  web: [web1, web2]
steps:
  - id: rolling
    for_each: \${{ groups.web }}
    as: server
    on: \${{ server }}
    become: true
    steps:
      - id: drain
        on: lb1
        become: false
        run: echo "disable \${{ server }}"
        undo: echo "enable \${{ server }}"
      - id: deploy
        run: echo "deploy on \${{ host.name }}"
      - id: test
        on: local
        run: curl -fs http://\${{ server }}/health
  - { id: done, notify: "deployed to \${{ groups.web }}" }
`;

function write(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
  return dir;
}

describe('plan with hosts', () => {
  it('shows the host of each step, resolved per item, and become', async () => {
    const dir = write();
    const r = await runCli(['plan', 'rb.yaml', '--fail', 'test[web2]'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const heads = r.stdout
      .split('\n')
      .filter((l) => /^ +\d+\. /.test(l))
      .map((l) => l.replace(/^ +\d+\. +\+\S+ +/, ''));
    expect(heads).toEqual(
      [
        'drain[web1] [run on lb1] ',
        'deploy[web1] [run on web1, as root] ',
        'test[web1] [run on local] ',
        'drain[web2] [run on lb1] ',
        'deploy[web2] [run on web2, as root] ',
        'test[web2] [run on local] ',
        'rollback: drain[web2]:undo [undo on lb1] ',
        'rollback: drain[web1]:undo [undo on lb1] ',
      ].map((h) => h.trimEnd()),
    );
    expect(r.stdout).toContain('$ echo "deploy on web2"');
  });

  it('shows a host that only the run knows as its reference, and goes on', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'rb.yaml'),
      'version: 1\nid: dyn\ntitle: t\nhosts: { web1: {} }\nsteps:\n  - { id: pick, run: "echo host=web1 >> $RUNBOOK_OUTPUT" }\n  - { id: go, run: uptime, on: "${{ steps.pick.outputs.host }}" }\n',
    );
    const r = await runCli(['plan', 'rb.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('go [run on <steps.pick.outputs.host>]');
    expect(r.stdout).toContain('Outcome: succeeded');
  });

  it('puts host and become in the JSON plan', async () => {
    const dir = write();
    const r = await runCli(['plan', 'rb.yaml', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { entries: Array<{ key: string; host?: string; become?: boolean }> };
    expect(plan.entries.map((e) => [e.key, e.host ?? null, e.become ?? false])).toEqual([
      ['drain[web1]', 'lb1', false],
      ['deploy[web1]', 'web1', true],
      ['test[web1]', null, false],
      ['drain[web2]', 'lb1', false],
      ['deploy[web2]', 'web2', true],
      ['test[web2]', null, false],
      ['done', null, false],
    ]);
  });
});
