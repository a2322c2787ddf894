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

// Built once per list: reachability, failure paths and backward jumps share them.
const graphs = new WeakMap<StepList, Graph>();
const reached = new WeakMap<Graph, Set<number>>();

export function graphOf(list: StepList): Graph {
  let g = graphs.get(list);
  if (!g) graphs.set(list, (g = buildGraph(list)));
  return g;
}

function buildGraph(list: StepList): Graph {
  const index = new Map<string, number>();
  for (const [i, s] of list.steps.entries()) index.set(s.id, i);
  const size = list.steps.length;
  const next = (i: number) => (i + 1 < size ? i + 1 : END);
  const jump = (target: string): number[] => {
    const j = index.get(target);
    return j === undefined ? [] : [j]; // unknown targets are reported by branch-targets
  };
  const success = (i: number): number[] => {
    const t = list.steps[i]?.onSuccess ?? 'next';
    const own = t === 'next' ? [next(i)] : t === 'end' ? [END] : jump(t);
    // A step skipped by its `when:` goes on with the next, whatever its own on_success says.
    return list.steps[i]?.when !== undefined && t !== 'next' ? [...own, next(i)] : own;
  };
  const failure = (i: number): number[] => {
    const t = list.steps[i]?.onFailure ?? 'abort';
    if (FAILURE_EXITS.has(t)) return [STOP];
    if (t === 'continue') return [next(i)];
    // The operator chooses: retry (this step), skip (the next), roll back or abort.
    if (t === 'ask') return [STOP, i, next(i)];
    return jump(t);
  };
  const onSuccess = Array.from({ length: size }, (_, i) => success(i));
  const onFailure = Array.from({ length: size }, (_, i) => failure(i));
  return {
    size,
    index,
    success: (i) => onSuccess[i] ?? success(i),
    failure: (i) => onFailure[i] ?? failure(i),
  };
}

/** Steps reachable from the first, following success and failure edges. */
export function reachable(g: Graph): Set<number> {
  const known = reached.get(g);
  if (known) return known;
  const seen = new Set<number>();
  const todo = g.size > 0 ? [0] : [];
  while (todo.length > 0) {
    const i = todo.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const j of g.success(i)) if (j >= 0 && !seen.has(j)) todo.push(j);
    for (const j of g.failure(i)) if (j >= 0 && !seen.has(j)) todo.push(j);
  }
  reached.set(g, seen);
  return seen;
}

/** Steps from which some path leaves the list (END or STOP): the rest can only loop. */
export function canLeave(g: Graph): Set<number> {
  // Predecessors in flat arrays (preds of j: from[first[j]] .. from[first[j + 1] - 1]), in edge order.
  const first = new Int32Array(g.size + 1);
  for (let i = 0; i < g.size; i++) {
    for (const j of g.success(i)) if (j >= 0) first[j + 1]!++;
    for (const j of g.failure(i)) if (j >= 0) first[j + 1]!++;
  }
  for (let j = 0; j < g.size; j++) first[j + 1]! += first[j]!;
  const from = new Int32Array(first[g.size]!);
  const fill = first.slice(0, g.size);
  const out = new Set<number>();
  const todo: number[] = [];
  const edge = (i: number, j: number) => {
    if (j >= 0) from[fill[j]!++] = i;
    else if (!out.has(i)) {
      out.add(i);
      todo.push(i);
    }
  };
  for (let i = 0; i < g.size; i++) {
    for (const j of g.success(i)) edge(i, j);
    for (const j of g.failure(i)) edge(i, j);
  }
  while (todo.length > 0) {
    const j = todo.pop() as number;
    for (let k = first[j]!; k < first[j + 1]!; k++) {
      const p = from[k]!;
      if (!out.has(p)) {
        out.add(p);
        todo.push(p);
      }
    }
  }
  return out;
}
