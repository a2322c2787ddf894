/**
 * `on:` names where a step runs: `local`, a declared host, or a template. A template that is
 * one reference to something known before the run (a loop variable over a literal list or a
 * group, a variable's default) is checked against the hosts too; what only the run knows is
 * checked when the step starts. The references themselves are the templates rule's business.
 */
import { didYouMean } from '../../load/suggest.js';
import { type ForEachStep, LOCAL_HOST, type Path, type Runbook, type Step } from '../../model/types.js';
import { hasTemplate, lookupPath as lookup, type Ref, refOf } from '../../template/parse.js';
import type { Rule, RuleContext } from '../context.js';

const SINGLE_REF = /^\s*\$\{\{\s*([^}]*?)\s*\}\}\s*$/;

export const stepHosts: Rule = {
  name: 'step-hosts',
  check(ctx) {
    const { runbook } = ctx;
    // `on` is what the steps of this list inherit (a loop's, or for undo steps their step's).
    const visit = (steps: readonly Step[], loops: readonly ForEachStep[], on: string | undefined): void => {
      for (const step of steps) {
        const inScope = step.kind === 'for_each' ? [...loops, step] : loops;
        if (step.on !== undefined) checkOn(ctx, step.on, [...step.path, 'on'], inScope);
        const here = step.on ?? on;
        if (step.become === true && step.kind !== 'for_each' && (here === undefined || here === LOCAL_HOST)) {
          ctx.warn([...step.path, 'become'], 'become: true has no effect here: the step runs on this machine, and become applies on a host (on:)');
        }
        if (step.kind === 'for_each') visit(step.steps, inScope, here);
        if (step.undo?.kind === 'steps') visit(step.undo.steps, loops, here);
      }
    };
    for (const list of [runbook.steps, runbook.rollback.steps, runbook.checklist]) visit(list, [], undefined);
  },
};

function checkOn(ctx: RuleContext, on: string, path: Path, loops: readonly ForEachStep[]): void {
  const { runbook } = ctx;
  if (!hasTemplate(on)) {
    if (!isHost(runbook, on)) ctx.error(path, `on: "${on}" is not a declared host (hosts: or the inventory) nor "${LOCAL_HOST}"${didYouMean(on, Object.keys(runbook.hosts))}`);
    return;
  }
  const m = SINGLE_REF.exec(on);
  const ref = m ? refOf(m[1] as string) : undefined;
  if (!ref || typeof ref === 'string') return;
  if (ref.root === 'vars') {
    const value = lookup(runbook.vars, ref.parts);
    if (value.found && !(typeof value.value === 'string' && isHost(runbook, value.value))) {
      ctx.warn(path, `on: the default of vars.${ref.parts.join('.')} (${JSON.stringify(value.value)}) is not a declared host: the step fails unless --var names one`);
    }
    return;
  }
  if (ref.root === 'loop') checkLoopItems(ctx, ref, loops);
}

/** `on: ${{ server }}` over literal items: each item must name a host. */
function checkLoopItems(ctx: RuleContext, ref: Ref, loops: readonly ForEachStep[]): void {
  const [name, ...rest] = ref.parts;
  const loop = [...loops].reverse().find((l) => l.as === name);
  if (!loop || typeof loop.items === 'string') return; // a group or a variable: checked elsewhere, or at run time
  loop.items.forEach((item, i) => {
    const value = lookup(item, rest);
    if (!value.found) return;
    if (typeof value.value !== 'string' || !isHost(ctx.runbook, value.value)) {
      ctx.error(
        [...loop.path, 'for_each', i],
        `on: \${{ ${ref.raw} }} is ${JSON.stringify(value.value)} for this item, which is not a declared host${typeof value.value === 'string' ? didYouMean(value.value, Object.keys(ctx.runbook.hosts)) : ''}`,
      );
    }
  });
}

function isHost(runbook: Runbook, name: string): boolean {
  return name === LOCAL_HOST || Object.hasOwn(runbook.hosts, name);
}
