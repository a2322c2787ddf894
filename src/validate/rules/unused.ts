/** Declared but never used: vars, secrets (resolved before the first step for nothing), channels. */
import { ConditionError, conditionRefs, parseCondition } from '../../template/condition.js';
import { type Ref, refsOf } from '../../template/parse.js';
import type { Rule } from '../context.js';
import { allFields } from '../fields.js';
import { placedSteps } from '../lists.js';

export const unused: Rule = {
  name: 'unused',
  check(ctx) {
    const { runbook } = ctx;
    const used = { vars: new Set<string>(), secrets: new Set<string>() };
    const use = (ref: Ref) => {
      if (ref.root === 'vars' || ref.root === 'secrets') used[ref.root].add(ref.parts[0] ?? '');
    };
    for (const field of allFields(runbook)) refsOf(field.value).forEach(use);
    for (const { step } of placedSteps(runbook)) if (step.when !== undefined) whenRefs(step.when).forEach(use);
    for (const c of Object.values(runbook.channels)) if (c.type === 'email' && c.smtp.password) used.secrets.add(c.smtp.password);
    for (const name of Object.keys(runbook.vars)) {
      if (!used.vars.has(name)) ctx.warn(['vars', name], `variable "${name}" is never used`, { key: true });
    }
    for (const name of Object.keys(runbook.secrets)) {
      if (!used.secrets.has(name)) ctx.warn(['secrets', name], `secret "${name}" is never used (it would still be resolved before the first step)`, { key: true });
    }
    const notifySteps = placedSteps(runbook).flatMap(({ step }) => (step.kind === 'notify' ? [step] : []));
    if (notifySteps.some((s) => s.to === undefined)) return; // sends to every channel
    const named = new Set([...notifySteps.flatMap((s) => s.to ?? []), ...Object.values(runbook.events).flatMap((l) => l ?? [])]);
    for (const name of Object.keys(runbook.channels)) {
      if (!named.has(name)) ctx.warn(['notify', 'channels', name], `channel "${name}" is never used: no event or notify step names it`, { key: true });
    }
  },
};

/** The references of a condition; none when it does not parse (the conditions rule says why). */
function whenRefs(when: string): Ref[] {
  try {
    return conditionRefs(parseCondition(when));
  } catch (err) {
    if (err instanceof ConditionError) return [];
    throw err;
  }
}
