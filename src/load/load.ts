/**
 * Load a runbook: read (untrusted), parse YAML, check the schema, normalise. Never throws on bad
 * input: every problem is collected with its file, line and column.
 */

import { dirname, resolve } from 'node:path';
import type * as z from 'zod';
import { normalizeRunbook } from '../model/normalize.js';
import { RunbookSchema } from '../model/schema.js';
import type { Path, Runbook } from '../model/types.js';
import { sha256 } from './hash.js';
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
  /** Problems found while loading (syntax, schema), sorted by position. */
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

export function loadRunbookFile(file: string): Loaded {
  const read = readTextFile(file);
  if (read.ok) return loadRunbookText(read.text, file);
  const problem: Problem = { severity: 'error', code: read.code, message: read.message, file, line: read.line, column: read.column };
  return { file, text: '', hash: sha256(''), runbook: undefined, problems: [problem], ...fixedLocator(1) };
}

export function loadRunbookText(text: string, file: string): Loaded {
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
    const recovered = pruned === undefined ? undefined : normalizeRunbook(pruned, { baseDir: resolve(dirname(file)) });
    return { ...base, runbook: undefined, recovered, problems: capProblems(dedupe(sortProblems(problems))) };
  }
  return { ...base, runbook: normalizeRunbook(result.data, { baseDir: resolve(dirname(file)) }), problems: [] };
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
