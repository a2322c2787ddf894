/**
 * The numbered steps of the change notice: what each does, its branches in plain words
 * ("If successful, continue to step 6. If unsuccessful, go to the rollback plan."), its undo,
 * and a loop's body as sub-steps (2.1, 2.2...). Pure.
 */
import { type Host, LOCAL_HOST, type Step } from '../../model/types.js';
import { loopItems } from '../../plan/loop-items.js';
import { type Block, code, type StepBlock, text } from './document.js';
import { extraWords, kindBlocks, kindTag } from './notice-kinds.js';
import type { Numbers } from './notice-numbers.js';
import type { Show } from './notice-values.js';
import { dur, failureWords, sentence, successWords } from './words.js';

export interface StepsContext {
  readonly numbers: Numbers;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly show: Show;
  /** The runbook's groups: a loop over one lists its hosts. */
  readonly groups?: Readonly<Record<string, readonly string[]>> | undefined;
  /** `rollback.escalate`, said where a failure escalates. */
  readonly escalate: string | undefined;
  /** Where steps run, when the runbook names hosts: the host per step is then always said. */
  readonly hosts?: Readonly<Record<string, Host>> | undefined;
}

/** Where an enclosing loop (or the step an undo belongs to) runs: its steps inherit it. */
interface Placement {
  readonly on?: string | undefined;
  readonly become?: boolean | undefined;
  /** The enclosing loops' variables and their items, when known: `on: ${{ server }}` names them. */
  readonly loops?: Readonly<Record<string, readonly string[] | undefined>> | undefined;
}

const LOOP_REF = /^\s*\$\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}\s*$/;

/** Kinds that run on a host (manual and notify steps are the operator's and the CLI's). */
const REMOTE_KINDS = new Set(['run', 'wait', 'monitor', 'for_each']);

/** "web1 (deploy@10.0.0.11:2222)", "‹server›", "this machine"; "as root" with become. */
function hostWords(p: Placement, ctx: StepsContext): string | undefined {
  const on = p.on ?? LOCAL_HOST;
  if (on === LOCAL_HOST && !ctx.hosts) return undefined;
  const root = p.become ? ', as root (sudo)' : '';
  if (on === LOCAL_HOST) return 'on this machine'; // become: has no effect there (validate warns)
  const loopVar = LOOP_REF.exec(on)?.[1];
  if (loopVar && p.loops && Object.hasOwn(p.loops, loopVar)) {
    const items = p.loops[loopVar];
    return `on each item's host${items ? ` (${items.join(', ')})` : ''}${root}`;
  }
  const h = ctx.hosts?.[on];
  const reach = h && (h.address || h.user || h.port) ? ` (${h.user ? `${h.user}@` : ''}${h.address ?? on}${h.port ? `:${h.port}` : ''})` : '';
  return `on ${ctx.show.text(on)}${reach}${root}`;
}

/** `defaultFailure`: what a failure does in this list unless a step says otherwise. */
export function stepBlocks(steps: readonly Step[], defaultFailure: string, ctx: StepsContext, inLoop = false, outer: Placement = {}): StepBlock[] {
  const numberOf = (id: string) => {
    const target = steps.find((s) => s.id === id);
    return target ? ctx.numbers.get(target)?.number : undefined;
  };
  return steps.map((step) => {
    const number = ctx.numbers.get(step)?.number ?? '?';
    const loops = step.kind === 'for_each' ? { ...outer.loops, [step.as]: loopItems(step.items, ctx.vars, ctx.groups) } : outer.loops;
    const placed: Placement = { on: step.on ?? outer.on, become: step.become ?? outer.become, loops };
    const where = REMOTE_KINDS.has(step.kind) ? hostWords(placed, ctx) : undefined;
    const body: Block[] = [];
    if (step.description) body.push(text(ctx.show.text(step.description)));
    if (where && step.kind !== 'for_each') body.push(text(`Runs ${where}:`));
    body.push(...kindBlocks(step, ctx.vars, ctx.show, ctx.groups));
    if (where && step.kind === 'for_each') body.push(text(`Its steps run ${where}, unless a step says otherwise.`));
    if (step.kind === 'for_each') body.push({ kind: 'steps', steps: stepBlocks(step.steps, defaultFailure, ctx, true, placed) });
    const extras = extraWords(step);
    if (extras.length) body.push(text(extras.join(' ')));
    if (step.onSuccess !== 'next' || step.onFailure !== defaultFailure) {
      const ok = sentence(`If successful, ${successWords(step.onSuccess, numberOf, inLoop)}`);
      const bad = sentence(`If unsuccessful, ${failureWords(step.onFailure, numberOf, ctx.escalate)}`);
      body.push(text(`${ok} ${bad}`));
    }
    body.push(...undoBlocks(step, ctx, placed));
    const tags = [kindTag(step), ...(step.estimateMs !== undefined ? [`est. ${dur(step.estimateMs)}`] : []), `id ${step.id}`];
    return {
      number,
      title: ctx.show.text(step.name ?? step.id),
      tags,
      marks: step.kind === 'manual' ? ['MANUAL'] : undefined,
      body,
    };
  });
}

function undoBlocks(step: Step, ctx: StepsContext, placed: Placement): Block[] {
  const undo = step.undo;
  if (!undo) return [];
  const scope = step.section === 'loop' ? ' for this item' : '';
  const where = hostWords(placed, ctx);
  if (undo.kind === 'command') return [code(ctx.show.command(undo.run), `Undo${scope}, during a rollback${where ? `, ${where}` : ''}:`)];
  return [text(`Undo${scope}, during a rollback:`), { kind: 'steps', steps: stepBlocks(undo.steps, 'escalate', ctx, false, placed) }];
}
