/**
 * `when:` at run time: what each reference of a condition stands for now, and whether the step
 * runs. `steps.ID.status` is the latest visit's; inside a loop, the current item's instance of
 * a sibling first. A dry run does not know outputs yet: a condition on them is "unknown", and
 * the plan shows the step as running if it holds.
 */
import type { Step } from '../model/types.js';
import type { StepStatus } from '../state/records.js';
import { ConditionError, describeCondition, evaluate, parseCondition, type RefValue } from '../template/condition.js';
import type { Ref } from '../template/parse.js';
import { TemplateError } from '../template/shell.js';
import { instanceKey } from './keys.js';
import { type LoopBindings, textResolver, type Values } from './scope.js';

/** The status of every step instance run so far, by key, and of each step id's latest instance. */
export class StepStatuses {
  private readonly byKey = new Map<string, StepStatus>();
  private readonly latest = new Map<string, StepStatus>();
  /** Steps of a loop body: run once per item. */
  private readonly inLoop = new Set<string>();

  set(stepId: string, key: string, status: StepStatus): void {
    this.byKey.set(key, status);
    this.latest.set(stepId, status);
    if (key !== stepId) this.inLoop.add(stepId);
  }

  /**
   * `succeeded`, `failed`, `skipped` or `not_run`, seen from the loop item at `itemPath`: a step
   * of the same loop body is the item's own instance (another item's does not count).
   */
  of(stepId: string, itemPath: readonly string[]): StepStatus | 'not_run' {
    for (let n = itemPath.length; n > 0; n--) {
      const status = this.byKey.get(instanceKey(stepId, itemPath.slice(0, n)));
      if (status) return status;
    }
    if (itemPath.length > 0 && this.inLoop.has(stepId)) return 'not_run';
    return this.latest.get(stepId) ?? 'not_run';
  }
}

export type WhenResult = { readonly runs: true; readonly words?: string } | { readonly runs: false; readonly words: string };

/**
 * Whether the step runs: `{ runs: false }` with the condition in words when it does not hold,
 * `words` "runs if ..." when a dry run cannot tell. TemplateError when it cannot be evaluated
 * (an output that does not exist, a number expected): the step fails before it starts.
 */
export function checkWhen(step: Step, values: Values, loop: LoopBindings, itemPath: readonly string[], statuses: StepStatuses): WhenResult {
  if (step.when === undefined) return { runs: true };
  let words: string;
  let holds: boolean | 'unknown';
  try {
    const cond = parseCondition(step.when);
    words = describeCondition(cond);
    holds = evaluate(cond, (ref) => lookup(ref, values, loop, itemPath, statuses));
  } catch (err) {
    if (err instanceof ConditionError) throw new TemplateError(`when: ${err.message}`);
    throw err;
  }
  if (holds === 'unknown') return { runs: true, words: `runs if ${words}` };
  return holds ? { runs: true } : { runs: false, words: `only if ${words}: it does not hold` };
}

function lookup(ref: Ref, values: Values, loop: LoopBindings, itemPath: readonly string[], statuses: StepStatuses): RefValue {
  if (ref.root === 'steps' && ref.parts[1] === 'status') return { value: statuses.of(ref.parts[0]!, itemPath) };
  // A dry run knows which steps succeed (its path), not what they print or exit with.
  if (ref.root === 'steps' && values.dry) return { unknown: true };
  const resolved = textResolver(values, loop)(ref);
  return 'value' in resolved ? { value: resolved.value } : { unknown: true };
}
