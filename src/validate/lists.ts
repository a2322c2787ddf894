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

export function stepLists(runbook: Runbook): StepList[] {
  const out: StepList[] = [];
  const visit = (list: StepList): void => {
    if (list.steps.length > 0) out.push(list);
    for (const step of list.steps) {
      if (step.kind === 'for_each') {
        visit({ steps: step.steps, path: [...step.path, 'steps'], plan: list.plan, label: `the loop "${step.id}"`, loopVars: [...list.loopVars, step.as] });
      }
      if (step.undo?.kind === 'steps') {
        visit({ steps: step.undo.steps, path: step.undo.path, plan: 'undo', label: `the undo of "${step.id}"`, loopVars: list.loopVars });
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
export function placedSteps(runbook: Runbook): Placed[] {
  return stepLists(runbook).flatMap((list) => list.steps.map((step, index) => ({ step, list, index })));
}

const WORDS = new Set(['next', 'end', 'rollback', 'abort', 'continue', 'ask', 'escalate']);

/**
 * False when the list's jumps cannot be followed: two steps share an id, or a target names no
 * step of the list. unique-ids and branch-targets report those; the graph rules skip the list
 * rather than pile consequences on top.
 */
export function graphable(list: StepList): boolean {
  const ids = new Set(list.steps.map((s) => s.id));
  if (ids.size !== list.steps.length) return false;
  return list.steps.every((s) => [s.onSuccess, s.onFailure].every((t) => WORDS.has(t) || ids.has(t)));
}
