/**
 * An Ansible YAML inventory (`inventory:`) to hosts and groups. Only what says how to reach a
 * host is read: `ansible_host`, `ansible_user`, `ansible_port`, on a host or in a group's
 * `vars` (a host's own value wins, then the nearest group's). Other variables are Ansible's
 * business and ignored, except other `ansible_*` connection settings, which get a warning: runbook
 * does not apply them, the operator's ssh_config does. Read as untrusted YAML like a runbook.
 * Every problem is placed in the inventory file.
 */
import { groupNameProblem, hostNameProblem, hostWordProblem } from '../model/hosts.js';
import type { Host, Path } from '../model/types.js';
import { createLocator } from './locate.js';
import type { Problem, Severity } from './problem.js';
import { readTextFile } from './read.js';
import { isPlainObject } from './schema-walk.js';
import { parseUntrustedYaml } from './yaml.js';

export interface Inventory {
  readonly hosts: Record<string, Host>;
  readonly groups: Record<string, string[]>;
  /** Problems, each in the inventory file; what could be read is in hosts and groups anyway. */
  readonly problems: Problem[];
  readonly text: string;
}

const CONNECTION_VARS = ['ansible_host', 'ansible_user', 'ansible_port'] as const;
type Field = 'address' | 'user' | 'port';
const FIELD: Record<string, Field> = {
  ansible_host: 'address',
  ansible_user: 'user',
  ansible_port: 'port',
  // Ansible's older spellings.
  ansible_ssh_host: 'address',
  ansible_ssh_user: 'user',
  ansible_ssh_port: 'port',
};
const GROUP_KEYS = new Set(['hosts', 'children', 'vars']);
/** `www[01:50].example.com`: Ansible expands it, runbook does not guess. */
const RANGE = /\[[^\]]*:[^\]]*\]/;

type Settings = Partial<Record<Field, string | number>>;

interface GroupAcc {
  readonly hosts: string[];
  readonly children: string[];
  readonly parents: Set<string>;
  readonly path: Path;
  vars: Settings;
}

/** The inventory, or why the file cannot be read (for the caller to place at `inventory:`). */
export function readInventory(file: string, text?: string): Inventory | { readonly unreadable: string } {
  if (text === undefined) {
    const read = readTextFile(file);
    if (!read.ok) return { unreadable: `inventory ${file}: ${read.message}` };
    text = read.text;
  }
  const parsed = parseUntrustedYaml(text, 'inventory');
  const locator = createLocator(parsed.doc, parsed.source);
  const problems: Problem[] = parsed.problems.map((p) => ({ severity: 'error', code: p.code, message: p.message, file, ...locator.at(p.offset) }));
  if (problems.length > 0) return { hosts: {}, groups: {}, problems, text };
  const add = (severity: Severity, path: Path, message: string, key = false) =>
    problems.push({ severity, code: 'inventory', message, file, ...(key ? locator.locateKey(path) : locator.locate(path)) });
  const walk = new Walk(add);
  for (const [name, value] of Object.entries(parsed.value as Record<string, unknown>)) walk.group(name, value, [name], undefined);
  return { ...walk.result(), problems, text };
}

type Add = (severity: Severity, path: Path, message: string, key?: boolean) => void;

class Walk {
  private readonly groups = new Map<string, GroupAcc>();
  private readonly hosts = new Map<string, { settings: Settings; path: Path }>();
  /** Host -> the groups that list it themselves (not through a child). */
  private readonly direct = new Map<string, Set<string>>();

  constructor(private readonly add: Add) {}

  group(name: string, value: unknown, path: Path, parent: string | undefined): void {
    const bad = groupNameProblem(name);
    if (bad) this.add('error', path, bad, true);
    let acc = this.groups.get(name);
    if (!acc) {
      acc = { hosts: [], children: [], parents: new Set(), path, vars: {} };
      this.groups.set(name, acc);
    }
    if (parent !== undefined) acc.parents.add(parent);
    if (value === null) return;
    if (!isPlainObject(value)) return this.add('error', path, `group "${name}" must be a mapping of hosts, children and vars`);
    for (const key of Object.keys(value)) {
      if (!GROUP_KEYS.has(key)) this.add('error', [...path, key], `unknown key "${key}" in group "${name}": a group has hosts, children and vars`, true);
    }
    const hosts = this.mapping(value.hosts, [...path, 'hosts'], 'hosts');
    for (const [host, vars] of Object.entries(hosts)) {
      if (!this.host(host, vars, [...path, 'hosts', host])) continue;
      const of = this.direct.get(host) ?? new Set<string>();
      this.direct.set(host, of);
      if (!of.has(name)) acc.hosts.push(host);
      of.add(name);
    }
    const children = this.mapping(value.children, [...path, 'children'], 'children');
    for (const [child, body] of Object.entries(children)) {
      if (!acc.children.includes(child)) acc.children.push(child);
      this.group(child, body, [...path, 'children', child], name);
    }
    const vars = this.mapping(value.vars, [...path, 'vars'], 'vars');
    acc.vars = { ...acc.vars, ...this.settings(vars, [...path, 'vars']) };
  }

