/**
 * `runbook init [FILE] [--force]`: a commented starter runbook that validates. Its first line
 * points editors at the JSON Schema: `schemas/runbook.schema.json` relative to the file when a
 * directory above it has one (a checkout of this repository, or a project that committed the
 * output of `runbook schema`), else the absolute path of the schema installed with runbook.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, invalid } from '../../errors.js';

const SCHEMA = join('schemas', 'runbook.schema.json');

export async function main(file = 'runbook.yaml', opts: { force?: boolean } = {}): Promise<number> {
  const target = resolve(file);
  if (existsSync(target) && !opts.force) throw invalid(`${file} already exists: use --force to overwrite it`);
  const text = `# yaml-language-server: $schema=${schemaRef(dirname(target))}\n${STARTER}`;
  try {
    writeFileSync(target, text, { flag: opts.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw invalid(`${file} already exists: use --force to overwrite it`);
    if (code === 'EISDIR') throw invalid(`${file} is a directory`);
    if (code === 'ENOENT') throw invalid(`${file}: the directory does not exist`);
    throw invalid(`${file}: cannot write: ${(err as Error).message}`);
  }
  process.stdout.write(`wrote ${file}: edit it, then run \`runbook validate ${file}\` and \`runbook plan ${file}\`\n`);
  return EXIT.ok;
}

/** The schema path to write after `$schema=`, as seen from `dir`. */
export function schemaRef(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, SCHEMA))) return relative(dir, join(d, SCHEMA)).split(sep).join('/');
    if (dirname(d) === d) break;
  }
  return packageSchema();
}

/** The schema shipped with this package: the nearest package.json named "runbook" above this module. */
function packageSchema(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let d = here; dirname(d) !== d; d = dirname(d)) {
    try {
      if ((JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string }).name === 'runbook') return join(d, SCHEMA);
    } catch {
      // no package.json here: keep looking
    }
  }
  return resolve(here, '..', SCHEMA);
}

const STARTER = `#
# A starter runbook: replace the example commands with yours, then
#   runbook validate runbook.yaml     checks it (all problems at once, with line and column)
#   runbook plan runbook.yaml         shows what exec will do, against the window
#   runbook exec runbook.yaml         runs it
# The format: docs/format.md (or \`runbook schema\` for the JSON Schema).
version: 1
id: web-patch                          # lowercase letters, digits, "_" and "-"
title: Patch the web servers
change: CHG-0000                       # your change or ticket number
description: |
  Apply OS security updates to the web servers, one at a time, behind the load balancer.
impact: |
  No outage expected: each server leaves the pool while it is patched.
environment: production
contacts:
  - { name: On-call admin, role: System Admin, email: ops@example.com, phone: "+1 555 0100" }

window:
  start: "2030-01-15T20:00"            # local time in the timezone below, or TBD
  duration: 1h30m                      # or end: "2030-01-15T21:30"
  timezone: UTC                        # an IANA name (America/Denver) or UTC+/-N
  on_overrun: rollback                 # rollback | continue | ask
  rollback_reserve: 20m                # no change step starts later than end minus this

hosts:                                 # where steps run (on:), reached with your ssh config and keys
  web1: { address: web1.example.com }
  web2: { address: web2.example.com }
  lb: { address: lb.example.com, user: ops }
groups:
  web: [web1, web2]
# inventory: inventory.yaml            # or take hosts and groups from an Ansible YAML inventory
ssh:
  host_key_checking: strict            # strict (default) | accept-new


notify:
  channels:
    audit: { type: file, path: notifications.jsonl }
    # ops: { type: webhook, url: "https://hooks.example.com/x", format: slack }
  events: { run_started: [audit], rollback_started: [audit], run_finished: [audit] }

steps:
  - id: announce
    notify: Patching \${{ groups.web }} in the window starting \${{ window.start }}.
    estimate: 1m

  - id: backup
    name: Snapshot the servers
    manual: Take a snapshot of each server in the hypervisor console.
    confirm: Are all snapshots complete?
    estimate: 10m

  - id: patch
    for_each: \${{ groups.web }}
    as: server                         # the loop variable (default: item)
    on: \${{ server }}                  # the steps inside run on the server (default: here)
    become: true                       # as root, through sudo -n
    steps:
      - id: drain
        on: lb                         # this one runs on the load balancer
        run: lb-ctl disable \${{ server }}
        undo: lb-ctl enable \${{ server }}
        estimate: 1m
      - id: upgrade
        run: apt-get -y upgrade
        timeout: 15m
        retries: 1
        estimate: 8m
      - id: reboot
        run: systemd-run --on-active=5 systemctl reboot   # after the step has reported
        estimate: 1m
      - id: healthy
        on: local                      # from here, as users see it
        wait: { until: "curl -fsS http://\${{ server }}.example.com/health", every: 10s, timeout: 5m }
        on_failure: rollback           # the default when there is a rollback plan or an undo
        estimate: 2m
      - id: undrain
        on: lb
        run: lb-ctl enable \${{ server }}
        estimate: 1m

  - id: soak
    monitor: { run: "curl -fsS http://lb.example.com/health", every: 1m, for: 10m }
    estimate: 10m

rollback:
  steps:
    - id: restore
      manual: Restore the snapshots taken in step "backup", then confirm the servers are healthy.
      estimate: 15m
  escalate: Call the on-call admin and agree on a recovery plan.

checklist:
  - id: smoke-test
    run: curl -fsS https://www.example.com/ | grep -q "Welcome"
    estimate: 1m
`;
