/** The change record (./report-model.ts) as a format-neutral Doc. Pure. */
import { type Block, code, type Doc, fields, type Rich, type StepBlock, text } from './document.js';
import type { Report } from './report-model.js';
import type { Execution } from './report-steps.js';
import { against, branchWords, durationBetween, when } from './report-words.js';
import { dur } from './words.js';

const STATUS: Readonly<Record<Execution['status'], string>> = { succeeded: 'succeeded', failed: 'failed', skipped: 'skipped', in_flight: 'in flight (not finished)' };
const PHASE = { change: 'change plan', checklist: 'checklist', rollback: 'rollback' } as const;

function outcome(r: Report): Rich {
  const m = /^(.*)`([^`]+)`(.*)$/.exec(r.outcome.words);
  return m ? [m[1]!, { code: m[2]! }, m[3]!] : r.outcome.words;
}

function summary(r: Report): Block[] {
  const zone = r.window?.zone;
  const started = [when(r.started, zone), against(r.started, r.window?.start, true)].filter(Boolean).join(', ');
  const finished = r.finished ? [when(r.finished, zone), against(r.finished, r.window?.end, false)].filter(Boolean).join(', ') : 'Not finished';
  const win = r.window?.start ? `${when(r.window.start, zone)} to ${when(r.window.end, zone)}` : 'None';
  const out: Block[] = [
    fields([
      ['Outcome', outcome(r)],
      ['Exit code', r.outcome.exitCode === undefined ? undefined : String(r.outcome.exitCode)],
      ['In words', r.outcome.message],
      ['Change', r.change],
      ['Runbook', [{ code: r.runbookId }, ` from ${r.file} (sha256 ${r.hash.slice(0, 12)})`]],
      ['Run', [{ code: r.runId }]],
      ['Run by', `${r.startedBy.user} on ${r.startedBy.host} (pid ${r.startedBy.pid})`],
      ['Window', win],
      ['Started', started],
      ['Finished', finished],
      ['Duration', durationBetween(r.started, r.finished)],
    ]),
  ];
  if (r.outcome.state === 'escalated') out.push(text(`Manual recovery needed. ${r.escalation?.trim() ?? 'No escalation plan is stated.'}`, 'alert'));
  return out;
}

function stepRow(e: Execution, n: number): Rich[] {
  return [
    String(n),
    [{ code: e.key }, e.name ? ` ${e.name}` : ''],
    PHASE[e.phase],
    STATUS[e.status],
    String(e.attempts),
    e.exitCode === undefined ? '' : String(e.exitCode),
    e.durationMs === undefined ? '' : dur(e.durationMs),
  ];
}

function stepDetail(e: Execution, n: number, zone: string | undefined): StepBlock {
  const body: Block[] = [
    fields([
      ['Phase', PHASE[e.phase]],
      ['Started', when(e.started, zone)],
      ['Finished', e.finished ? when(e.finished, zone) : 'not finished: in flight when the journal ends'],
      ['Outcome', `${STATUS[e.status]}${e.reason ? `: ${e.reason}` : ''}`],
      ['Attempts', String(e.attempts)],
      ['Exit code', e.exitCode === undefined ? undefined : String(e.exitCode)],
      ['Duration', e.durationMs === undefined ? undefined : dur(e.durationMs)],
      ['On resume', e.via],
      ['Branch taken', e.branch ? branchWords(e.branch) : undefined],
    ]),
  ];
  if (e.decisions.length) {
    body.push(text('Decisions:'));
    body.push({ kind: 'list', items: e.decisions.map((d) => `${d.decision} by ${d.by}, ${when(d.at, zone)}${d.note ? `: ${d.note}` : ''}`) });
  }
  if (e.outputs && Object.keys(e.outputs).length) {
    body.push({ kind: 'table', head: ['Output', 'Value'], rows: Object.entries(e.outputs).map(([k, v]) => [k, v]) });
  }
  if (e.logTail !== undefined) body.push(code(e.logTail, 'Output (the end of its log; secrets masked):'));
  const marks = [...(e.status === 'failed' ? ['FAILED'] : []), ...(e.status === 'in_flight' ? ['IN FLIGHT'] : []), ...(e.kind === 'manual' ? ['MANUAL'] : [])];
  const tags = [e.kind, STATUS[e.status], ...(e.durationMs !== undefined ? [dur(e.durationMs)] : [])];
  return { number: `${n}.`, title: `${e.key}${e.name ? `: ${e.name}` : ''}`, tags, marks, body };
}

function notificationBlocks(r: Report, zone: string | undefined): Block[] {
  if (r.notifications.length === 0) return [text('No notification was sent.')];
  const rows = r.notifications.map((n) => [
    when(n.at, zone),
    `${n.event}${n.step ? ` ${n.step}` : ''}${n.references ? ' (sent again by hand)' : ''}`,
    n.channel,
    n.to.join(', '),
    n.status === 'queued' ? 'not answered (resume sends it)' : n.status,
    [n.detail, ...(n.refused.length ? [`REFUSED: ${n.refused.join(', ')}`] : [])].filter(Boolean).join('; '),
  ]);
  return [{ kind: 'table', head: ['When', 'Event', 'Channel', 'To', 'Status', 'Answer'], rows }];
}

export function reportDoc(r: Report): Doc {
  const zone = r.window?.zone;
  const rollbackSteps = r.steps.map((e, i) => [e, i + 1] as const).filter(([e]) => e.phase === 'rollback');
  const rollback: Block[] = r.rollback
    ? [
        fields([
          ['Started', when(r.rollback.at, zone)],
          ['Reason', r.rollback.reason],
          ['Started by', r.rollback.by ?? 'the runbook (a failed step)'],
          ['Steps', rollbackSteps.length ? rollbackSteps.map(([e, n]) => `${n}. ${e.key}: ${STATUS[e.status]}`).join('\n') : 'none ran'],
        ]),
      ]
    : [text('No rollback.')];
  return {
    kind: `Change record${r.change ? ` ${r.change}` : ''}`,
    title: r.title,
    sections: [
      { id: 'summary', title: 'Summary', blocks: summary(r) },
      { id: 'timeline', title: 'Timeline', blocks: [{ kind: 'table', head: ['When', 'What'], rows: r.events.map((e) => [when(e.at, zone), e.what]) }] },
      {
        id: 'steps',
        title: 'Steps',
        blocks: r.steps.length
          ? [{ kind: 'table', head: ['#', 'Step', 'Phase', 'Outcome', 'Attempts', 'Exit code', 'Duration'], rows: r.steps.map((e, i) => stepRow(e, i + 1)) }]
          : [text('No step ran.')],
      },
      { id: 'rollback', title: 'Rollback', blocks: rollback },
      { id: 'notifications', title: 'Notifications', blocks: notificationBlocks(r, zone) },
      { id: 'step-details', title: 'Step details', blocks: r.steps.length ? [{ kind: 'steps', steps: r.steps.map((e, i) => stepDetail(e, i + 1, zone)) }] : [text('No step ran.')] },
    ],
  };
}
