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
 * The record types `summarize` reads (the switch below): a store listing many runs may read only
 * these, with the last record whatever its type (its time is the summary's `lastRecordAt`) and
 * the count of all (`total`).
 */
export const SUMMARY_TYPES: readonly JournalRecord['type'][] = ['run_started', 'step_started', 'step_finished', 'run_interrupted', 'run_resumed', 'rollback_started', 'run_finished'];

/**
 * `holderAlive`: the lock of this run is held by a live process. Without run_finished the run is
 * `running` then, else `interrupted`. A rollback started after run_finished (`runbook rollback`)
 * or a resume makes the run active again. `total`: how many records the journal has, when
 * `records` are only those of SUMMARY_TYPES and the last.
 */
export function summarize(records: readonly JournalRecord[], opts: { holderAlive?: boolean; total?: number | undefined } = {}): RunSummary {
  const first = records[0]?.type === 'run_started' ? (records[0] as RunStartedRecord) : undefined;
  const open = new Map<string, StepStartedRecord>();
  const result = new Map<string, 'done' | 'failed'>();
  let finished: Extract<JournalRecord, { type: 'run_finished' }> | undefined;
  let stoppedBySignal = false;
  let resumes = 0;
  for (const r of records) {
    switch (r.type) {
      case 'step_started':
        // A step skipped by its condition runs nothing: cut off there, it is no step in doubt.
        if (r.skipped === undefined) open.set(instance(r.key, r.visit), r);
        break;
      case 'step_finished':
        open.delete(instance(r.key, r.visit));
        result.set(instance(r.key, r.visit), r.status === 'failed' ? 'failed' : 'done');
        break;
      case 'run_interrupted':
        stoppedBySignal = true;
        break;
      case 'run_resumed':
      case 'rollback_started':
        if (r.type === 'run_resumed') resumes++;
        finished = undefined;
        stoppedBySignal = false;
        break;
      case 'run_finished':
        finished = r;
        break;
    }
  }
  const inFlightAll = [...open.values()].sort((a, b) => a.seq - b.seq).map((s) => ({ seq: s.seq, key: s.key, stepId: s.stepId, attempt: s.attempt, at: s.at, host: s.host }));
  let state: RunState;
  if (finished) state = finished.outcome;
  else state = opts.holderAlive && !stoppedBySignal ? 'running' : 'interrupted';
  const results = [...result.values()];
  return {
    runId: first?.runId ?? '',
    runbookId: first?.runbookId ?? '',
    title: first?.title ?? '',
    file: first?.file ?? '',
    started: first?.at ?? '',
    host: first?.host ?? '',
    user: first?.user ?? '',
    state,
    exitCode: finished?.exitCode,
    finished: finished?.at,
    message: finished?.message,
    done: results.filter((s) => s === 'done').length,
    failed: results.filter((s) => s === 'failed').length,
    inFlight: inFlightAll[inFlightAll.length - 1],
    inFlightAll,
    resumes,
    lastRecordAt: records[records.length - 1]?.at ?? '',
    records: opts.total ?? records.length,
  };
}
