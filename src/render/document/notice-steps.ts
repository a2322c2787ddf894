/**
 * The numbered steps of the change notice: what each does, its branches in plain words
 * ("If successful, continue to step 6. If unsuccessful, go to the rollback plan."), its undo,
 * and a loop's body as sub-steps (2.1, 2.2...). Pure.
 */
import type { Step } from '../../model/types.js';
import { type Block, code, type StepBlock, text } from './document.js';
import { extraWords, kindBlocks, kindTag, shown } from './notice-kinds.js';
import type { Numbers } from './notice-numbers.js';
import { dur, failureWords, sentence, successWords } from './words.js';

export interface StepsContext {
  readonly numbers: Numbers;
  readonly vars: Readonly<Record<string, unknown>>;
  /** The runbook's groups: a loop over one lists its hosts. */
  readonly groups?: Readonly<Record<string, readonly string[]>> | undefined;
  /** `rollback.escalate`, said where a failure escalates. */
  readonly escalate: string | undefined;
}

/** `defaultFailure`: what a failure does in this list unless a step says otherwise. */
export function stepBlocks(steps: readonly Step[], defaultFailure: string, ctx: StepsContext, inLoop = false): StepBlock[] {
  const numberOf = (id: string) => {
    const target = steps.find((s) => s.id === id);
    return target ? ctx.numbers.get(target)?.number : undefined;
  };
  return steps.map((step) => {
    const number = ctx.numbers.get(step)?.number ?? '?';
    const body: Block[] = [];
    if (step.description) body.push(text(shown(step.description)));
    body.push(...kindBlocks(step, ctx.vars, ctx.groups));
    if (step.kind === 'for_each') body.push({ kind: 'steps', steps: stepBlocks(step.steps, defaultFailure, ctx, true) });
    const extras = extraWords(step);
    if (extras.length) body.push(text(extras.join(' ')));
    if (step.onSuccess !== 'next' || step.onFailure !== defaultFailure) {
      const ok = sentence(`If successful, ${successWords(step.onSuccess, numberOf, inLoop)}`);
      const bad = sentence(`If unsuccessful, ${failureWords(step.onFailure, numberOf, ctx.escalate)}`);
      body.push(text(`${ok} ${bad}`));
    }
    body.push(...undoBlocks(step, ctx));
    const tags = [kindTag(step), ...(step.estimateMs !== undefined ? [`est. ${dur(step.estimateMs)}`] : []), `id ${step.id}`];
    return {
      number,
      title: shown(step.name ?? step.id),
      tags,
      marks: step.kind === 'manual' ? ['MANUAL'] : undefined,
      body,
    };
  });
}

function undoBlocks(step: Step, ctx: StepsContext): Block[] {
  const undo = step.undo;
  if (!undo) return [];
  const scope = step.section === 'loop' ? ' for this item' : '';
  if (undo.kind === 'command') return [code(shown(undo.run), `Undo${scope}, during a rollback:`)];
  return [text(`Undo${scope}, during a rollback:`), { kind: 'steps', steps: stepBlocks(undo.steps, 'escalate', ctx) }];
}