  /** Records the host; false when its name cannot be used. */
  private host(name: string, vars: unknown, path: Path): boolean {
    const bad = RANGE.test(name) ? `host ranges such as ${JSON.stringify(name)} are not expanded: list each host` : hostNameProblem(name);
    if (bad) {
      this.add('error', path, bad, true);
      return false;
    }
    if (vars !== null && !isPlainObject(vars)) {
      this.add('error', path, `host "${name}" takes a mapping of variables (or nothing)`);
      return false;
    }
    const settings = this.settings(vars ?? {}, path);
    const seen = this.hosts.get(name);
    if (!seen) this.hosts.set(name, { settings, path });
    else {
      for (const [field, v] of Object.entries(settings) as [Field, string | number][]) {
        const before = seen.settings[field];
        if (before !== undefined && before !== v) this.add('error', path, `host "${name}" has ${field} ${JSON.stringify(v)} here and ${JSON.stringify(before)} elsewhere in the inventory`, true);
        else seen.settings[field] = v;
      }
    }
    return true;
  }

  /** The connection settings among `vars`, checked. */
  private settings(vars: Record<string, unknown>, path: Path): Settings {
    const out: Settings = {};
    for (const [key, value] of Object.entries(vars)) {
      const field = FIELD[key];
      if (!field) {
        if (key.startsWith('ansible_')) this.add('warning', [...path, key], `${key} is not used by runbook (it reads ${CONNECTION_VARS.join(', ')}): set it in the ssh config (ssh.config)`, true);
        continue;
      }
      if (field === 'port') {
        const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) this.add('error', [...path, key], `${key} must be a port number (1 to 65535)`);
        else out.port = port;
        continue;
      }
      if (typeof value !== 'string') {
        this.add('error', [...path, key], `${key} must be a string`);
        continue;
      }
      const bad = hostWordProblem(value, field);
      if (bad) this.add('error', [...path, key], bad);
      else out[field] = value;
    }
    return out;
  }

  private mapping(value: unknown, path: Path, what: string): Record<string, unknown> {
    if (value === undefined || value === null) return {};
    if (isPlainObject(value)) return value;
    this.add('error', path, `${what} must be a mapping`);
    return {};
  }

  result(): { hosts: Record<string, Host>; groups: Record<string, string[]> } {
    const hosts: Record<string, Host> = {};
    for (const [name, { settings, path }] of this.hosts) {
      const pick = (field: Field) => settings[field] ?? this.fromGroups(name, field, path);
      hosts[name] = { name, address: pick('address') as string | undefined, user: pick('user') as string | undefined, port: pick('port') as number | undefined, path: ['inventory'] };
    }
    const groups: Record<string, string[]> = {};
    for (const name of this.groups.keys()) groups[name] = this.members(name, []);
    // Ansible's implicit group: every host of the inventory.
    groups.all = [...this.hosts.keys()];
    return { hosts, groups };
  }

  /** The hosts of a group and of its children, in the order written, each once. */
  private members(name: string, chain: readonly string[]): string[] {
    const acc = this.groups.get(name);
    if (!acc) return [];
    if (chain.includes(name)) {
      // Reported once, where the loop closes.
      if (chain[0] === name) this.add('error', acc.path, `group "${name}" contains itself (${[...chain, name].join(' > ')})`, true);
      return [];
    }
    const out = new Set(acc.hosts);
    for (const child of acc.children) for (const h of this.members(child, [...chain, name])) out.add(h);
    return [...out];
  }

  /** A setting from the host's groups: the nearest group that sets it (a child over its parent). */
  private fromGroups(host: string, field: Field, path: Path): string | number | undefined {
    const values = new Set<string | number>();
    for (const name of this.direct.get(host) ?? []) for (const v of this.groupValues(name, field, [])) values.add(v);
    // Ansible settles a tie between unrelated groups by their names; runbook asks instead.
    if (values.size > 1) this.add('error', path, `host "${host}" gets ${field} ${[...values].map((v) => JSON.stringify(v)).join(' and ')} from its groups: set it on the host`, true);
    return values.size === 1 ? [...values][0] : undefined;
  }

  /** The values the nearest groups up from `name` set. */
  private groupValues(name: string, field: Field, chain: readonly string[]): (string | number)[] {
    const acc = this.groups.get(name);
    if (!acc || chain.includes(name)) return [];
    const own = acc.vars[field];
    if (own !== undefined) return [own];
    return [...acc.parents].flatMap((p) => this.groupValues(p, field, [...chain, name]));
  }
}
