/**
 * The change notification a change board approves, built from a runbook as a format-neutral
 * Doc (./document.ts) with every section the seed notices have: summary, window (in its zone
 * and UTC), description, impact, contacts, who performs it, testing, the numbered change plan
 * with its branches, the rollback plan, time to recovery, the checklist, notifications and the
 * time budget. Secrets show as `***`; other templates as written. Pure.
 */
import { walk } from '../../model/normalize.js';
import type { Runbook } from '../../model/types.js';
import { type Block, type Doc, fields, type Section, text } from './document.js';
import { budgetBlocks, computeBudget } from './notice-budget.js';
import { type Numbers, numberSteps, stepRef } from './notice-numbers.js';
import { contactBlocks, notificationBlocks, performedByBlocks } from './notice-parties.js';
import { type StepsContext, stepBlocks } from './notice-steps.js';
import { windowBlocks, windowLine } from './notice-window.js';
import { maskSecretRefs } from './sanitize.js';
import { windowView } from './window-times.js';
import { dur, NOT_STATED } from './words.js';

export interface NoticeOptions {
  /** The variables after --var and --vars-file (loop items come from them). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The machine's zone, for a window without `timezone` (tests pin it). */
  readonly localZone?: string | undefined;
}

const prose = (t: string | undefined): Block[] => [text(t?.trim() ? maskSecretRefs(t) : NOT_STATED)];

export function buildNotice(runbook: Runbook, opts: NoticeOptions): Doc {
  const numbers = numberSteps(runbook);
  const view = runbook.window ? windowView(runbook.window, opts.localZone) : undefined;
  const ctx: StepsContext = { numbers, vars: opts.vars, groups: runbook.groups, escalate: runbook.rollback.escalate };
  const hasUndo = [...walk(runbook.steps), ...walk(runbook.checklist)].some((s) => s.undo !== undefined);
  const changeDefault = runbook.rollback.steps.length > 0 || hasUndo ? 'rollback' : 'abort';
  const failing = changeDefault === 'rollback' ? 'goes to the rollback plan' : 'stops the run without rolling back';
  const budget = computeBudget(runbook, opts.vars);

  const sections: Section[] = [
    {
      id: 'summary',
      title: 'Summary',
      blocks: [
        fields([
          ['Change / project number', runbook.change ?? NOT_STATED],
          ['Submittal date', runbook.submitted ?? NOT_STATED],
          ['Environment', runbook.environment ?? NOT_STATED],
          ['Window', windowLine(view)],
          ['Runbook', [{ code: runbook.id }]],
        ]),
      ],
    },
    { id: 'window', title: 'Maintenance window', blocks: windowBlocks(runbook.window, view) },
    { id: 'description', title: 'Description and reason', blocks: prose(runbook.description) },
    {
      id: 'impact',
      title: 'Impact',
      blocks: [...prose(runbook.impact), text(`Who is affected: ${runbook.affected?.trim() ? maskSecretRefs(runbook.affected.trim()) : NOT_STATED}`)],
    },
    { id: 'contacts', title: 'Contacts', blocks: contactBlocks(runbook) },
    { id: 'performed-by', title: 'Performed by', blocks: performedByBlocks(runbook) },
    { id: 'testing', title: 'Testing performed beforehand', blocks: prose(runbook.testing) },
    {
      id: 'change-plan',
      title: 'Change plan',
      blocks: [text(`Unless a step says otherwise, a failed step ${failing}.`, 'note'), { kind: 'steps', steps: stepBlocks(runbook.steps, changeDefault, ctx) }],
    },
    { id: 'rollback-plan', title: 'Rollback plan', blocks: rollbackBlocks(runbook, numbers, ctx) },
    { id: 'recovery', title: 'Expected time to recovery', blocks: [text(recoveryWords(runbook, budget.reserveMs))] },
    {
      id: 'checklist',
      title: 'Return-to-service checklist',
      blocks: runbook.checklist.length
        ? [text(`Run after the change plan succeeds. Unless a check says otherwise, a failed check ${failing}.`, 'note'), { kind: 'steps', steps: stepBlocks(runbook.checklist, changeDefault, ctx) }]
        : [text('None: the change plan has no return-to-service checks of its own.')],
    },
    { id: 'notifications', title: 'Notifications', blocks: notificationBlocks(runbook, numbers) },
    { id: 'time-budget', title: 'Time budget', blocks: budgetBlocks(runbook, budget, view) },
  ];
  return { kind: `Change notification${runbook.change ? ` ${runbook.change}` : ''}`, title: maskSecretRefs(runbook.title), sections };
}

function recoveryWords(runbook: Runbook, reserveMs: number): string {
  if (runbook.recoveryTimeMs !== undefined) return `${dur(runbook.recoveryTimeMs)} if a rollback is required.`;
  return `${NOT_STATED} The rollback reserve is ${dur(reserveMs)}.`;
}

function rollbackBlocks(runbook: Runbook, numbers: Numbers, ctx: StepsContext): Block[] {
  const out: Block[] = [];
  const when = runbook.rollback.when?.trim();
  out.push(
    text(
      when
        ? `When: ${maskSecretRefs(when)}`
        : ['When: a change step fails (unless it says otherwise), the point of no return passes, or an operator runs ', { code: 'runbook rollback RUN' }, ' after the run.'],
    ),
  );
  const undone = [...walk(runbook.steps), ...walk(runbook.checklist)].filter((s) => s.undo !== undefined && s.section !== 'undo');
  if (undone.length) {
    out.push(text('First, the undo of every step that completed runs, newest first (in a loop, only for the items already done):'));
    out.push({
      kind: 'list',
      items: undone.map((s) => {
        const n = numbers.get(s);
        const what = s.undo?.kind === 'steps' ? `undo steps ${n?.number}.U1 to ${n?.number}.U${s.undo.steps.length}` : 'its undo command';
        return `${stepRef(n)} (${maskSecretRefs(s.name ?? s.id)}): ${what}${s.section === 'loop' ? ', for each item done' : ''}.`;
      }),
    });
  }
  if (runbook.rollback.steps.length) {
    if (undone.length) out.push(text('Then:'));
    out.push({ kind: 'steps', steps: stepBlocks(runbook.rollback.steps, 'escalate', ctx) });
  } else if (!undone.length) {
    out.push(text('No rollback plan: a failed step stops the run without rolling back.', 'alert'));
  }
  const escalate = runbook.rollback.escalate?.trim();
  out.push(
    text(
      escalate
        ? `If the rollback fails: stop, notify, and escalate: ${maskSecretRefs(escalate)}`
        : 'If the rollback fails: the run stops and notifies; manual recovery is needed (no escalation plan is stated).',
      'alert',
    ),
  );
  return out;
}
