/**
 * The executed change record of a run, built from its journal (src/state/records.ts), the
 * runbook it ran and the tail of each step's log: who ran it and from where, when against the
 * window, every step execution, the rollback, and the outcome in words. JSON-ready. Pure.
 */
import type { Runbook } from '../../model/types.js';
import { type NotificationEntry, notificationsOf } from '../../state/notifications.js';
import type { JournalRecord, RunOutcome, RunStartedRecord } from '../../state/records.js';
import { collectExecutions, type Execution, tailOf } from './report-steps.js';
import { outcomeWords } from './report-words.js';

export type ReportState = RunOutcome | 'running';

export interface RunEvent {
  readonly at: string;
  readonly what: string;
}

export interface Report {
  readonly runId: string;
  readonly runbookId: string;
  readonly title: string;
  readonly change?: string | undefined;
  readonly file: string;
  readonly hash: string;
  readonly startedBy: { readonly user: string; readonly host: string; readonly pid: number };
  readonly started: string;
  readonly finished?: string | undefined;
  /** `tbd`: the runbook has a window whose start is not set (TBD). */
  readonly window?: { readonly start?: string | undefined; readonly end?: string | undefined; readonly zone?: string | undefined; readonly tbd?: boolean | undefined } | undefined;
  /** Each time --ignore-window overrode the enforced window (at the start, or at a resume). */
  readonly windowOverrides: readonly { readonly at: string; readonly by: string; readonly what: string }[];
  readonly outcome: { readonly state: ReportState; readonly words: string; readonly exitCode?: number | undefined; readonly message?: string | undefined };
  readonly rollback?: { readonly at: string; readonly reason: string; readonly by?: string | undefined } | undefined;
  /** `rollback.escalate`, when the run escalated. */
  readonly escalation?: string | undefined;
  readonly events: readonly RunEvent[];
  readonly steps: readonly Execution[];
  /** What was notified, to whom, and what failed. */
  readonly notifications: readonly NotificationEntry[];
}

export interface ReportOptions {
  /** The run's lock is held by a live process: without run_finished it is running, not interrupted. */
  readonly running?: boolean | undefined;
}

/** `logTails`: the tail of each step log by seq (masked by the executor when it was written). */
export function buildReport(runbook: Runbook, records: readonly JournalRecord[], logTails: ReadonlyMap<number, string>, opts: ReportOptions = {}): Report {
  const first = records.find((r): r is RunStartedRecord => r.type === 'run_started');
  if (!first) throw new Error('the journal has no run_started record');
  const steps = collectExecutions(runbook, records);
  for (const e of steps) {
    const log = logTails.get(e.seq) ?? e.stdout;
    if (log !== undefined && log.trim() !== '') e.logTail = tailOf(log);
  }
  const events: RunEvent[] = [];
  const windowOverrides: { at: string; by: string; what: string }[] = [];
  let finished: Extract<JournalRecord, { type: 'run_finished' }> | undefined;
  let rollback: Report['rollback'];
  for (const r of records) {
    switch (r.type) {
      case 'run_started':
        events.push({ at: r.at, what: `Started by ${r.user} on ${r.host} (pid ${r.pid}) from ${r.file}` });
        if (r.windowIgnored) windowOverrides.push({ at: r.at, by: r.user, what: r.windowIgnored });
        if (r.windowIgnored) events.push({ at: r.at, what: `Window overridden (--ignore-window): ${r.windowIgnored}` });
        break;
      case 'run_interrupted':
        events.push({ at: r.at, what: `Interrupted (${r.signal})` });
        break;
      case 'run_resumed':
        events.push({ at: r.at, what: `Resumed by ${r.by} on ${r.host} (pid ${r.pid})${r.fileChanged ? '; the runbook file had changed: the run kept its own copy' : ''}` });
        if (r.windowIgnored) windowOverrides.push({ at: r.at, by: r.by, what: r.windowIgnored });
        if (r.windowIgnored) events.push({ at: r.at, what: `Window overridden (--ignore-window): ${r.windowIgnored}` });
        finished = undefined;
        break;
      case 'rollback_started':
        rollback = { at: r.at, reason: r.reason, by: r.by };
        events.push({ at: r.at, what: `Rollback started${r.by ? ` by ${r.by}` : ''}: ${r.reason}` });
        finished = undefined;
        break;
      case 'decision':
        if (r.key.startsWith('window:')) events.push({ at: r.at, what: `Past the point of no return before ${r.key.slice(7)}: ${r.decision} (by ${r.by})` });
        break;
      case 'run_finished':
        finished = r;
        events.push({ at: r.at, what: `Finished: ${r.outcome.replace('_', ' ')} (exit ${r.exitCode})` });
        break;
    }
  }
  const state: ReportState = finished ? finished.outcome : opts.running ? 'running' : 'interrupted';
  return {
    runId: first.runId,
    runbookId: first.runbookId,
    title: first.title,
    change: runbook.change,
    file: first.file,
    hash: first.hash,
    startedBy: { user: first.user, host: first.host, pid: first.pid },
    started: first.at,
    finished: finished?.at,
    window: first.window ? { ...first.window, zone: first.window.zone ?? runbook.window?.timezone } : runbook.window && { zone: runbook.window.timezone, tbd: runbook.window.start === undefined },
    windowOverrides,
    outcome: { state, words: outcomeWords(state, first.runId), exitCode: finished?.exitCode, message: finished?.message },
    rollback,
    escalation: state === 'escalated' ? runbook.rollback.escalate : undefined,
    events,
    steps,
    notifications: notificationsOf(records),
  };
}
