/**
 * What happens if a step fails, in words, for plans: "rollback: undo deploy[web2], undo
 * deploy[web1], then rollback steps restore, notify-done".
 */
import type { Runbook, Step } from '../model/types.js';
import type { StepRef } from './events.js';

const MAX_NAMES = 6;

function names(list: readonly string[], count = list.length): string {
  if (count <= MAX_NAMES) return list.join(', ');
  return `${list.slice(0, MAX_NAMES).join(', ')} and ${count - MAX_NAMES} more`;
}

/** The undo stack as a failure path needs it: the newest keys first (a few are enough) and how many. */
export interface UndoSummary {
  readonly newest: readonly string[];
  readonly count: number;
}

/** A summary of the undo stack (oldest first) without copying all of it: plans call this at every step. */
export function summarizeUndos(stack: readonly { readonly key: string }[]): UndoSummary {
  return {
    newest: stack
      .slice(-MAX_NAMES)
      .map((u) => u.key)
      .reverse(),
    count: stack.length,
  };
}

/** How many items of a loop (its ref) have failed so far. */
export type FailedItems = (loop: StepRef) => number;

/** Targets that end a loop item when a step of its body fails (src/engine/engine.ts runLoop). */
const ENDS_ITEM = new Set(['rollback', 'abort', 'escalate']);

export function describeFailure(ref: StepRef, runbook: Runbook, undo: UndoSummary, failedItems: FailedItems = () => 0): string {
  // A failed undo command stops the rollback: the engine escalates, whatever its step's on_failure.
  const target = ref.undoOf !== undefined ? 'escalate' : ref.step.onFailure;
  return retriesFirst(ref.step) + describeTarget(target, ref, runbook, undo, failedItems);
}

/** How a failure path starts when the step retries: "after 2 retries, ". */
export function retriesFirst(step: Step): string {
  return step.retries > 0 ? `after ${step.retries} retr${step.retries === 1 ? 'y' : 'ies'}, ` : '';
}

function describeTarget(target: string, ref: StepRef, runbook: Runbook, undo: UndoSummary, failedItems: FailedItems): string {
  const loop = ref.undoOf === undefined ? ref.loop : undefined;
  if (loop && ENDS_ITEM.has(target)) return itemFails(loop, runbook, undo, failedItems);
  if (loop && target === 'ask') return `ask the operator: retry, skip, rollback or abort (rollback or abort: ${itemFails(loop, runbook, undo, failedItems)})`;
  switch (target) {
    case 'rollback': {
      const undos = undo.count
        ? names(
            undo.newest.map((k) => `undo ${k}`),
            undo.count,
          )
        : '';
      const steps = runbook.rollback.steps.map((s) => s.id);
      const parts = [undos, steps.length ? `rollback steps ${names(steps)}` : ''].filter(Boolean);
      return `rollback: ${parts.length ? parts.join(', then ') : 'nothing to undo'}`;
    }
    case 'abort':
      return 'abort (no rollback)';
    case 'continue':
      return 'continue with the next step';
    case 'ask':
      return 'ask the operator: retry, skip, rollback or abort';
    case 'escalate':
      return `escalate: ${runbook.rollback.escalate ?? 'stop for manual recovery'}`;
    default:
      return `go to ${target}`;
  }
}

/**
 * A body step's rollback, abort or escalate fails its item, not the run: the loop goes on while
 * no more than max_failures items have failed, then fails, and its own on_failure applies (which,
 * in an enclosing loop's body, fails that loop's item in turn).
 */
function itemFails(loop: StepRef, runbook: Runbook, undo: UndoSummary, failedItems: FailedItems, outer = false): string {
  const item = outer ? `its item of ${loop.step.id}` : 'the item';
  const name = outer ? `loop ${loop.step.id}` : 'the loop';
  const max = loop.step.kind === 'for_each' ? loop.step.maxFailures : 0;
  const failed = failedItems(loop) + 1;
  if (failed <= max) return `${item} fails (${failed} of ${max} allowed); ${name} goes on`;
  const over = max > 0 ? ` (${failed}, more than max_failures ${max})` : '';
  const then =
    loop.loop && ENDS_ITEM.has(loop.step.onFailure) ? `, so ${itemFails(loop.loop, runbook, undo, failedItems, true)}` : `: ${describeTarget(loop.step.onFailure, loop, runbook, undo, failedItems)}`;
  return `${item} fails${over}; ${name} fails${then}`;
}
