/** Declared but never used: vars, secrets (resolved before the first step for nothing), channels. */
import { refsOf } from '../../template/parse.js';
import type { Rule } from '../context.js';
import { allFields } from '../fields.js';
import { placedSteps } from '../lists.js';

export const unused: Rule = {
  name: 'unused',
  check(ctx) {
    const { runbook } = ctx;
    const used = { vars: new Set<string>(), secrets: new Set<string>() };
    for (const field of allFields(runbook)) {
      for (const ref of refsOf(field.value)) {
        if (ref.root === 'vars' || ref.root === 'secrets') used[ref.root].add(ref.parts[0] ?? '');
      }
    }
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
