/**
 * After the schema refuses a runbook, the semantic rules still have things to say (a bad time
 * zone, a duplicate id, a template naming nothing). So that `validate` reports everything in
 * one run, the value is pruned of what the schema refused, where that is safe: unknown keys and
 * optional fields whose value is wrong. The pruned runbook only feeds the rules; it never runs.
 * Where an issue sits at something that cannot be left out (a required field, a whole step
 * whose kind is unclear), there is no pruned runbook: the schema's problems stand alone.
 */
import type { z } from 'zod';
import { type RunbookInput, RunbookSchema } from '../model/schema.js';

const ROUNDS = 4;

export function pruneToSchema(value: unknown, issues: readonly z.core.$ZodIssue[]): RunbookInput | undefined {
  const current: unknown = structuredClone(value);
  let pending = issues;
  const removed = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const issue of pending) {
      const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
      if (issue.code === 'unrecognized_keys') {
        const parent = at(current, path);
        if (!isObject(parent)) return undefined;
        for (const key of issue.keys) delete parent[key];
        continue;
      }
      // Only an optional object field can be left out: not an array item, not a union's pick.
      const last = path.at(-1);
      if (typeof last !== 'string' || issue.code === 'invalid_union') return undefined;
      const id = JSON.stringify(path);
      if (removed.has(id)) return undefined; // required: leaving it out did not help
      removed.add(id);
      const parent = at(current, path.slice(0, -1));
      if (!isObject(parent)) return undefined;
      delete parent[last];
    }
    const result = RunbookSchema.safeParse(current);
    if (result.success) return result.data as RunbookInput;
    pending = result.error.issues;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
