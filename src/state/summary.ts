/**
 * A run's state from its journal, pure: who started it and where, how it ended (or whether it is
 * still going), what finished, and what was in flight when the journal stops.
 */
import type { JournalRecord, RunStartedRecord, StepStartedRecord } from './records.js';

export type RunState = 'running' | 'interrupted' | 'succeeded' | 'rolled_back' | 'escalated' | 'aborted';

export interface InFlightStep {
  readonly seq: number;
  readonly key: string;
  readonly stepId: string;
  readonly attempt: number;
  readonly at: string;
  /** The host it runs on (absent: the machine the CLI ran on). */
  readonly host?: string | undefined;
}

export interface RunSummary {
  readonly runId: string;
  readonly runbookId: string;
  readonly title: string;
  readonly file: string;
  readonly started: string;
  readonly host: string;
  readonly user: string;
  readonly state: RunState;
  readonly exitCode?: number | undefined;
  readonly finished?: string | undefined;
  /** The run_finished message, in words. */
  readonly message?: string | undefined;
  /** Step executions that ended succeeded or skipped, and failed. */
  readonly done: number;
  readonly failed: number;
  /** The newest step started and not finished (a loop item rather than its loop). */
  readonly inFlight?: InFlightStep | undefined;
  /** Every step started and not finished, oldest first (a loop and its items, parallel items). */
  readonly inFlightAll: readonly InFlightStep[];
  /** How many times the run was resumed. */
  readonly resumes: number;
  readonly lastRecordAt: string;
  readonly records: number;
}

const instance = (key: string, visit: number) => `${key}#${visit}`;

/**
 * The record types a summary reads (SummaryFold.add): a store listing many runs may read only
 * these, with the last record whatever its type (its time is the summary's `lastRecordAt`) and
 * the count of all (`total`).
 */
export const SUMMARY_TYPES: readonly JournalRecord['type'][] = ['run_started', 'step_started', 'step_finished', 'run_interrupted', 'run_resumed', 'rollback_started', 'run_finished'];

/**
 * A summary as the journal alone tells it, before the lock is looked at: a store may keep it
 * beside the journal, written with each record (the PostgreSQL store does, for `runs`).
 */
export interface JournalSummary extends Omit<RunSummary, 'state'> {
  /** How the run ended: run_finished since the last resume or rollback. */
  readonly outcome?: RunState | undefined;
  /** Stopped by a signal (run_interrupted) since the last resume or rollback. */
  readonly signalled: boolean;
}

/** What a fold keeps besides its two maps: replaced whole by each record, so one record is undone by putting it back. */
interface Scalars {
  readonly first?: RunStartedRecord | undefined;
  readonly finished?: Extract<JournalRecord, { type: 'run_finished' }> | undefined;
  readonly signalled: boolean;
  readonly resumes: number;
  readonly done: number;
  readonly failed: number;
  readonly lastAt: string;
  readonly count: number;
}

/**
 * A run's summary built record by record, so that a writer can keep it as it appends. A step
 * skipped by its condition runs nothing: cut off there, it is no step in doubt. A rollback
 * started after run_finished (`runbook rollback`) or a resume makes the run active again.
 */
export class SummaryFold {
  private s: Scalars = { signalled: false, resumes: 0, done: 0, failed: 0, lastAt: '', count: 0 };
  private readonly open = new Map<string, StepStartedRecord>();
  private readonly result = new Map<string, 'done' | 'failed'>();

  /** `uncounted`: records the journal has that are not added (a store may read only SUMMARY_TYPES and the last). */
  constructor(private readonly uncounted = 0) {}

  /** Fold in one record; the function returned takes it out again (an append that did not land). */
  add(r: JournalRecord): () => void {
    const before = this.s;
    let s: Scalars = { ...before, lastAt: r.at, count: before.count + 1 };
    let undo = () => {};
    switch (r.type) {
      case 'run_started':
        if (before.count === 0) s = { ...s, first: r };
        break;
      case 'step_started':
        if (r.skipped === undefined) undo = this.put(this.open, instance(r.key, r.visit), r);
        break;
      case 'step_finished': {
        const k = instance(r.key, r.visit);
        const was = this.result.get(k);
        const now = r.status === 'failed' ? 'failed' : 'done';
        const undoOpen = this.put(this.open, k, undefined);
        const undoResult = this.put(this.result, k, now);
        const counts = { done: s.done, failed: s.failed };
        if (was) counts[was]--;
        counts[now]++;
        s = { ...s, ...counts };
        undo = () => {
          undoOpen();
          undoResult();
        };
        break;
      }
      case 'run_interrupted':
        s = { ...s, signalled: true };
        break;
      case 'run_resumed':
      case 'rollback_started':
        s = { ...s, finished: undefined, signalled: false, resumes: s.resumes + (r.type === 'run_resumed' ? 1 : 0) };
        break;
      case 'run_finished':
        s = { ...s, finished: r };
        break;
    }
    this.s = s;
    return () => {
      this.s = before;
      undo();
    };
  }

  /** Set (or with undefined, delete) `key`; the function returned puts back what was there. */
  private put<V>(map: Map<string, V>, key: string, value: V | undefined): () => void {
    const had = map.has(key);
    const was = map.get(key);
    if (value === undefined) map.delete(key);
    else map.set(key, value);
    return () => {
      if (had) map.set(key, was as V);
      else map.delete(key);
    };
  }

  summary(): JournalSummary {
    const { first, finished } = this.s;
    const inFlightAll = [...this.open.values()].sort((a, b) => a.seq - b.seq).map((x) => ({ seq: x.seq, key: x.key, stepId: x.stepId, attempt: x.attempt, at: x.at, host: x.host }));
    return {
      runId: first?.runId ?? '',
      runbookId: first?.runbookId ?? '',
      title: first?.title ?? '',
      file: first?.file ?? '',
      started: first?.at ?? '',
      host: first?.host ?? '',
      user: first?.user ?? '',
      outcome: finished?.outcome,
      signalled: this.s.signalled,
      exitCode: finished?.exitCode,
      finished: finished?.at,
      message: finished?.message,
      done: this.s.done,
      failed: this.s.failed,
      inFlight: inFlightAll[inFlightAll.length - 1],
      inFlightAll,
      resumes: this.s.resumes,
      lastRecordAt: this.s.lastAt,
      records: this.s.count + this.uncounted,
    };
  }
}

/**
 * The summary with the lock looked at: `holderAlive`, the lock of this run is held by a live
 * process. Without run_finished the run is `running` then, else `interrupted`.
 */
export function withHolder(j: JournalSummary, holderAlive: boolean): RunSummary {
  const { outcome, signalled, ...rest } = j;
  return { ...rest, state: outcome ?? (holderAlive && !signalled ? 'running' : 'interrupted') };
}

/** `total`: how many records the journal has, when `records` are only those of SUMMARY_TYPES and the last. */
export function summarize(records: readonly JournalRecord[], opts: { holderAlive?: boolean; total?: number | undefined } = {}): RunSummary {
  return withHolder(foldAll(records, opts.total).summary(), opts.holderAlive === true);
}

/** `total`: as summarize's. */
export function foldAll(records: readonly JournalRecord[], total?: number): SummaryFold {
  const fold = new SummaryFold(total === undefined ? 0 : total - records.length);
  for (const r of records) fold.add(r);
  return fold;
}
