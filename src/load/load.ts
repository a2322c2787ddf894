/**
 * Load a runbook: read (untrusted), parse YAML, check the schema, normalise. Never throws on bad
 * input: every problem is collected with its file, line and column.
 */

import { dirname, isAbsolute, join, resolve } from 'node:path';
import type * as z from 'zod';
import { type NormalizeContext, normalizeRunbook } from '../model/normalize.js';
import { type RunbookInput, RunbookSchema } from '../model/schema.js';
import type { Path, Runbook } from '../model/types.js';
import { sha256 } from './hash.js';
import { readInventory } from './inventory.js';
import { mapIssues } from './issues.js';
import { createLocator, type Locator, type Position } from './locate.js';
import type { Problem } from './problem.js';
import { capProblems, sortProblems } from './problem.js';
import { readTextFile } from './read.js';
import { pruneToSchema } from './recover.js';
import { parseUntrustedYaml } from './yaml.js';

export interface Loaded {
  readonly file: string;
  readonly text: string;
  /** sha256 hex of the text (UTF-8). */
  readonly hash: string;
  /** Undefined when there are errors. */
  readonly runbook: Runbook | undefined;
  /**
   * When the schema refused it: the runbook without what it refused, where that could be left
   * out (./recover.ts), for the semantic rules to check the rest. Never run.
   */
  readonly recovered?: Runbook | undefined;
  /** The inventory file the runbook names, as read (a run keeps a copy of it). */
  readonly inventory?: { readonly file: string; readonly text: string } | undefined;
  /** Problems found while loading (syntax, schema, the inventory), sorted by position. */
  readonly problems: readonly Problem[];
  /** The value at `path` (or the nearest existing parent). */
  locate(path: Path): Position;
  /** The key at `path` (unknown keys, duplicates). */
  locateKey(path: Path): Position;
  /** `needle` (its nth occurrence) inside the value at `path`; else `locate(path)`. */
  locateText(path: Path, needle: string, nth?: number): Position;
  /** True when the key at `path` was written in the file (not a default). */
  has(path: Path): boolean;
}

export interface LoadOptions {
  /**
   * The directory the runbook's files (inventory, ssh config, known_hosts) resolve against;
   * default: the runbook file's. A run's copy of the runbook passes its original directory.
   */
  readonly baseDir?: string | undefined;
  /** The inventory's text, instead of reading the file (a run's copy of it). */
  readonly inventoryText?: string | undefined;
}

export function loadRunbookFile(file: string): Loaded {
  const read = readTextFile(file);
  if (read.ok) return loadRunbookText(read.text, file);
  const problem: Problem = { severity: 'error', code: read.code, message: read.message, file, line: read.line, column: read.column };
  return { file, text: '', hash: sha256(''), runbook: undefined, problems: [problem], ...fixedLocator(1) };
}

export function loadRunbookText(text: string, file: string, options: LoadOptions = {}): Loaded {
  const dir = options.baseDir ?? dirname(file);
  const parsed = parseUntrustedYaml(text, 'runbook');
  const locator = createLocator(parsed.doc, parsed.source);
  const base = { file, text, hash: sha256(text), locate: locator.locate, locateKey: locator.locateKey, locateText: locator.locateText, has: locator.has };
  const problems: Problem[] = parsed.problems.map((p) => ({ severity: 'error', code: p.code, message: p.message, file, ...locator.at(p.offset) }));
  if (problems.length > 0) return { ...base, runbook: undefined, problems: capProblems(sortProblems(problems)) };
  const result = RunbookSchema.safeParse(parsed.value);
  if (!result.success) {
    const mapped = mapIssues(result.error.issues, [], RunbookSchema as unknown as z.core.$ZodType, parsed.value);
    for (const p of mapped) {
      const pos = p.at === 'key' ? locator.locateKey(p.path) : locator.locate(p.path);
      problems.push({ severity: 'error', code: p.code, message: p.message, file, ...pos });
    }
    const pruned = pruneToSchema(parsed.value, result.error.issues);
    const context = pruned === undefined ? undefined : contextOf(pruned, dir, options, problems, () => ({ file, ...locator.locate(['inventory']) }));
    const recovered = pruned === undefined ? undefined : normalizeRunbook(pruned, context);
    return { ...base, runbook: undefined, recovered, inventory: context?.read, problems: capProblems(dedupe(sortProblems(problems))) };
  }
  const context = contextOf(result.data, dir, options, problems, () => ({ file, ...locator.locate(['inventory']) }));
  const runbook = normalizeRunbook(result.data, context);
  const failed = problems.some((p) => p.severity === 'error');
  return { ...base, runbook: failed ? undefined : runbook, recovered: failed ? runbook : undefined, inventory: context.read, problems: capProblems(sortProblems(problems)) };
}

/** The directory and the inventory's hosts and groups, with the inventory's problems added to `problems`. */
function contextOf(
  input: RunbookInput,
  dir: string,
  options: LoadOptions,
  problems: Problem[],
  atKey: () => Position & { file: string },
): NormalizeContext & { read?: { file: string; text: string } } {
  const baseDir = resolve(dir);
  if (input.inventory === undefined) return { baseDir };
  // Named as the runbook was (relative stays relative), so problems read like the runbook's.
  const file = isAbsolute(input.inventory) ? input.inventory : join(dir, input.inventory);
  const inventory = readInventory(file, options.inventoryText);
  if ('unreadable' in inventory) {
    problems.push({ severity: 'error', code: 'inventory', message: inventory.unreadable, ...atKey() });
    return { baseDir };
  }
  problems.push(...inventory.problems);
  return { baseDir, inventory, read: { file, text: inventory.text } };
}

function fixedLocator(line: number): Pick<Loaded, 'locate' | 'locateKey' | 'locateText' | 'has'> {
  const pos = (): Position => ({ line, column: 1 });
  return { locate: pos, locateKey: pos, locateText: pos, has: () => false };
}

/** The same message at the same place once (unions can repeat an option's issue). */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.code}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type { Locator, Position };
