/**
 * The step executions of a run, from its journal: one per step instance and visit (a retry is
 * an attempt of the same execution), with its outcome, operator decisions and branch. Pure.
 */
import { walk } from '../../model/normalize.js';
import { LOCAL_HOST, type Runbook, type Step } from '../../model/types.js';
import type { JournalRecord, Phase } from '../../state/records.js';

export interface Decision {
  readonly at: string;
  readonly by: string;
  readonly decision: string;
  readonly note?: string | undefined;
}

export interface Execution {
  readonly key: string;
  readonly stepId: string;
  readonly name?: string | undefined;
  readonly kind: string;
  readonly phase: Phase;
  readonly visit: number;
  readonly undoOf?: string | undefined;
  /** The host it ran on (step_started's `host`); undefined: this machine. */
  host?: string | undefined;
  /** What ran, as shown (secrets masked): the command, instruction or message of its last attempt. */
  detail?: string | undefined;
  readonly started: string;
  finished?: string | undefined;
  status: 'succeeded' | 'failed' | 'skipped' | 'in_flight';
  attempts: number;
  exitCode?: number | undefined;
  durationMs?: number | undefined;
  reason?: string | undefined;
  /** How it was settled on resume (counted done, re-run...). */
  via?: string | undefined;
  outputs?: Readonly<Record<string, string>> | undefined;
  /** The seq of its last attempt: the log that belongs to it. */
  seq: number;
  /** The journal's copy of the output's tail, when there is no log. */
  stdout?: string | undefined;
  readonly decisions: Decision[];
  /** Where the path went after it, when not simply to the next step. */
  branch?: string | undefined;
  logTail?: string | undefined;
}

export function stepsById(runbook: Runbook): Map<string, Step> {
  const map = new Map<string, Step>();
  for (const list of [runbook.steps, runbook.rollback.steps, runbook.checklist]) for (const s of walk(list)) map.set(s.id, s);
  return map;
}

export function collectExecutions(runbook: Runbook, records: readonly JournalRecord[]): Execution[] {
  const byId = stepsById(runbook);
  const all: Execution[] = [];
  const open = new Map<string, Execution>();
  const latest = new Map<string, Execution>();
  const instance = (key: string, visit: number) => `${key}#${visit}`;
  for (const r of records) {
    if (r.type === 'step_started') {
      let e = open.get(instance(r.key, r.visit));
      if (!e) {
        const step = byId.get(r.stepId);
        const name = r.undoOf ? `Undo of ${r.undoOf}` : step?.name;
        e = { key: r.key, stepId: r.stepId, name, kind: r.kind, phase: r.phase, visit: r.visit, undoOf: r.undoOf, started: r.at, status: 'in_flight', attempts: r.attempt, seq: r.seq, decisions: [] };
        all.push(e);
        open.set(instance(r.key, r.visit), e);
        latest.set(r.key, e);
      }
      e.attempts = Math.max(e.attempts, r.attempt);
      e.seq = r.seq;
      if (r.detail !== undefined) e.detail = r.detail;
      if (r.host !== undefined && r.host !== LOCAL_HOST) e.host = r.host;
    } else if (r.type === 'step_finished') {
      const e = open.get(instance(r.key, r.visit)) ?? latest.get(r.key);
      if (!e) continue;
      open.delete(instance(r.key, r.visit));
      Object.assign(e, {
        finished: r.at,
        status: r.status,
        attempts: r.attempts,
        exitCode: r.exitCode,
        durationMs: r.durationMs,
        reason: r.reason,
        via: r.via,
        outputs: r.outputs,
        stdout: r.stdout,
        seq: r.seq,
      });
    } else if (r.type === 'decision' && !r.key.startsWith('window:')) {
      const e = (r.visit !== undefined ? all.findLast((x) => x.key === r.key && x.visit === r.visit) : undefined) ?? latest.get(r.key);
      e?.decisions.push({ at: r.at, by: r.by, decision: r.decision, note: r.note });
    } else if (r.type === 'branch') {
      const e = latest.get(r.key);
      if (e) e.branch = r.to;
    }
  }
  return all;
}

/** The last `lines` lines of a text, at most `chars` characters. */
export function tailOf(text: string, lines = 20, chars = 4000): string {
  const cut = text.replace(/\n+$/, '').split('\n').slice(-lines).join('\n');
  return cut.length > chars ? `…${cut.slice(-chars)}` : cut;
}
