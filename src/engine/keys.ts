/**
 * Step instance keys: `backup` for a plain step, `deploy[web2]` for step deploy in the loop
 * iteration over web2, `deploy[dc1][web2]` in nested loops. The journal, logs, `--fail` and
 * `runbook log RUN STEP` all use them.
 */

/** A short label for a loop item: the value itself, or an object's name/id/host. */
export function itemLabel(item: unknown, index: number): string {
  if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return String(item);
  if (item && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    for (const k of ['name', 'id', 'host', 'hostname']) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k]);
  }
  return String(index + 1);
}

export function instanceKey(stepId: string, itemPath: readonly string[]): string {
  if (itemPath.length === 0) return stepId;
  return stepId + itemPath.map((label) => `[${label}]`).join('');
}

/** The step id a key names: `deploy[web2]` -> `deploy`. */
export function stepIdOf(key: string): string {
  const i = key.indexOf('[');
  return i < 0 ? key : key.slice(0, i);
}
