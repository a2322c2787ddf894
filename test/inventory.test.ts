/** `inventory:`: an Ansible YAML inventory read into hosts and groups, its problems placed in it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbookFile, loadRunbookText } from '../src/load/load.js';
import { runCli, tempDir } from './helpers/cli.js';

const RUNBOOK = 'version: 1\nid: x\ntitle: t\ninventory: inv/hosts.yaml\nsteps:\n  - { id: a, run: "true" }\n';

function withInventory(inventory: string, runbook = RUNBOOK): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'inv'));
  writeFileSync(join(dir, 'inv', 'hosts.yaml'), inventory);
  writeFileSync(join(dir, 'rb.yaml'), runbook);
  return dir;
}

const ANSIBLE = `all:
  vars:
    ansible_user: deploy
    app_version: 1.2   # not a connection setting: ignored
  hosts:
    mail.example.com:
  children:
    web:
      hosts:
        web1: { ansible_host: 10.0.0.11 }
        web2:
          ansible_host: 10.0.0.12
          ansible_port: "2222"
    db:
      vars: { ansible_user: postgres }
      children:
        db_primary:
          hosts:
            db1: { ansible_host: 10.0.1.1, ansible_user: dba }
        db_replicas:
          hosts:
            db2: { ansible_host: 10.0.1.2 }
            db3:
`;

describe('inventory', () => {
  it('reads hosts, children and nested groups; a host var wins over the nearest group var', () => {
    const dir = withInventory(ANSIBLE);
    const loaded = loadRunbookFile(join(dir, 'rb.yaml'));
    expect(loaded.problems).toEqual([]);
    const rb = loaded.runbook!;
    expect(rb.inventory).toBe(join(dir, 'inv', 'hosts.yaml'));
    expect(rb.hosts).toEqual({
      'mail.example.com': { name: 'mail.example.com', address: undefined, user: 'deploy', port: undefined, path: ['inventory'] },
      web1: { name: 'web1', address: '10.0.0.11', user: 'deploy', port: undefined, path: ['inventory'] },
      web2: { name: 'web2', address: '10.0.0.12', user: 'deploy', port: 2222, path: ['inventory'] },
      db1: { name: 'db1', address: '10.0.1.1', user: 'dba', port: undefined, path: ['inventory'] },
      db2: { name: 'db2', address: '10.0.1.2', user: 'postgres', port: undefined, path: ['inventory'] },
      db3: { name: 'db3', address: undefined, user: 'postgres', port: undefined, path: ['inventory'] },
    });
    expect(rb.groups).toEqual({
      all: ['mail.example.com', 'web1', 'web2', 'db1', 'db2', 'db3'],
      web: ['web1', 'web2'],
      db: ['db1', 'db2', 'db3'],
      db_primary: ['db1'],
      db_replicas: ['db2', 'db3'],
    });
    expect(loaded.inventory).toEqual({ file: join(dir, 'inv', 'hosts.yaml'), text: ANSIBLE });
  });

  it("merges with hosts: and groups: (the runbook's fields and groups win)", () => {
    const dir = withInventory(ANSIBLE, RUNBOOK.replace('steps:', 'hosts:\n  web1: { address: 10.9.9.9, port: 2200 }\n  extra: {}\ngroups:\n  web: [web2, extra]\nsteps:'));
    const rb = loadRunbookFile(join(dir, 'rb.yaml')).runbook!;
    expect(rb.hosts.web1).toEqual({ name: 'web1', address: '10.9.9.9', user: 'deploy', port: 2200, path: ['hosts', 'web1'] });
    expect(rb.hosts.extra?.path).toEqual(['hosts', 'extra']);
    expect(rb.groups.web).toEqual(['web2', 'extra']);
    expect(rb.groups.db_primary).toEqual(['db1']);
  });

  it("resolves against baseDir and reads a run's copy of the inventory text", () => {
    const dir = withInventory('all: { hosts: { a: {} } }\n');
    const loaded = loadRunbookText(RUNBOOK, '/elsewhere/.runbook/runs/x/runbook.yaml', { baseDir: dir, inventoryText: 'all: { hosts: { b: {} } }\n' });
    expect(loaded.problems).toEqual([]);
    expect(Object.keys(loaded.runbook!.hosts)).toEqual(['b']);
    expect(loaded.runbook!.inventory).toBe(join(dir, 'inv', 'hosts.yaml'));
  });

  it('places every problem in the inventory file, all at once', async () => {
    const dir = withInventory(
      [
        'all:', // 1
        '  hosts:', // 2
        '    -oProxyCommand=x:', // 3
        '    "web 1":', // 4
        '    local:', // 5
        '    www[01:50].example.com:', // 6
        '    ok1: { ansible_host: "-x", ansible_port: 70000 }', // 7
        '    ok2: { ansible_ssh_private_key_file: k }', // 8
        '  children:', // 9
        '    1bad: {}', // 10
        '    web: { hosts: [a, b] }', // 11
        '  oops: 1', // 12
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', 'rb.yaml'], { cwd: dir });
    expect(r.code, r.stdout).toBe(2);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('inv/hosts.yaml:'));
    expect(lines.map((l) => l.replace(/: (error|warning): .*\[(\S+)\]$/, ' $1 $2'))).toEqual([
      'inv/hosts.yaml:3:5 error inventory',
      'inv/hosts.yaml:4:5 error inventory',
      'inv/hosts.yaml:5:5 error inventory',
      'inv/hosts.yaml:6:5 error inventory',
      'inv/hosts.yaml:7:26 error inventory',
      'inv/hosts.yaml:7:46 error inventory',
      'inv/hosts.yaml:8:12 warning inventory',
      'inv/hosts.yaml:10:5 error inventory',
      'inv/hosts.yaml:11:19 error inventory',
      'inv/hosts.yaml:12:3 error inventory',
    ]);
    expect(r.stdout).toContain('a host name cannot start with "-"');
    expect(r.stdout).toContain('"local" is reserved');
    expect(r.stdout).toContain('host ranges');
    expect(r.stdout).toContain('ansible_ssh_private_key_file is not used by runbook');
  });

  it('refuses aliases, and an oversized or missing inventory, with the place', async () => {
    const aliased = withInventory('all:\n  hosts:\n    a: &v { ansible_host: 10.0.0.1 }\n    b: *v\n');
    const r1 = await runCli(['validate', 'rb.yaml'], { cwd: aliased });
    expect(r1.code).toBe(2);
    expect(r1.stdout).toMatch(/^inv\/hosts\.yaml:3:8: error: .*anchor/m);
    const big = withInventory(`all:\n  hosts:\n${'    h: {}\n'.repeat(1)}#${'x'.repeat(1024 * 1024)}\n`);
    const r2 = await runCli(['validate', 'rb.yaml'], { cwd: big });
    expect(r2.stdout).toMatch(/^rb\.yaml:4:12: error: inventory inv\/hosts\.yaml: file is too large/m);
    const none = tempDir();
    writeFileSync(join(none, 'rb.yaml'), RUNBOOK);
    const r3 = await runCli(['validate', 'rb.yaml'], { cwd: none });
    expect(r3.code).toBe(2);
    expect(r3.stdout).toMatch(/^rb\.yaml:4:12: error: inventory inv\/hosts\.yaml: .*\[inventory\]$/m);
  });

  it('has the group all even when the inventory does not write it', () => {
    const dir = withInventory('web:\n  hosts: { w1: }\ndb:\n  hosts: { d1: }\n');
    expect(loadRunbookFile(join(dir, 'rb.yaml')).runbook?.groups).toEqual({ web: ['w1'], db: ['d1'], all: ['w1', 'd1'] });
  });

  it('refuses a group that contains itself and unrelated groups that disagree on a setting', () => {
    const dir = withInventory('a:\n  vars: { ansible_user: u1 }\n  hosts: { h: }\n  children: { b: }\nb:\n  children: { a: }\nc:\n  vars: { ansible_user: u2 }\n  hosts: { h: }\n');
    const messages = loadRunbookFile(join(dir, 'rb.yaml')).problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    expect(messages).toContain('3:12 host "h" gets user "u1" and "u2" from its groups: set it on the host');
    expect(messages.some((m) => /contains itself/.test(m))).toBe(true);
  });
});
