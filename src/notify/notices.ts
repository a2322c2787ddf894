/**
 * Which notices the journal's records call for. A notice is named by the record it comes from
 * (`about`), so a resumed session that reads the same journal names it the same way, and the
 * ledger (./ledger.ts) can tell it was sent. Pure: no clock, no fs.
 */
import { allSteps } from '../model/normalize.js';
import type { NotifyEvent } from '../model/schema.js';
import type { Runbook } from '../model/types.js';
import type { JournalRecord } from '../state/records.js';

export interface Notice {
  readonly event: NotifyEvent | 'message';
  /** The record it comes from, stable across sessions: `step_finished deploy#1`, `run_finished#1`. */
  readonly about: string;
  readonly text: string;
  readonly step?: string | undefined;
  readonly reason?: string | undefined;
}

/** Walks the records in order; `of` must see every record of the journal, old and new. */
export class NoticeDeriver {
  private finished = 0;
  private interrupted = 0;
  private readonly instructions = new Map<string, string>();

  constructor(runbook: Runbook) {
    for (const s of allSteps(runbook)) if (s.kind === 'manual') this.instructions.set(s.id, s.instruction);
  }

  of(r: JournalRecord): Notice[] {
    switch (r.type) {
      case 'run_started':
        return [{ event: 'run_started', about: 'run_started', text: 'run started' }];
      case 'step_started': {
        if (r.skipped !== undefined || r.attempt > 1) return [];
        const about = `step_started ${r.key}#${r.visit}`;
        if (r.kind === 'manual') return [{ event: 'manual_step', about, text: `manual step ${r.key}: ${this.instructions.get(r.stepId) ?? ''}`.trim(), step: r.key }];
        return [{ event: 'step_started', about, text: `step ${r.key} started`, step: r.key }];
      }
      case 'step_finished': {
        const about = `step_finished ${r.key}#${r.visit}`;
        if (r.status === 'failed') return [{ event: 'step_failed', about, text: `step ${r.key} failed${r.reason ? `: ${r.reason}` : ''}`, step: r.key, reason: r.reason }];
        return [{ event: 'step_succeeded', about, text: `step ${r.key} ${r.status}`, step: r.key }];
      }
      case 'rollback_started':
        return [{ event: 'rollback_started', about: `rollback_started#${this.finished + 1}`, text: `rollback started: ${r.reason}`, reason: r.reason }];
      case 'run_interrupted':
        return [{ event: 'run_interrupted', about: `run_interrupted#${++this.interrupted}`, text: `run interrupted (${r.signal}): resumable` }];
      case 'decision':
        return r.key.startsWith('window:') ? [{ event: 'window_overrun', about: `decision ${r.key}#${r.visit ?? 0}`, text: `past the point of no return: ${r.decision}` }] : [];
      case 'run_finished': {
        const about = `run_finished#${++this.finished}`;
        const message = r.message ?? r.outcome;
        const finished: Notice = { event: 'run_finished', about, text: `${r.outcome.replace('_', ' ')}: ${message}` };
        if (r.outcome === 'rolled_back') return [{ event: 'rollback_finished', about, text: message }, finished];
        if (r.outcome === 'escalated') return [{ event: 'escalated', about, text: `rollback failed: ${message}`, reason: message }, finished];
        return [finished];
      }
      default:
        return [];
    }
  }
}
