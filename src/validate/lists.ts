/**
 * The runbook's step lists: the change plan, the rollback plan, the checklist, each loop body
 * and each undo list. A branch target stays inside its list.
 */
import type { Path, Runbook, Step } from '../model/types.js';

/** Which plan a list runs in: decides the allowed failure targets. */
export type Plan = 'change' | 'rollback' | 'checklist' | 'undo';

export interface StepList {
  readonly steps: readonly Step[];
  readonly path: Path;
  readonly plan: Plan;
  /** `the change plan`, `the loop "rolling"`, `the undo of "deploy"`. */
  readonly label: string;
  /** The loop variables in scope (enclosing for_each `as`), innermost last. */
  readonly loopVars: readonly string[];
}

export interface Placed {
  readonly step: Step;
  readonly list: StepList;
  readonly index: number;
}

const TOP: ReadonlyArray<[keyof Pick<Runbook, 'steps' | 'checklist'> | 'rollback', Plan, string]> = [
  ['steps', 'change', 'the change plan'],
  ['rollback', 'rollback', 'the rollback plan'],
  ['checklist', 'checklist', 'the checklist'],
];

// Every rule walks the same lists: they are built once per runbook (which is never modified).
const listsOf = new WeakMap<Runbook, readonly StepList[]>();
const placedOf = new WeakMap<Runbook, readonly Placed[]>();
const graphableOf = new WeakMap<StepList, boolean>();

export function stepLists(runbook: Runbook): readonly StepList[] {
  let lists = listsOf.get(runbook);
  if (!lists) listsOf.set(runbook, (lists = findLists(runbook)));
  return lists;
}

function findLists(runbook: Runbook): StepList[] {
  const out: StepList[] = [];
  const visit = (list: StepList): void => {
    if (list.steps.length > 0) out.push(list);
    for (const step of list.steps) {
      if (step.kind === 'for_each') {
        visit({ steps: step.steps, path: [...step.path, 'steps'], plan: list.plan, label: `the loop "${step.id}"`, loopVars: [...list.loopVars, step.as] });
      }
      if (step.undo?.kind === 'steps') {
        // A loop's undo runs per item done, with its loop variable.
        const loopVars = step.kind === 'for_each' ? [...list.loopVars, step.as] : list.loopVars;
        visit({ steps: step.undo.steps, path: step.undo.path, plan: 'undo', label: `the undo of "${step.id}"`, loopVars });
      }
    }
  };
  for (const [key, plan, label] of TOP) {
    const steps = key === 'rollback' ? runbook.rollback.steps : runbook[key];
    visit({ steps, path: key === 'rollback' ? ['rollback', 'steps'] : [key], plan, label, loopVars: [] });
  }
  return out;
}

/** Every step with its list and index, in document order of lists. */
export function placedSteps(runbook: Runbook): readonly Placed[] {
  let placed = placedOf.get(runbook);
  if (!placed) {
    const out: Placed[] = [];
    for (const list of stepLists(runbook)) for (const [index, step] of list.steps.entries()) out.push({ step, list, index });
    placedOf.set(runbook, (placed = out));
  }
  return placed;
}

const WORDS = new Set(['next', 'end', 'rollback', 'abort', 'continue', 'ask', 'escalate']);

/**
 * False when the list's jumps cannot be followed: two steps share an id, or a target names no
 * step of the list. unique-ids and branch-targets report those; the graph rules skip the list
 * rather than pile consequences on top.
 */
export function graphable(list: StepList): boolean {
  let ok = graphableOf.get(list);
  if (ok === undefined) {
    const ids = new Set(list.steps.map((s) => s.id));
    ok = ids.size === list.steps.length && list.steps.every((s) => (WORDS.has(s.onSuccess) || ids.has(s.onSuccess)) && (WORDS.has(s.onFailure) || ids.has(s.onFailure)));
    graphableOf.set(list, ok);
  }
  return ok;
}
