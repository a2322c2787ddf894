/**
 * What a for_each loops over, as the change notice can know it before the run: a literal list,
 * or `${{ vars.x }}` looked up in the variables (after --var and --vars-file), or `${{ groups.x }}`. Pure.
 */
import { itemLabel } from '../engine/keys.js';
import type { Step } from '../model/types.js';
import { lookupPath } from '../template/parse.js';

const VAR_REF = /^\s*\$\{\{\s*(vars|groups)\.([A-Za-z0-9_.-]+)\s*\}\}\s*$/;

/** The item labels, or undefined when they are only known at run time. */
export function loopItems(items: readonly unknown[] | string, vars: Readonly<Record<string, unknown>>, groups: Readonly<Record<string, readonly string[]>> = {}): string[] | undefined {
  if (typeof items !== 'string') return items.map(itemLabel);
  const m = VAR_REF.exec(items);
  if (!m) return undefined;
  const { found, value } = lookupPath(m[1] === 'groups' ? groups : vars, m[2]!.split('.'));
  if (!found) return undefined;
  // The engine's rules (src/engine/actions.ts resolveItems): a string is a comma-separated list.
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return (Array.isArray(value) ? value : [value]).map(itemLabel);
}

/**
 * Total time of a list of steps, with `each` giving one step's time: a loop counts its body once
 * per batch of `serial` items (once when the items are only known at run time).
 */
export function totalMs(steps: readonly Step[], vars: Readonly<Record<string, unknown>>, each: (s: Step) => number, groups: Readonly<Record<string, readonly string[]>> = {}): number {
  let sum = 0;
  for (const s of steps) {
    if (s.kind !== 'for_each') {
      sum += each(s);
      continue;
    }
    const n = loopItems(s.items, vars, groups)?.length ?? 1;
    sum += Math.ceil(n / s.serial) * totalMs(s.steps, vars, each, groups);
  }
  return sum;
}
