/**
 * on_success: next | end | a step id in the same list. on_failure: rollback | abort | continue |
 * ask | a step id in the same list; escalate only in the rollback plan and undo lists, rollback
 * never there. A jump never leaves its list: the rollback plan cannot jump into the change plan.
 */
import { didYouMean } from '../../load/suggest.js';
import type { Step } from '../../model/types.js';
import type { Rule, RuleContext } from '../context.js';
import { type StepList, stepLists } from '../lists.js';

const SUCCESS_WORDS = ['next', 'end'];
const FAILURE_WORDS = ['rollback', 'abort', 'continue', 'ask', 'escalate'];

export const branchTargets: Rule = {
  name: 'branch-targets',
  check(ctx) {
    const lists = stepLists(ctx.runbook);
    const home = new Map<string, StepList>();
    for (const list of lists) for (const s of list.steps) if (!home.has(s.id)) home.set(s.id, list);
    const hasRollback = ctx.runbook.rollback.steps.length > 0 || lists.some((l) => l.steps.some((s) => s.undo !== undefined));
    for (const list of lists) {
      for (const step of list.steps) {
        checkSuccess(ctx, list, step, home);
        checkFailure(ctx, list, step, home, hasRollback);
      }
    }
  },
};

function checkSuccess(ctx: RuleContext, list: StepList, step: Step, home: Map<string, StepList>): void {
  const t = step.onSuccess;
  if (SUCCESS_WORDS.includes(t)) return;
  const path = [...step.path, 'on_success'];
  if (FAILURE_WORDS.includes(t)) {
    ctx.error(path, `on_success cannot be "${t}": use next, end or a step id in ${list.label}`);
    return;
  }
  checkId(ctx, list, path, 'on_success', t, home, SUCCESS_WORDS);
}

function checkFailure(ctx: RuleContext, list: StepList, step: Step, home: Map<string, StepList>, hasRollback: boolean): void {
  const t = step.onFailure;
  const inRollback = list.plan === 'rollback' || list.plan === 'undo';
  // The common cases, with nothing to report.
  if (t === 'abort' || t === 'continue' || t === 'ask' || (t === 'rollback' && hasRollback && !inRollback)) return;
  const path = [...step.path, 'on_failure'];
  const words = inRollback ? ['escalate', 'abort', 'continue', 'ask'] : ['rollback', 'abort', 'continue', 'ask'];
  if (t === 'escalate' && !inRollback) {
    ctx.error(path, `on_failure: escalate is only for steps of the rollback plan and undo lists; use rollback, abort, continue or ask here`);
  } else if (t === 'rollback' && inRollback) {
    ctx.error(path, `on_failure: rollback is not allowed in ${list.label}: the rollback is already running (use escalate, abort, continue or ask)`);
  } else if (t === 'rollback' && !hasRollback) {
    ctx.warn(path, 'on_failure: rollback, but there is no rollback plan and no undo: a failure here stops the run like abort');
  } else if (t === 'next' || t === 'end') {
    ctx.error(path, `on_failure cannot be "${t}": use ${words.join(', ')} or a step id in ${list.label}`);
  } else if (!FAILURE_WORDS.includes(t)) {
    checkId(ctx, list, path, 'on_failure', t, home, words);
  }
}

function checkId(ctx: RuleContext, list: StepList, path: (string | number)[], key: string, target: string, home: Map<string, StepList>, words: string[]): void {
  const where = home.get(target);
  if (where === list || (where !== undefined && list.steps.some((s) => s.id === target))) return;
  if (where === undefined) {
    const candidates = [...words, ...list.steps.map((s) => s.id)];
    ctx.error(path, `${key}: unknown step "${target}"${didYouMean(target, candidates)}: use ${words.join(', ')} or a step id in ${list.label}`);
  } else if (list.plan === 'rollback' && where.plan === 'change') {
    ctx.error(path, `${key}: "${target}" is in the change plan: the rollback plan never jumps into the change plan (targets stay in the same list)`);
  } else {
    ctx.error(path, `${key}: "${target}" is in ${where.label}, not in ${list.label}: a jump stays in its own list`);
  }
}
