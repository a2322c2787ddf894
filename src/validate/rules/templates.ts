/**
 * `${{ ... }}` references name things that exist: declared vars and secrets, the loop variable
 * inside its for_each, real steps, a window; plus template syntax.
 */
import { didYouMean } from '../../load/suggest.js';
import { allSteps } from '../../model/normalize.js';
import type { Runbook } from '../../model/types.js';
import { hiddenByLoop, parseTemplate, type Ref, TEMPLATE_ROOTS as ROOTS } from '../../template/parse.js';
import type { Rule } from '../context.js';
import { allFields, type Field } from '../fields.js';

export const templates: Rule = {
  name: 'templates',
  check(ctx) {
    // Only needed for a steps.ID reference; in document order: "did you mean" takes the first closest.
    let ids: Set<string> | undefined;
    const stepIds = (): ReadonlySet<string> => (ids ??= new Set([...allSteps(ctx.runbook)].map((s) => s.id)));
    for (const field of allFields(ctx.runbook)) {
      if (!field.value.includes('${{')) continue;
      const parsed = parseTemplate(field.value);
      for (const e of parsed.errors) ctx.error(field.path, `${field.what}: ${e.message}`, { text: field.value.slice(e.offset, e.offset + 3) });
      // Where a problem is: the nth occurrence of its reference's text in the field (counted only
      // when there is a problem).
      const refs = parsed.segments.flatMap((seg) => ('ref' in seg ? [seg.ref] : []));
      const text = (r: Ref) => field.value.slice(r.offset, r.offset + r.length);
      refs.forEach((ref, k) => {
        const problem = checkRef(ref, field, ctx.runbook, stepIds);
        if (!problem) return;
        const raw = text(ref);
        const nth = refs.slice(0, k).filter((r) => text(r) === raw).length;
        ctx.error(field.path, `${field.what}: ${problem}`, { text: raw, nth });
      });
    }
  },
};

const BARE_ROOTS: ReadonlyMap<string, string> = new Map([
  ['host', 'host.name'],
  ['groups', 'groups.NAME'],
]);

export function checkRef(ref: Ref, field: Field, runbook: Runbook, stepIds: () => ReadonlySet<string>): string | undefined {
  const name = ref.parts[0] ?? '';
  const shown = `"\${{ ${ref.raw} }}"`;
  const loopVars = field.placed?.list.loopVars ?? [];
  const outsideSteps = field.placed === undefined;
  if (hiddenByLoop(ref, loopVars)) return undefined;
  switch (ref.root) {
    case 'vars':
      return Object.hasOwn(runbook.vars, name) ? undefined : `${shown}: no variable "${name}" is declared under vars${didYouMean(name, Object.keys(runbook.vars))}`;
    case 'secrets':
      return Object.hasOwn(runbook.secrets, name) ? undefined : `${shown}: no secret "${name}" is declared under secrets${didYouMean(name, Object.keys(runbook.secrets))}`;
    case 'steps': {
      if (outsideSteps) return `${shown}: step results are not available here`;
      const ids = stepIds();
      if (!ids.has(name)) return `${shown}: there is no step "${name}"${didYouMean(name, ids)}`;
      if (name === field.placed?.step.id) return `${shown}: a step cannot use its own results`;
      return undefined;
    }
    case 'window':
      return runbook.window ? undefined : `${shown}: the runbook has no window`;
    case 'groups':
      return Object.hasOwn(runbook.groups, name) ? undefined : `${shown}: no group "${name}" is declared under groups (or in the inventory)${didYouMean(name, Object.keys(runbook.groups))}`;
    case 'host':
      if (field.what === 'on') return `${shown}: on: chooses the host, so it cannot use the host's name`;
      return outsideSteps ? `${shown}: there is no step, so no host, here` : undefined;
    case 'run':
    case 'env':
      return undefined;
    case 'loop': {
      if (loopVars.includes(name)) return undefined;
      // A bare `host` or `groups` (a loop variable of that name, out of its loop) is short of its part.
      const whole = BARE_ROOTS.get(name);
      if (loopVars.length === 0) {
        return `${shown}: "${name}" is not a reference: use vars.X, secrets.X, steps.ID.outputs.K, run.id, window.start, env.X, or a loop variable inside its for_each${whole ? ` (did you mean "${whole}"?)` : didYouMean(name, ROOTS)}`;
      }
      return `${shown}: "${name}" is not defined here: the loop variable is ${loopVars.map((v) => `"${v}"`).join(', ')}${whole ? ` (did you mean "${whole}"?)` : didYouMean(name, [...loopVars, ...ROOTS])}`;
    }
  }
}
