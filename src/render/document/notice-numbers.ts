/**
 * Step numbers as the change notice prints them: `2`, `2.1` inside a loop, `2.3.U1` for the
 * undo steps of step 2.3. The change plan, the rollback plan and the checklist each count from 1.
 */
import type { Runbook, Step } from '../../model/types.js';

export type Where = 'change' | 'rollback' | 'checklist';

export interface Numbered {
  readonly number: string;
  readonly where: Where;
}

export type Numbers = ReadonlyMap<Step, Numbered>;

export function numberSteps(runbook: Runbook): Numbers {
  const map = new Map<Step, Numbered>();
  const visit = (steps: readonly Step[], prefix: string, where: Where) => {
    steps.forEach((step, i) => {
      const number = `${prefix}${i + 1}`;
      map.set(step, { number, where });
      if (step.kind === 'for_each') visit(step.steps, `${number}.`, where);
      if (step.undo?.kind === 'steps') visit(step.undo.steps, `${number}.U`, where);
    });
  };
  visit(runbook.steps, '', 'change');
  visit(runbook.rollback.steps, '', 'rollback');
  visit(runbook.checklist, '', 'checklist');
  return map;
}

/** "step 2.1", "rollback step 1", "checklist step 2". */
export function stepRef(n: Numbered | undefined): string {
  if (!n) return 'a step';
  return n.where === 'change' ? `step ${n.number}` : `${n.where} step ${n.number}`;
}
