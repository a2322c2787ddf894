/** The plan as text: header, window and timeline, then every step in order with its failure path. */
import { DateTime } from 'luxon';
import { formatDuration } from '../model/duration.js';
import type { Plan, PlanEntry } from '../plan/plan.js';

const offset = (ms: number) => `+${formatDuration(ms)}`;

export function renderPlanText(plan: Plan): string {
  const out: string[] = [];
  const t = plan.timeline;
  out.push(`Plan: ${plan.runbook.title} (${plan.runbook.id}${plan.runbook.change ? `, ${plan.runbook.change}` : ''})`);
  if (plan.window) {
    const w = plan.window;
    out.push(`Window: ${w.start} to ${w.end} (${w.zone}, ${formatDuration(w.durationMs)})`);
    if (w.localZone !== w.zone) out.push(`        ${w.localStart} to ${w.localEnd} (your zone, ${w.localZone})`);
  }
  out.push(`Start: ${startText(plan)}${plan.failing.length ? `   Rehearsing failure of: ${plan.failing.join(', ')}` : ''}`);
  out.push(`Expected: ${formatDuration(t.expectedMs)}   Worst case: ${formatDuration(t.worstCaseMs)}   Rollback reserve: ${formatDuration(t.rollbackReserveMs)}`);
  if (t.pointOfNoReturn)
    out.push(`Point of no return: ${t.pointOfNoReturn}${t.lastStepBeforePointOfNoReturn ? ` (last change step expected to start before it: ${t.lastStepBeforePointOfNoReturn})` : ''}`);
  out.push('');
  const notes = plan.notes;
  let next = 0; // the first note not yet written (an index: shifting is linear per note)
  // A backward jump repeats its steps up to max_visits (1000) times: from a step's third visit on,
  // a visit that reads exactly like one already shown is counted, not printed.
  const shown = new Map<string, { visits: number; seen: Set<string> }>();
  let elided: Array<{ e: PlanEntry; lines: string[] }> = [];
  const flush = () => {
    if (elided.length === 1) out.push(...elided[0]!.lines);
    else if (elided.length > 1) out.push(`   … ${elided.length} more steps (${elided[0]!.e.n} to ${elided.at(-1)!.e.n}) repeat the same way`);
    elided = [];
  };
  // Where some steps run on hosts, the commands that run here say so too.
  const remote = plan.entries.some((e) => e.host !== undefined);
  for (const e of plan.entries) {
    const lines = entryLines(e, remote);
    const k = shown.get(e.key) ?? { visits: 0, seen: new Set<string>() };
    shown.set(e.key, k);
    const same = lines.slice(1).join('\n');
    const noteHere = next < notes.length && notes[next]!.n <= e.n;
    if (++k.visits >= 3 && k.seen.has(same) && !noteHere) {
      elided.push({ e, lines });
      continue;
    }
    k.seen.add(same);
    flush();
    while (next < notes.length && notes[next]!.n <= e.n) out.push(`   ${notes[next++]!.text}`);
    out.push(...lines);
  }
  flush();
  for (; next < notes.length; next++) out.push(`   ${notes[next]!.text}`);
  out.push('');
  out.push(`Outcome: ${plan.outcome.outcome.replace('_', ' ')} (exit ${plan.outcome.exitCode}): ${plan.outcome.message}`);
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}

/** In the window's zone (where `--at` is read), with UTC beside it; in UTC without a window. */
function startText(plan: Plan): string {
  if (!plan.window) return plan.start;
  const local = DateTime.fromISO(plan.start, { zone: plan.window.zone });
  if (!local.isValid || local.offset === 0) return plan.start;
  return `${local.toISO({ suppressMilliseconds: true })} (${plan.start})`;
}

const COMMANDS = new Set(['run', 'wait', 'monitor', 'undo']);

function entryLines(e: PlanEntry, remote: boolean): string[] {
  const lines: string[] = [];
  const here = remote && COMMANDS.has(e.kind) && e.detail !== undefined && e.status !== 'skipped';
  const where = e.host ?? (here ? 'local' : undefined);
  const place = where ? ` on ${where}${e.become ? ', as root' : ''}` : '';
  const tag = `${e.manual ? 'MANUAL' : e.kind}${place}`;
  const phase = e.phase === 'change' ? '' : `${e.phase}: `;
  const head = `${String(e.n).padStart(3)}. ${offset(e.atMs).padEnd(8)} ${phase}${e.key} [${tag}]${e.name ? ` ${e.name}` : ''}`;
  lines.push(head);
  if (e.detail) for (const l of e.detail.trim().split('\n')) lines.push(`       ${e.manual ? '» ' : '$ '}${l}`);
  if (e.status === 'skipped' && e.condition) lines.push(`       ↷ skipped: ${e.condition}`);
  else if (e.condition) lines.push(`       ? ${e.condition}`);
  if (e.answerWithinMs !== undefined) lines.push(`       fails if nobody answers within ${formatDuration(e.answerWithinMs)}`);
  if (e.status === 'failed') lines.push(`       ✗ fails (${e.reason ?? 'rehearsed'})`);
  if (e.branch) lines.push(`       → ${e.branch === 'end' ? 'end of plan' : e.branch}`);
  if (e.status === 'skipped' && e.condition) return lines;
  if (e.onFailure && e.phase !== 'rollback' && e.status !== 'failed') lines.push(`       on failure: ${e.onFailure}`);
  else if (e.onFailure && e.phase === 'rollback' && e.status !== 'failed') lines.push(`       on failure: ${e.onFailure}`);
  return lines;
}
