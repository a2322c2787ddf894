/**
 * The change notification a change board approves, built from a runbook as a format-neutral
 * Doc (./document.ts) with every section the seed notices have: summary, window (in its zone
 * and UTC), description, impact, contacts, who performs it, testing, the numbered change plan
 * with its branches, the rollback plan, time to recovery, the checklist, notifications and the
 * time budget, then the variables it was rendered with and the sign-off block. Templates are
 * filled in with the variables (./notice-values.ts): secrets show as `***`, what only the run
 * knows is named. Pure.
 */
import { walk } from '../../model/normalize.js';
import type { Runbook } from '../../model/types.js';
import { type Block, type Doc, fields, type Section, text } from './document.js';
import { budgetBlocks, computeBudget } from './notice-budget.js';
import { type Numbers, numberSteps, stepRef } from './notice-numbers.js';
import { contactBlocks, notificationBlocks, performedByBlocks } from './notice-parties.js';
import { type StepsContext, stepBlocks } from './notice-steps.js';
import { noticeShow, valueWords } from './notice-values.js';
import { windowBlocks, windowLine } from './notice-window.js';
import { maskSecretRefs } from './sanitize.js';
import { windowView } from './window-times.js';
import { dur, NOT_STATED } from './words.js';

export interface NoticeOptions {
  /** The variables after --var and --vars-file (loop items come from them). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The machine's zone, for a window without `timezone` (tests pin it). */
  readonly localZone?: string | undefined;
  /** The runbook file as given, and the sha256 of its text: what the board approves. */
  readonly file?: string | undefined;
  readonly hash?: string | undefined;
  /** When the notice was rendered (ISO). */
  readonly generatedAt?: string | undefined;
}

const prose = (t: string | undefined): Block[] => [text(t?.trim() ? maskSecretRefs(t) : NOT_STATED)];

export function buildNotice(runbook: Runbook, opts: NoticeOptions): Doc {
  const numbers = numberSteps(runbook);
  const view = runbook.window ? windowView(runbook.window, opts.localZone) : undefined;
  const show = noticeShow({ vars: opts.vars, groups: runbook.groups, window: { start: view?.times?.start.toISO() ?? undefined, end: view?.times?.end.toISO() ?? undefined } });
  const hosts = Object.keys(runbook.hosts).length > 0 ? runbook.hosts : undefined;
  const ctx: StepsContext = { numbers, vars: opts.vars, groups: runbook.groups, show, escalate: runbook.rollback.escalate, hosts };
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
          ['Runbook', [{ code: runbook.id }, ...(opts.file ? [` from ${opts.file}`] : [])]],
          ['Runbook sha256', opts.hash ? [{ code: opts.hash }] : undefined],
          ['Generated', opts.generatedAt ? generatedWords(opts.generatedAt) : undefined],
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
    { id: 'hosts', title: 'Hosts', blocks: hostBlocks(runbook) },
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
    { id: 'notifications', title: 'Notifications', blocks: notificationBlocks(runbook, numbers, show) },
    { id: 'time-budget', title: 'Time budget', blocks: budgetBlocks(runbook, budget, view) },
    { id: 'variables', title: 'Variables', blocks: variableBlocks(runbook, opts.vars) },
    { id: 'approval', title: 'Approval', blocks: approvalBlocks(opts) },
  ];
  const kind = `Change notification${runbook.change ? ` ${runbook.change}` : ''}`;
  const title = show.text(runbook.title);
  const margins = {
    topLeft: `${kind}: ${title}`,
    topRight: opts.generatedAt ? `Generated ${generatedWords(opts.generatedAt)}` : undefined,
    bottomLeft: opts.hash ? `sha256 ${opts.hash.slice(0, 16)}` : undefined,
  };
  return { kind, title, sections, margins };
}

/** "2026-12-02 04:10 UTC". */
function generatedWords(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The values every template of the notice was filled in with, and where each differs from the runbook. */
function variableBlocks(runbook: Runbook, vars: Readonly<Record<string, unknown>>): Block[] {
  const names = Object.keys(vars);
  if (names.length === 0) return [text('The runbook has no variables.')];
  const rows = names.map((name) => {
    const value = valueWords(vars[name]);
    const given = JSON.stringify(vars[name]) !== JSON.stringify(runbook.vars[name]);
    return [[{ code: name }], value, given ? `set for this notice (runbook default: ${valueWords(runbook.vars[name])})` : 'runbook default'];
  });
  return [
    text(
      [
        'The commands and messages above are shown with these values: ',
        { code: 'runbook exec' },
        ' must be given the same (',
        { code: '--var' },
        ', ',
        { code: '--vars-file' },
        ') to do what this notice says.',
      ],
      'note',
    ),
    { kind: 'table', head: ['Variable', 'Value', 'Source'], rows },
  ];
}

/** The hosts the steps reach (by ssh) and the groups of them; each step says which it runs on. */
function hostBlocks(runbook: Runbook): Block[] {
  const hosts = Object.values(runbook.hosts);
  if (hosts.length === 0) return [text('Every step runs on the machine running runbook.')];
  const groupsOf = (name: string) =>
    Object.entries(runbook.groups)
      .filter(([, members]) => members.includes(name))
      .map(([g]) => g);
  const rows = hosts.map((h) => [[{ code: h.name }], h.address ?? '(ssh_config)', h.user ?? '', h.port === undefined ? '' : String(h.port), groupsOf(h.name).join(', ')]);
  return [text('Steps reach these hosts with ssh; each step says which host it runs on.'), { kind: 'table', head: ['Host', 'Address', 'User', 'Port', 'Groups'], rows }];
}

function approvalBlocks(opts: NoticeOptions): Block[] {
  const what = opts.hash ? ['Approved as rendered from the runbook with sha256 ', { code: opts.hash }, '.'] : 'Approved as rendered.';
  return [text(what), { kind: 'signoff', roles: ['Change owner', 'Change board', 'Performed by'] }];
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
        return `${stepRef(n)} (${ctx.show.text(s.name ?? s.id)}): ${what}${s.section === 'loop' ? ', for each item done' : ''}.`;
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
