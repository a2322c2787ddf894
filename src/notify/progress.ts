/** Where a run stands, from its records: the step running now and how many are done. */
import type { Runbook } from '../model/types.js';
import type { JournalRecord } from '../state/records.js';

export interface Progress {
  readonly current?: string | undefined;
  readonly done: number;
  readonly total: number;
  /** Until the window ends; negative once it has. Undefined: no window. */
  readonly windowLeftMs?: number | undefined;
  /** The command that resumes the run, for interruptions. */
  readonly resume?: string | undefined;
}

export class ProgressTracker {
  private readonly topLevel: ReadonlySet<string>;
  private readonly done = new Set<string>();
  private readonly running = new Map<string, string>();

  constructor(runbook: Runbook) {
    this.topLevel = new Set([...runbook.steps, ...runbook.checklist].map((s) => s.id));
  }

  add(r: JournalRecord): void {
    if (r.type === 'step_started' && r.skipped === undefined) this.running.set(`${r.key}#${r.visit}`, r.key);
    else if (r.type === 'step_finished') {
      this.running.delete(`${r.key}#${r.visit}`);
      if (r.status !== 'failed' && this.topLevel.has(r.key)) this.done.add(r.key);
    }
  }

  now(): Progress {
    const current = [...this.running.values()].pop();
    return { current, done: this.done.size, total: this.topLevel.size };
  }
}
