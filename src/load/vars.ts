/**
 * The values of a runbook's vars: declared defaults, overridden by a vars file (YAML or JSON,
 * read as untrusted input), overridden by `--var k=v`. Only declared names may be set. A `--var`
 * for a variable whose default is a list is split on commas; otherwise it is a string.
 */
import { invalid } from '../errors.js';
import type { Runbook } from '../model/types.js';
import { createLocator } from './locate.js';
import { readTextFile } from './read.js';
import { didYouMean } from './suggest.js';
import { parseUntrustedYaml } from './yaml.js';

export interface VarOptions {
  readonly var?: readonly string[] | undefined;
  readonly varsFile?: string | undefined;
}

export function resolveVars(runbook: Runbook, opts: VarOptions): Record<string, unknown> {
  const declared = Object.keys(runbook.vars);
  const values: Record<string, unknown> = { ...runbook.vars };
  const check = (name: string, where: string, location?: string) => {
    if (Object.hasOwn(runbook.vars, name)) return;
    const known = declared.length ? `declared: ${declared.join(', ')}` : 'the runbook declares no vars';
    throw invalid(`${where}: unknown variable "${name}"${didYouMean(name, declared)} (${known})`, location);
  };
  if (opts.varsFile) {
    for (const [name, value] of Object.entries(readVarsFile(opts.varsFile))) {
      check(name, 'vars file', opts.varsFile);
      values[name] = value;
    }
  }
  for (const assignment of opts.var ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw invalid(`--var ${JSON.stringify(assignment)}: expected NAME=VALUE`);
    const name = assignment.slice(0, eq);
    const value = assignment.slice(eq + 1);
    check(name, `--var ${name}`);
    values[name] = Array.isArray(runbook.vars[name]) ? splitList(value) : value;
  }
  return values;
}

/** `a,b, c` to ["a", "b", "c"]; the empty string to []. */
export function splitList(value: string): string[] {
  return value.trim() === '' ? [] : value.split(',').map((v) => v.trim());
}

/** A vars file: a mapping of names to values, with the runbook loader's rules. */
export function readVarsFile(file: string): Record<string, unknown> {
  const read = readTextFile(file);
  if (!read.ok) throw invalid(read.message, `${file}:${read.line}:${read.column}`);
  const parsed = parseUntrustedYaml(read.text, 'vars file');
  const first = parsed.problems[0];
  if (first) {
    const pos = createLocator(parsed.doc, parsed.source).at(first.offset);
    const more = parsed.problems.length - 1;
    throw invalid(`${first.message}${more > 0 ? ` (and ${more} more)` : ''}`, `${file}:${pos.line}:${pos.column}`);
  }
  return parsed.value as Record<string, unknown>;
}
