/**
 * The journal of an earlier session of the same run, indexed for the engine's walk: the result
 * of each step execution by (key, visit), the attempts that started, the decisions taken.
 */
import type { DecisionRecord, JournalRecord, StepFinishedRecord, StepStartedRecord } from '../state/records.js';

const id = (key: string, visit: number | undefined) => `${key}#${visit ?? 0}`;

export class Replay {
  private readonly finishedBy = new Map<string, StepFinishedRecord>();
  private readonly startedBy = new Map<string, StepStartedRecord[]>();
  private readonly decisionsBy = new Map<string, DecisionRecord[]>();
  readonly maxSeq: number;
  readonly finishedRun: boolean;
  readonly rollbackStarted: boolean;

  /** `replayOnly`: stop the walk at the first step the journal does not have (rollback of a past run). */
  constructor(
    readonly records: readonly JournalRecord[],
    readonly replayOnly = false,
  ) {
    let maxSeq = 0;
    let finishedRun = false;
    let rollbackStarted = false;
    for (const r of records) {
      if (r.type === 'step_started') {
        const k = id(r.key, r.visit);
        const list = this.startedBy.get(k);
        if (list) list.push(r);
        else this.startedBy.set(k, [r]);
        maxSeq = Math.max(maxSeq, r.seq);
      } else if (r.type === 'step_finished') {
        this.finishedBy.set(id(r.key, r.visit), r);
        maxSeq = Math.max(maxSeq, r.seq);
      } else if (r.type === 'decision') {
        const k = id(r.key, r.visit);
        const list = this.decisionsBy.get(k);
        if (list) list.push(r);
        else this.decisionsBy.set(k, [r]);
      } else if (r.type === 'run_finished') finishedRun = true;
      else if (r.type === 'rollback_started') rollbackStarted = true;
    }
    this.maxSeq = maxSeq;
    this.finishedRun = finishedRun;
    this.rollbackStarted = rollbackStarted;
  }

  finished(key: string, visit: number): StepFinishedRecord | undefined {
    return this.finishedBy.get(id(key, visit));
  }

  started(key: string, visit: number): readonly StepStartedRecord[] {
    return this.startedBy.get(id(key, visit)) ?? [];
  }

  /** The next recorded decision about (key, visit), consumed in order. */
  takeDecision(key: string, visit?: number): DecisionRecord | undefined {
    return this.decisionsBy.get(id(key, visit))?.shift();
  }
}
