/**
 * The branch graph of one step list: where each step's success and failure lead. `END` leaves
 * the list normally (the end, `on_success: end`, `continue` past the last step); `STOP` leaves it
 * through rollback, abort, escalate (or the operator's choice, `ask`).
 */
import type { StepList } from './lists.js';

export const END = -1;
export const STOP = -2;

/** Targets that leave the list on failure. */
export const FAILURE_EXITS = new Set(['rollback', 'abort', 'escalate']);

export interface Graph {
  readonly size: number;
  readonly index: ReadonlyMap<string, number>;
  /** Successors of step i on success and on failure (END / STOP for leaving the list). */
  success(i: number): number[];
  failure(i: number): number[];
}

export function graphOf(list: StepList): Graph {
  const index = new Map(list.steps.map((s, i) => [s.id, i] as const));
  const size = list.steps.length;
  const next = (i: number) => (i + 1 < size ? i + 1 : END);
  const jump = (target: string): number[] => {
    const j = index.get(target);
    return j === undefined ? [] : [j]; // unknown targets are reported by branch-targets
  };
  return {
    size,
    index,
    success(i) {
      const t = list.steps[i]?.onSuccess ?? 'next';
      return t === 'next' ? [next(i)] : t === 'end' ? [END] : jump(t);
    },
    failure(i) {
      const t = list.steps[i]?.onFailure ?? 'abort';
      if (FAILURE_EXITS.has(t)) return [STOP];
      if (t === 'continue') return [next(i)];
      // The operator chooses: retry (this step), skip (the next), roll back or abort.
      if (t === 'ask') return [STOP, i, next(i)];
      return jump(t);
    },
  };
}

/** Steps reachable from the first, following success and failure edges. */
export function reachable(g: Graph): Set<number> {
  const seen = new Set<number>();
  const todo = g.size > 0 ? [0] : [];
  while (todo.length > 0) {
    const i = todo.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const j of [...g.success(i), ...g.failure(i)]) if (j >= 0 && !seen.has(j)) todo.push(j);
  }
  return seen;
}

/** Steps from which some path leaves the list (END or STOP): the rest can only loop. */
export function canLeave(g: Graph): Set<number> {
  const preds: number[][] = Array.from({ length: g.size }, () => []);
  const out = new Set<number>();
  const todo: number[] = [];
  for (let i = 0; i < g.size; i++) {
    for (const j of [...g.success(i), ...g.failure(i)]) {
      if (j >= 0) preds[j]?.push(i);
      else if (!out.has(i)) {
        out.add(i);
        todo.push(i);
      }
    }
  }
  while (todo.length > 0) {
    for (const p of preds[todo.pop() as number] ?? []) {
      if (!out.has(p)) {
        out.add(p);
        todo.push(p);
      }
    }
  }
  return out;
}
