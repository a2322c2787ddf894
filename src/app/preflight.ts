/**
 * Before the first step: every host the run can name statically (an `on:` that names a host, a
 * loop over `${{ groups.X }}`) is reached once, which also opens its master connection for the
 * run; `sudo -n true` where a step there has `become`. Every problem at once, each naming its
 * host: refused (exit 5), nothing run. `runbook check FILE` is just this.
 */
import { refused } from '../errors.js';
import { SshHosts } from '../executors/ssh-master.js';
import { LOCAL_HOST, type Runbook, type Step } from '../model/types.js';
import type { RunStartedRecord } from '../state/records.js';
import { loadChecked } from './load-checked.js';

export interface StaticHosts {
  /** Hosts to reach. */
  readonly hosts: ReadonlySet<string>;
  /** Hosts where a step runs with `become`. */
  readonly sudo: ReadonlySet<string>;
}

const GROUP_ITEMS = /^\s*\$\{\{\s*groups\.([A-Za-z0-9_.-]+)\s*\}\}\s*$/;

export function staticHosts(runbook: Runbook): StaticHosts {
  const hosts = new Set<string>();
  const sudo = new Set<string>();
  const add = (names: readonly string[], become: boolean) => {
    for (const n of names) {
      if (!Object.hasOwn(runbook.hosts, n)) continue;
      hosts.add(n);
      if (become) sudo.add(n);
    }
  };
  const walk = (steps: readonly Step[], on: string | undefined, become: boolean, group: readonly string[] | undefined) => {
    for (const step of steps) {
      const stepOn = step.on ?? on;
      const stepBecome = step.become ?? become;
      let items = group;
      if (step.kind === 'for_each' && typeof step.items === 'string') {
        const m = GROUP_ITEMS.exec(step.items);
        if (m) add((items = runbook.groups[m[1]!] ?? []), false);
      }
      // A template resolves per item: inside a loop over a group, to its members (the usual `on: ${{ server }}`).
      if (stepOn !== undefined && stepOn !== LOCAL_HOST) add(stepOn.includes('${{') ? (items ?? []) : [stepOn], stepBecome && step.kind !== 'for_each');
      if (step.kind === 'for_each') walk(step.steps, stepOn, stepBecome, items);
      if (step.undo?.kind === 'steps') walk(step.undo.steps, stepOn, stepBecome, items);
    }
  };
  for (const list of [runbook.steps, runbook.rollback.steps, runbook.checklist]) walk(list, undefined, false, undefined);
  return { hosts, sudo };
}

/** The problems found, one a host; empty when every host is ready. */
export async function checkHosts(remote: SshHosts, wanted: StaticHosts): Promise<string[]> {
  const problems = await Promise.all(
    [...wanted.hosts].sort().map(async (name) => {
      const reach = await remote.run(name, ['true'], false);
      if (reach.exit.error || reach.exit.code !== 0) return `${name}: ${explain(name, reach.exit.error ?? `exit ${reach.exit.code}`)}`;
      if (!wanted.sudo.has(name)) return undefined;
      const sudo = await remote.run(name, ['true'], true);
      if (sudo.exit.error || sudo.exit.code !== 0)
        return `${name}: become needs passwordless sudo there (sudo -n true: ${explain(name, sudo.exit.error ?? `exit ${sudo.exit.code}`).replace(/^unreachable: /, '')})`;
      return undefined;
    }),
  );
  return problems.filter((p): p is string => p !== undefined);
}

/** ssh's words (without the transport's own prefix), with what to do about the usual cases. */
function explain(name: string, error: string): string {
  const trimmed = error.trim();
  const words = trimmed.startsWith(`${name} unreachable: `)
    ? trimmed.slice(name.length + 14).trim()
    : trimmed.startsWith(`could not start on ${name}: `)
      ? trimmed.slice(name.length + 20).trim()
      : trimmed;
  const parts = words.split('; ');
  const about = (re: RegExp) => parts.find((p) => re.test(p))?.trim() ?? words;
  if (/has changed|IDENTIFICATION HAS CHANGED/i.test(words)) return `its host key has changed, refused (another machine may be answering): ${about(/has changed/i)}`;
  if (/host key is known|Host key verification failed/i.test(words)) return `its host key is unknown (add it to known_hosts, or set ssh.host_key_checking: accept-new): ${about(/host key is known/i)}`;
  return `unreachable: ${words}`;
}

export async function preflight(remote: SshHosts, runbook: Runbook): Promise<void> {
  const problems = await checkHosts(remote, staticHosts(runbook));
  if (problems.length === 0) return;
  throw refused(`${problems.length === 1 ? 'a host is' : `${problems.length} hosts are`} not ready, nothing was run:\n  ${problems.join('\n  ')}`);
}

/** The run's hosts, when it has any. */
export function openHosts(runbook: Runbook): SshHosts | undefined {
  return Object.keys(runbook.hosts).length > 0 ? new SshHosts(runbook.hosts, runbook.ssh) : undefined;
}

/** The hosts and groups a run records at its start. */
export function hostsRecord(runbook: Runbook): Pick<RunStartedRecord, 'hosts' | 'groups'> {
  if (Object.keys(runbook.hosts).length === 0) return {};
  const hosts = Object.fromEntries(Object.values(runbook.hosts).map((h) => [h.name, { address: h.address, user: h.user, port: h.port }]));
  return { hosts, groups: runbook.groups };
}

/** The runbook with the hosts and groups its run started with (a resume). */
export function withRecordedHosts(runbook: Runbook, started: RunStartedRecord): Runbook {
  if (!started.hosts) return runbook;
  const hosts = Object.fromEntries(Object.entries(started.hosts).map(([name, h]) => [name, { ...h, name, path: runbook.hosts[name]?.path ?? ['hosts', name] }]));
  return { ...runbook, hosts, groups: started.groups ?? runbook.groups };
}

/** The recorded hosts and groups as an Ansible inventory, in place of the file (which may have changed since). */
export function recordedInventory(started: RunStartedRecord): string | undefined {
  if (!started.hosts) return undefined;
  const vars = (h: NonNullable<RunStartedRecord['hosts']>[string]) =>
    Object.fromEntries(Object.entries({ ansible_host: h.address, ansible_user: h.user, ansible_port: h.port }).filter(([, v]) => v !== undefined));
  const hosts = Object.fromEntries(Object.entries(started.hosts).map(([name, h]) => [name, vars(h)]));
  // `all` is every host already (the reader makes it): as a child of itself it would be a loop.
  const groups = Object.entries(started.groups ?? {}).filter(([g]) => g !== 'all');
  const children = Object.fromEntries(groups.map(([g, members]) => [g, { hosts: Object.fromEntries(members.map((m) => [m, {}])) }]));
  return JSON.stringify({ all: { hosts, children } });
}

/** `runbook check FILE`: the preflight alone; the lines to print (0: every host ready; refused otherwise). */
export async function checkCommand(file: string): Promise<string[]> {
  const { runbook } = loadChecked(file);
  const wanted = staticHosts(runbook);
  if (wanted.hosts.size === 0) return ['no host to check: every step runs here'];
  const remote = new SshHosts(runbook.hosts, runbook.ssh);
  try {
    await preflight(remote, runbook);
  } finally {
    await remote.close();
  }
  return [...wanted.hosts].sort().map((h) => `${h}: ready${wanted.sudo.has(h) ? ' (sudo -n works)' : ''}`);
}
