/** hosts:, groups:, ssh:, on: and become: from the YAML to the normalised model. */
import { describe, expect, it } from 'vitest';
import { loadRunbookText } from '../src/load/load.js';

const HEAD = 'version: 1\nid: x\ntitle: t\n';

describe('the hosts model', () => {
  it('normalises hosts, groups and ssh settings (files relative to the runbook)', () => {
    const loaded = loadRunbookText(
      `${HEAD}hosts:\n  web1: { address: 10.0.0.11, user: deploy, port: 2222 }\n  lb1: {}\ngroups:\n  web: [web1]\nssh:\n  config: conf/ssh_config\n  known_hosts: /etc/kh\n  host_key_checking: accept-new\n  connect_timeout: 3s\n  options: { ServerAliveInterval: 15, Compression: "yes" }\nsteps:\n  - { id: a, run: "true" }\n`,
      '/srv/books/x.yaml',
    );
    expect(loaded.problems).toEqual([]);
    const rb = loaded.runbook!;
    expect(rb.hosts).toEqual({
      web1: { name: 'web1', address: '10.0.0.11', user: 'deploy', port: 2222, path: ['hosts', 'web1'] },
      lb1: { name: 'lb1', address: undefined, user: undefined, port: undefined, path: ['hosts', 'lb1'] },
    });
    expect(rb.groups).toEqual({ web: ['web1'] });
    expect(rb.ssh).toEqual({
      config: '/srv/books/conf/ssh_config',
      knownHosts: '/etc/kh',
      hostKeyChecking: 'accept-new',
      connectTimeoutMs: 3000,
      options: { ServerAliveInterval: '15', Compression: 'yes' },
    });
  });

  it('defaults: no hosts, strict host keys, a 10s connect timeout', () => {
    const rb = loadRunbookText(`${HEAD}steps:\n  - { id: a, run: "true" }\n`, 'x.yaml').runbook!;
    expect(rb.hosts).toEqual({});
    expect(rb.groups).toEqual({});
    expect(rb.inventory).toBeUndefined();
    expect(rb.ssh).toEqual({ config: undefined, knownHosts: undefined, hostKeyChecking: 'strict', connectTimeoutMs: 10_000, options: {} });
  });

  it('keeps on: and become: as written (undefined = inherit)', () => {
    const rb = loadRunbookText(
      `${HEAD}hosts: { web1: {} }\nsteps:\n  - id: loop\n    for_each: [web1]\n    on: \${{ item }}\n    become: true\n    steps:\n      - { id: a, run: "true" }\n      - { id: b, run: "true", on: local, become: false, undo: "true" }\n  - { id: w, wait: { until: "true" }, on: web1 }\n  - { id: m, monitor: { run: "true", every: 1s, for: 2s }, on: web1 }\n  - { id: q, manual: "do it" }\n`,
      'x.yaml',
    ).runbook!;
    const loop = rb.steps[0]!;
    expect([loop.on, loop.become]).toEqual(['${{ item }}', true]);
    if (loop.kind !== 'for_each') throw new Error('not a loop');
    expect(loop.steps.map((s) => [s.on, s.become])).toEqual([
      [undefined, undefined],
      ['local', false],
    ]);
    expect(rb.steps.slice(1).map((s) => s.on)).toEqual(['web1', 'web1', undefined]);
  });

  it('refuses on: where nothing runs a command, and a host_key_checking of "off"', () => {
    const loaded = loadRunbookText(`${HEAD}ssh: { host_key_checking: "off" }\nsteps:\n  - { id: q, manual: "do it", on: web1 }\n`, 'x.yaml');
    expect(loaded.runbook).toBeUndefined();
    expect(loaded.problems.map((p) => `${p.line}:${p.column}`)).toEqual(['4:27', '6:31']);
    expect(loaded.problems[1]?.message).toBe('unknown key "on": a manual step runs no command, so it has no host (on is for run, wait, monitor and for_each)');
  });
});
