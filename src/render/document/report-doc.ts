/**
 * The change record (./report-model.ts) as a format-neutral Doc. A summary first (the outcome,
 * the first failure, the window and any override of it, one row per step execution, the
 * rollback, the notifications) and the details after (the timeline, then each step: what ran,
 * as shown with secrets masked, and the end of its output). Pure.
 */
import { type Block, code, type Doc, fields, type Rich, type StepBlock, text } from './document.js';
import type { Report } from './report-model.js';
import { notificationBlocks } from './report-notifications.js';
import type { Execution } from './report-steps.js';
import { against, branchWords, clock, durationBetween, when } from './report-words.js';
import { dur } from './words.js';

const STATUS: Readonly<Record<Execution['status'], string>> = { succeeded: 'succeeded', failed: 'failed', skipped: 'skipped', in_flight: 'in flight (not finished)' };
const PHASE = { change: 'change', checklist: 'checklist', rollback: 'rollback' } as const;
const DETAIL_LABEL: Readonly<Record<string, string>> = { manual: 'Instruction:', notify: 'Message:' };
const COMMAND_LABEL = 'Command, as run (secrets masked):';

function outcome(r: Report): Rich {
  const m = /^(.*)`([^`]+)`(.*)$/.exec(r.outcome.words);
  return m ? [m[1]!, { code: m[2]! }, m[3]!] : r.outcome.words;
}

const where = (e: Execution) => (e.host ? `${e.key} on ${e.host}` : e.key);

function windowWords(r: Report): string {
  const zone = r.window?.zone;
  if (r.window?.start) return `${when(r.window.start, zone)} to ${when(r.window.end, zone)}`;
  return r.window?.tbd ? 'TBD (the runbook sets no start)' : 'None (the runbook has no window)';
}

/** The step that failed first (a loop fails after the item that made it fail): where, why, its last output line. */
function firstFailure(r: Report): string | undefined {
  const failed = r.steps.filter((x) => x.status === 'failed');
  const byEnd = (a: Execution, b: Execution) => (a.finished ?? '').localeCompare(b.finished ?? '') || a.seq - b.seq;
  const e = failed.filter((x) => x.kind !== 'for_each').sort(byEnd)[0] ?? failed.sort(byEnd)[0];
  if (!e) return undefined;
  const last = e.logTail?.trimEnd().split('\n').pop()?.trim();
  return `${where(e)}${e.reason ? `: ${e.reason}` : ''}${last ? `; its last output: ${last}` : ''}`;
}

function summary(r: Report): Block[] {
  const zone = r.window?.zone;
  const started = [when(r.started, zone), against(r.started, r.window, 'start')].filter(Boolean).join(', ');
  const finished = r.finished ? [when(r.finished, zone), against(r.finished, r.window, 'end')].filter(Boolean).join(', ') : 'Not finished';
  const out: Block[] = [
    fields([
      ['Outcome', outcome(r)],
      ['Exit code', r.outcome.exitCode === undefined ? undefined : String(r.outcome.exitCode)],
      ['In words', r.outcome.message],
      ['First failure', firstFailure(r)],
      ['Change', r.change],
      ['Runbook', [{ code: r.runbookId }, ` from ${r.file}`]],
      ['Runbook sha256', [{ code: r.hash }]],
      ['Run', [{ code: r.runId }]],
      ['Run by', `${r.startedBy.user} on ${r.startedBy.host} (pid ${r.startedBy.pid})`],
      ['Window', windowWords(r)],
      ['Window overridden', r.windowOverrides.length ? r.windowOverrides.map((o) => `--ignore-window by ${o.by}, ${when(o.at, zone)}: ${o.what}`).join('\n') : undefined],
      ['Started', started],
      ['Finished', finished],
      ['Duration', durationBetween(r.started, r.finished)],
    ]),
  ];
  if (r.windowOverrides.length) out.push(text('The maintenance window was not enforced for this run (--ignore-window): neither its hours nor its point of no return.', 'alert'));
  if (r.outcome.state === 'escalated') out.push(text(`Manual recovery needed. ${r.escalation?.trim() ?? 'No escalation plan is stated.'}`, 'alert'));
  return out;
}

function stepsTable(r: Report): Block[] {
  if (!r.steps.length) return [text('No step ran.')];
  const hosts = r.steps.some((e) => e.host);
  const head = ['#', 'Step', ...(hosts ? ['Host'] : []), 'Phase', 'Outcome', 'Attempts', 'Exit', 'Duration'];
  const rows = r.steps.map((e, i): Rich[] => [
    String(i + 1),
    [{ code: e.key }, e.name ? ` ${e.name}` : ''],
    ...(hosts ? [e.host ?? 'local'] : []),
    PHASE[e.phase],
    STATUS[e.status],
    String(e.attempts),
    e.exitCode === undefined ? '' : String(e.exitCode),
    e.durationMs === undefined ? '' : dur(e.durationMs),
  ]);
  return [{ kind: 'table', head, rows }];
}

function rollbackBlocks(r: Report): Block[] {
  if (!r.rollback) return [text('No rollback.')];
  const zone = r.window?.zone;
  const ran = r.steps.map((e, i) => [e, i + 1] as const).filter(([e]) => e.phase === 'rollback');
  return [
    fields([
      ['Started', when(r.rollback.at, zone)],
      ['Reason', r.rollback.reason],
      ['Started by', r.rollback.by ?? 'the runbook (a failed step)'],
      ['Steps', ran.length ? ran.map(([e, n]) => `${n}. ${e.key}: ${STATUS[e.status]}`).join('\n') : 'none ran'],
    ]),
  ];
}

/** One line of facts: when, how long, attempts, exit code, what resume did, where it went. */
function factsLine(e: Execution, zone: string | undefined): string {
  const facts = [
    e.finished ? `${clock(e.started, zone)} to ${clock(e.finished, zone)}` : `Started ${when(e.started, zone)}, not finished: in flight when the journal ends`,
    e.attempts > 1 ? `${e.attempts} attempts` : undefined,
    e.exitCode === undefined ? undefined : `exit code ${e.exitCode}`,
    e.via ? `on resume: ${e.via}` : undefined,
    e.branch ? `then ${branchWords(e.branch)}` : undefined,
  ];
  return `${facts.filter(Boolean).join('; ')}.`;
}

function stepDetail(e: Execution, n: number, zone: string | undefined): StepBlock {
  const shown = e.detail !== undefined && e.detail.trim() !== '' ? e.detail : undefined;
  // The facts and the label of what ran share a line: an 18-step run stays a few pages.
  const body: Block[] = [text(`${factsLine(e, zone)}${shown !== undefined ? ` ${DETAIL_LABEL[e.kind] ?? COMMAND_LABEL}` : ''}`)];
  if (shown !== undefined) body.push(code(shown));
  if (e.reason) body.push(text(`${STATUS[e.status]}: ${e.reason}`, e.status === 'failed' ? 'alert' : 'note'));
  if (e.decisions.length) {
    body.push({ kind: 'list', items: e.decisions.map((d) => `${d.decision} by ${d.by}, ${when(d.at, zone)}${d.note ? `: ${d.note}` : ''}`) });
  }
  if (e.outputs && Object.keys(e.outputs).length) {
    body.push({ kind: 'table', head: ['Output', 'Value'], rows: Object.entries(e.outputs).map(([k, v]) => [k, v]) });
  }
  if (e.logTail !== undefined) body.push(code(e.logTail, 'Output (its end):'));
  const marks = [...(e.status === 'failed' ? ['FAILED'] : []), ...(e.status === 'in_flight' ? ['IN FLIGHT'] : []), ...(e.kind === 'manual' ? ['MANUAL'] : [])];
  const tags = [e.kind, PHASE[e.phase], STATUS[e.status], ...(e.durationMs !== undefined ? [dur(e.durationMs)] : [])];
  return { number: `${n}.`, title: `${e.host ? `[${e.host}] ` : ''}${e.key}${e.name ? `: ${e.name}` : ''}`, tags, marks, body };
}

export function reportDoc(r: Report): Doc {
  const zone = r.window?.zone;
  const kind = `Change record${r.change ? ` ${r.change}` : ''}`;
  return {
    kind,
    title: r.title,
    sections: [
      { id: 'summary', title: 'Summary', blocks: summary(r) },
      { id: 'steps', title: 'Steps', blocks: stepsTable(r) },
      { id: 'rollback', title: 'Rollback', blocks: rollbackBlocks(r) },
      { id: 'notifications', title: 'Notifications', blocks: notificationBlocks(r, zone) },
      { id: 'timeline', title: 'Timeline', blocks: [{ kind: 'table', head: ['When', 'What'], rows: r.events.map((e) => [when(e.at, zone), e.what]) }] },
      { id: 'step-details', title: 'Step details', blocks: r.steps.length ? [{ kind: 'steps', steps: r.steps.map((e, i) => stepDetail(e, i + 1, zone)) }] : [text('No step ran.')] },
    ],
    margins: { topLeft: `${kind}: ${r.title}`, topRight: `Run ${r.runId}`, bottomLeft: `sha256 ${r.hash.slice(0, 16)}` },
  };
}
