/**
 * The interpreter: walks the change plan, the checklist and the rollback, follows branch
 * targets, runs loops in batches, keeps the undo stack, journals every step before it starts and
 * after it ends, and emits events. Real runs, resumes and dry runs all go through here; only the
 * ports differ (./ports.ts). Deterministic given each step's outcome and each decision, which is
 * what makes a resume a replay of the journal (./replay.ts).
 */
import { type ForEachStep, LOCAL_HOST, type Runbook, type Step } from '../model/types.js';
import type { JournalRecord, Phase, RunOutcome, StepStartedRecord, StepStatus } from '../state/records.js';
import { TemplateError } from '../template/shell.js';
import { type BuiltAction, buildAction, buildUndoAction, resolveItems } from './actions.js';
import { checkWhen, StepStatuses, type WhenResult } from './conditions.js';
import { describeFailure, summarizeUndos } from './describe.js';
import type { EventSink, ItemPlace, StepRef } from './events.js';
import { failpoint } from './failpoint.js';
import { instanceKey, itemLabel } from './keys.js';
import { type Clock, type ExecRequest, type ExecResult, type JournalPort, NO_JOURNAL, type Operator, type Placement, type ProcessIdentity, type StepExecutor } from './ports.js';
import type { Replay } from './replay.js';
import { type LoopBindings, renderMessage, type StepValues, type Values } from './scope.js';

export interface EngineOptions {
  readonly runbook: Runbook;
  readonly values: Values & { readonly steps: Map<string, StepValues> };
  readonly executor: StepExecutor;
  readonly operator: Operator;
  readonly clock: Clock;
  readonly journal: JournalPort;
  readonly emit: EventSink;
  /** Aborted on the first interrupt (Ctrl-C, SIGTERM, SIGHUP). */
  readonly signal: AbortSignal;
  readonly replay?: Replay | undefined;
  /** Epoch ms after which no change step starts (window end minus rollback reserve). */
  readonly pointOfNoReturn?: number | undefined;
}

export interface RunResult {
  readonly outcome: RunOutcome;
  readonly exitCode: number;
  readonly message: string;
}

type ListOutcome = { readonly kind: 'done' | 'end' | 'interrupted' | 'stopped' } | { readonly kind: 'rollback' | 'abort' | 'escalate'; readonly reason: string };

interface StepOutcome {
  readonly status: StepStatus | 'interrupted' | 'stopped';
  readonly reason?: string | undefined;
  readonly fresh: boolean;
  /** Skipped because its `when:` does not hold: its own on_success and on_failure do not apply. */
  readonly byCondition?: boolean;
}

/** Where a list's steps stand, for their numbers: the loop and item a body runs for, the count it is part of. */
interface ListPlace {
  readonly parent?: StepRef | undefined;
  readonly item?: ItemPlace | undefined;
  /** Steps before this list in the same count (the rollback's undos before its steps). */
  readonly offset?: number;
  readonly total?: number;
}

interface UndoEntry {
  readonly key: string;
  readonly step: Step;
  readonly itemPath: readonly string[];
  readonly loop: LoopBindings;
  readonly seq: number;
  /** Where the step ran: its undo runs there too. */
  readonly place: Placement;
}

const HERE: Placement = { host: undefined, become: false };

/** The time for a record; consecutive records (a step's end, the next one's start) often share a millisecond. */
let nowMs = -1;
let nowText = '';
/**
 * Resolves once the event loop has looked for signals: a signal delivered while this thread was
 * held (a synchronous fsync) is handled before what follows. The poll phase, where signals are
 * read, comes between two check phases.
 */
const afterSignals = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/** Why a wait in the change plan ended at the point of no return: the run rolls back, whatever its on_failure. */
export const PASSED_DURING_WAIT = 'the point of no return passed during the wait';

const now = (): string => {
  const ms = Date.now();
  if (ms !== nowMs) {
    nowMs = ms;
    nowText = new Date(ms).toISOString();
  }
  return nowText;
};

/**
 * Waits, soaks and notifications only observe or tell: after a crash they simply go on. A loop
 * goes on with its items, each of which is decided for itself.
 */
export function resumesByItself(step: Step): boolean {
  return step.kind === 'wait' || step.kind === 'monitor' || step.kind === 'notify' || step.kind === 'for_each';
}

export class Engine {
  private seq: number;
  private readonly visitsByKey = new Map<string, number>();
  private readonly undoStack: UndoEntry[] = [];
  /** The newest finished seq under each loop item path (`web2`, `east/h1`), to order loop undos. */
  private readonly lastSeqUnder = new Map<string, number>();
  private readonly statuses = new StepStatuses();
  private overrunDecided: 'continue' | undefined;
  /** Why the run rolls back: on_overrun said so before a top-level loop's next items. */
  private overrunRollback: string | undefined;
  /** How many items of each running loop (its ref) have failed so far, for the plan's failure paths. */
  private readonly failedItems = new WeakMap<StepRef, number>();
  /** Set when a host was lost during a step: why the run stops. */
  private unreachable: string | undefined;

  constructor(private readonly o: EngineOptions) {
    this.seq = o.replay?.maxSeq ?? 0;
  }

  /** The whole run: change plan, checklist, and the rollback when a failure calls for it. */
  async run(): Promise<RunResult> {
    const { runbook } = this.o;
    let out = await this.runList(runbook.steps, 'change', [], {});
    if (out.kind === 'done' || out.kind === 'end') out = await this.runList(runbook.checklist, 'checklist', [], {});
    switch (out.kind) {
      case 'done':
      case 'end':
        return this.finish('succeeded', 0, 'the change completed');
      case 'rollback':
        return this.rollback(out.reason);
      case 'abort':
        return this.finish('aborted', 4, `aborted without rollback: ${out.reason}`);
      case 'escalate':
        return this.escalate(out.reason);
      case 'interrupted':
        return this.interrupted();
      case 'stopped':
        return { outcome: 'interrupted', exitCode: 130, message: 'stopped where the journal ends' };
    }
  }

  /** Rebuild the state from the journal (replay-only), then roll back: `runbook rollback RUN`. */
  async rollbackAfter(reason: string, by: string): Promise<RunResult> {
    const out = await this.runList(this.o.runbook.steps, 'change', [], {});
    if (out.kind === 'done' || out.kind === 'end') await this.runList(this.o.runbook.checklist, 'checklist', [], {});
    this.o.replay?.endReplayOnly();
    return this.rollback(reason, by);
  }

  private async rollback(reason: string, by?: string): Promise<RunResult> {
    const fresh = !this.o.replay?.rollbackStarted || by !== undefined;
    if (fresh) await this.journal(() => ({ type: 'rollback_started', at: now(), reason, by }));
    failpoint('mid-rollback');
    this.o.emit({ type: 'rollback_started', reason });
    const undos = [...this.undoStack].sort((a, b) => b.seq - a.seq);
    // One count for the whole rollback, undos then rollback steps: "rollback [5/6]".
    const size = (e: UndoEntry) => (e.step.undo?.kind === 'steps' ? e.step.undo.steps.length : 1);
    const total = undos.reduce((n, e) => n + size(e), 0) + this.o.runbook.rollback.steps.length;
    let offset = 0;
    for (const entry of undos) {
      const out = await this.runUndo(entry, offset, total);
      offset += size(entry);
      if (out.kind === 'interrupted') return this.interrupted();
      if (out.kind !== 'done' && out.kind !== 'end') return this.escalate(`undo of ${entry.key} failed${'reason' in out ? `: ${out.reason}` : ''}`);
    }
    const out = await this.runList(this.o.runbook.rollback.steps, 'rollback', [], {}, { offset, total });
    if (out.kind === 'interrupted') return this.interrupted();
    if (out.kind === 'done' || out.kind === 'end') return this.finish('rolled_back', 1, `the change failed (${reason}); the rollback completed`);
    return this.escalate('reason' in out ? out.reason : 'the rollback did not complete');
  }

  private async runUndo(entry: UndoEntry, offset: number, total: number): Promise<ListOutcome> {
    const undo = entry.step.undo!;
    if (undo.kind === 'steps') return this.runList(undo.steps, 'rollback', entry.itemPath, entry.loop, { offset, total }, entry.place);
    const ref: StepRef = { key: `${entry.key}:undo`, step: entry.step, phase: 'rollback', index: offset + 1, total, undoOf: entry.key };
    const built = () => this.placed(entry.place, (values) => buildUndoAction(undo.run, entry.step, values, entry.loop));
    const r = await this.runStep(ref, entry.loop, built, undefined, entry.place);
    if (r.status === 'interrupted') return { kind: 'interrupted' };
    if (r.status === 'stopped') return { kind: 'stopped' };
    return r.status === 'failed' ? { kind: 'escalate', reason: r.reason ?? 'failed' } : { kind: 'done' };
  }

  private async escalate(reason: string): Promise<RunResult> {
    this.o.emit({ type: 'escalated', reason, escalate: this.o.runbook.rollback.escalate });
    const next = this.o.runbook.rollback.escalate ? ` Next: ${this.o.runbook.rollback.escalate}` : '';
    return this.finish('escalated', 3, `the rollback failed (${reason}): manual recovery needed.${next}`);
  }

  private async interrupted(): Promise<RunResult> {
    const signal = String(this.o.signal.reason ?? (this.unreachable ? 'unreachable' : 'SIGINT'));
    await this.journal(() => ({ type: 'run_interrupted', at: now(), signal, seq: this.seq, reason: this.unreachable }));
    this.o.emit({ type: 'run_interrupted', signal });
    return { outcome: 'interrupted', exitCode: 130, message: this.unreachable ? `interrupted: ${this.unreachable}; resumable` : 'interrupted: resumable' };
  }

  private async finish(outcome: RunOutcome, exitCode: number, message: string): Promise<RunResult> {
    await this.journal(() => ({ type: 'run_finished', at: now(), outcome, exitCode, message }));
    this.o.emit({ type: 'run_finished', outcome, exitCode, message });
    return { outcome, exitCode, message };
  }

  /** Records are built only when something journals them (a dry run does not). */
  private async journal(record: () => JournalRecord, sync = true): Promise<void> {
    if (this.o.journal !== NO_JOURNAL) await this.o.journal.append(record(), { sync });
  }

  /** One list of steps (a plan, a loop body, an undo list), following branch targets. */
  private async runList(steps: readonly Step[], phase: Phase, itemPath: readonly string[], loop: LoopBindings, at: ListPlace = {}, inherited?: Placement): Promise<ListOutcome> {
    const visits = new Map<string, number>();
    const { parent, item, offset = 0, total = steps.length } = at;
    let i = 0;
    while (i < steps.length) {
      const step = steps[i]!;
      const ref: StepRef = { key: instanceKey(step.id, itemPath), step, phase, index: offset + i + 1, total, loop: parent, item };
      const visit = (visits.get(step.id) ?? 0) + 1;
      visits.set(step.id, visit);
      let result: StepOutcome;
      let onFailure = step.onFailure;
      if (visit > step.maxVisits) {
        result = { status: 'failed', reason: `reached max_visits (${step.maxVisits})`, fresh: true };
        if (onFailure === 'continue' || onFailure === 'ask' || steps.some((s) => s.id === onFailure)) onFailure = this.defaultFailure(phase);
      } else {
        const when = step.when !== undefined ? await this.checkCondition(ref, itemPath, loop) : {};
        const overrun = !when.skipped && phase === 'change' && itemPath.length === 0 ? await this.checkOverrun(ref) : undefined;
        if (overrun) return overrun;
        if (when.skipped) result = when.skipped;
        else if (step.kind === 'for_each') result = await this.runLoop(step, ref, itemPath, loop, inherited);
        else result = await this.runStep(ref, loop, () => this.placed(this.place(ref, loop, inherited), (values) => buildAction(step, values, loop)), when.words, inherited);
      }
      if (result.status === 'interrupted') return { kind: 'interrupted' };
      if (result.status === 'stopped') return { kind: 'stopped' };
      this.statuses.set(step.id, ref.key, result.status);
      if (this.overrunRollback && phase === 'change') return { kind: 'rollback', reason: this.overrunRollback };
      const ok = result.status !== 'failed';
      let target = result.byCondition ? 'next' : ok ? step.onSuccess : onFailure;
      if (!ok && result.reason === PASSED_DURING_WAIT) target = 'rollback';
      if (!ok && target === 'ask') target = await this.askOnFailure(ref, result.reason ?? 'failed', result.fresh);
      if (target === 'retry') {
        visits.set(step.id, visit - 1);
        continue;
      }
      if (target !== 'next' && target !== 'continue' && target !== 'skip' && result.fresh) {
        await this.journal(() => ({ type: 'branch', at: now(), key: ref.key, to: target }));
        this.o.emit({ type: 'branch', ref, to: target });
      }
      switch (target) {
        case 'next':
        case 'continue':
        case 'skip':
          i++;
          break;
        case 'end':
          return { kind: 'end' };
        case 'rollback':
        case 'abort':
        case 'escalate':
          return { kind: target, reason: `${ref.key} failed${result.reason ? `: ${result.reason}` : ''}` };
        default: {
          const j = steps.findIndex((s) => s.id === target);
          if (j < 0) return { kind: 'abort', reason: `${ref.key}: no step ${target} in this list` };
          i = j;
        }
      }
    }
    return { kind: 'done' };
  }

  /**
   * A step whose `when:` does not hold is journaled as skipped, with the condition in words (a
   * resume finds it there, or in flight, and decides it the same way: the values it depends on
   * come back from the journal). A condition that cannot be evaluated fails the step before it
   * starts. Otherwise the step runs; `words` says on what a dry run could not decide.
   */
  private async checkCondition(ref: StepRef, itemPath: readonly string[], loop: LoopBindings): Promise<{ skipped?: StepOutcome; words?: string }> {
    const visit = (this.visitsByKey.get(ref.key) ?? 0) + 1;
    const done = this.o.replay?.finished(ref.key, visit);
    if (done && done.via !== 'when') return {};
    if (!done && this.o.replay?.replayOnly) return {};
    let when: WhenResult;
    try {
      when = checkWhen(ref.step, this.o.values, loop, itemPath, this.statuses);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const failed = await this.runStep(ref, loop, () => {
        throw err;
      });
      return { skipped: failed };
    }
    if (when.runs) return { words: when.words };
    this.nextVisit(ref.key);
    if (done) {
      this.o.emit({ type: 'step_finished', ref, status: 'skipped', attempts: 0, durationMs: 0, reason: done.reason, replayed: true });
      return { skipped: { status: 'skipped', reason: done.reason, fresh: false, byCondition: true } };
    }
    const inFlight = this.o.replay?.started(ref.key, visit) ?? [];
    const seq = inFlight.length > 0 ? inFlight[inFlight.length - 1]!.seq : await this.startRecord(ref, visit, 1, when.words);
    this.o.emit({ type: 'step_started', ref, attempt: 1, detail: undefined, onFailure: '', condition: when.words });
    const out = await this.finishRecord(ref, visit, seq, this.o.clock.now(), { status: 'skipped', reason: when.words }, 0, true, 'when');
    return { skipped: { ...out, byCondition: true } };
  }

  private defaultFailure(phase: Phase): string {
    if (phase === 'rollback') return 'escalate';
    return this.o.runbook.rollback.steps.length > 0 || this.undoStack.length > 0 ? 'rollback' : 'abort';
  }

  private async askOnFailure(ref: StepRef, reason: string, fresh: boolean): Promise<string> {
    const visit = this.visitsByKey.get(ref.key);
    for (let d = this.o.replay?.takeDecision(ref.key, visit); d && !fresh; d = this.o.replay?.takeDecision(ref.key, visit)) {
      if (['retry', 'skip', 'rollback', 'abort'].includes(d.decision)) return d.decision;
    }
    const choice = await this.o.operator.chooseOnFailure(ref, reason);
    await this.decide(ref.key, visit, choice, this.o.operator.user);
    return choice;
  }

  private async decide(key: string, visit: number | undefined, decision: string, by: string, note?: string): Promise<void> {
    await this.journal(() => ({ type: 'decision', at: now(), key, visit, decision, by, note }));
    this.o.emit({ type: 'decision', key, decision, by, note });
  }

  /** Past the point of no return, follow window.on_overrun before a change step starts. */
  private async checkOverrun(ref: StepRef): Promise<ListOutcome | undefined> {
    const visit = (this.visitsByKey.get(ref.key) ?? 0) + 1;
    if (this.o.replay?.finished(ref.key, visit) || this.o.replay?.started(ref.key, visit).length) return undefined;
    const choice = await this.overrunChoice(ref, visit, `the point of no return has passed before ${ref.key}`);
    return choice === 'rollback' ? { kind: 'rollback', reason: `the point of no return passed before ${ref.key} started` } : undefined;
  }

  /**
   * window.on_overrun at this point of step `ref`'s `visit`: the choice journaled here before a
   * resume, followed whatever the clock says now (the walk goes as it went, even with the window
   * ignored on resume); else, once the point of no return has passed, the policy's (or the
   * operator's, `ask`), journaled; undefined before it (`reached`: a wait stopped at it, so it is
   * here). `continue` holds for the rest of the run.
   */
  private async overrunChoice(ref: StepRef, visit: number, message: string, reached = false): Promise<'rollback' | 'continue' | undefined> {
    if (this.overrunDecided) return undefined;
    const key = `window:${ref.key}`;
    // Journals before the visit was recorded with this decision have it without one.
    let choice = (this.o.replay?.takeDecision(key, visit) ?? this.o.replay?.takeDecision(key))?.decision as 'rollback' | 'continue' | undefined;
    if (!choice) {
      const pnr = this.o.pointOfNoReturn;
      if (pnr === undefined || (!reached && this.o.clock.now() <= pnr)) return undefined;
      const policy = this.o.runbook.window?.onOverrun ?? 'rollback';
      this.o.emit({ type: 'warning', message });
      choice = policy === 'ask' ? await this.o.operator.chooseOnOverrun(ref, message) : policy;
      await this.decide(key, visit, choice, policy === 'ask' ? this.o.operator.user : 'window.on_overrun');
    }
    if (choice === 'continue') this.overrunDecided = 'continue';
    return choice;
  }

  /**
   * A top-level change step while the point of no return passes. A wait stops there and
   * on_overrun decides (a continued wait keeps its deadline). A command or a manual step is not
   * stopped: the console is warned, and checkOverrun decides before the next step. A soak may
   * outlast the window (its failure still rolls back), so it is left alone.
   */
  private async executeInWindow(req: ExecRequest): Promise<ExecResult> {
    const pnr = this.o.pointOfNoReturn;
    const { ref, action } = req;
    const waits = action.kind === 'sleep' || action.kind === 'poll';
    // A wait stopped here before a resume: the journaled decision holds, even with the window ignored now.
    if (pnr === undefined && waits && ref.phase === 'change' && ref.key === ref.step.id && !this.overrunDecided) {
      const recorded = await this.overrunChoice(ref, this.visitsByKey.get(ref.key) ?? 1, '', true);
      if (recorded === 'rollback') return { status: 'failed', reason: PASSED_DURING_WAIT };
    }
    if (pnr === undefined || this.overrunDecided || ref.phase !== 'change' || ref.key !== ref.step.id) return this.o.executor.execute(req);
    if (waits) {
      const r = await this.o.executor.execute({ ...req, stopAt: pnr });
      if (!r.stoppedEarly) return r;
      const choice = await this.overrunChoice(ref, this.visitsByKey.get(ref.key) ?? 1, `the point of no return passed during ${ref.key}`, true);
      return choice === 'rollback' ? { status: 'failed', reason: PASSED_DURING_WAIT } : this.o.executor.execute(req);
    }
    if ((action.kind !== 'shell' && action.kind !== 'manual') || this.o.clock.now() >= pnr) return this.o.executor.execute(req);
    const policy = this.o.runbook.window?.onOverrun ?? 'rollback';
    const then =
      policy === 'continue' ? 'the change goes on (on_overrun: continue)' : policy === 'ask' ? 'you are asked before the next change step' : 'the run rolls back before the next change step';
    const message = `the point of no return passed while ${ref.key} runs: it is not stopped; ${then}`;
    const cancel = this.o.clock.at(pnr, () => this.o.emit({ type: 'window_warning', ref, message }));
    try {
      return await this.o.executor.execute(req);
    } finally {
      cancel();
    }
  }

  /** A rolling deployment: items in batches of `serial`, stopping once failures exceed max_failures. */
  private async runLoop(step: ForEachStep, ref: StepRef, itemPath: readonly string[], loop: LoopBindings, inherited: Placement | undefined): Promise<StepOutcome> {
    const visit = this.nextVisit(ref.key);
    const fresh = !this.o.replay?.finished(ref.key, visit);
    const seq = fresh && !this.o.replay?.started(ref.key, visit).length ? await this.startRecord(ref, visit, 1) : this.seq;
    const started = this.o.clock.now();
    let items: unknown[];
    try {
      items = resolveItems(step.items, this.o.values, loop);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return this.finishRecord(ref, visit, seq, started, { status: 'failed', reason: err.message }, 1, fresh);
    }
    const labels = items.map(itemLabel);
    this.o.emit({ type: 'loop_items', ref, items: labels });
    let failures = 0;
    for (let b = 0; b < items.length && failures <= step.maxFailures; b += step.serial) {
      // Only a top-level loop: between its batches no item of it runs anywhere, so stopping the
      // whole run there stops nothing under way, and a resume replays its batches in order.
      if (itemPath.length === 0 && (await this.overrunBeforeItems(ref, step, labels[b]!))) {
        return this.finishRecord(ref, visit, seq, started, { status: 'failed', reason: this.overrunRollback }, 1, fresh);
      }
      const batch = items.slice(b, b + step.serial).map((item, n) => async () => {
        const label = labels[b + n]!;
        const path = [...itemPath, label];
        const bindings = { ...loop, [step.as]: item };
        const out = await this.runList(step.steps, ref.phase, path, bindings, { parent: ref, item: { label, index: b + n + 1, count: items.length } }, inherited);
        if (out.kind === 'done' || out.kind === 'end') {
          const seq = this.lastSeqUnder.get(path.join('/')) ?? this.seq;
          if (step.undo) this.undoStack.push({ key: instanceKey(step.id, path), step, itemPath: path, loop: bindings, seq, place: this.placeOrHere(ref, bindings, inherited) });
        }
        return out;
      });
      // Inside a loop, a body step's rollback, abort or escalate fails the item; max_failures
      // decides whether the loop goes on, and the loop's own on_failure what happens next.
      for (const out of await (this.o.clock.parallel?.(batch) ?? Promise.all(batch.map((run) => run())))) {
        if (out.kind === 'interrupted' || out.kind === 'stopped') return { status: out.kind, fresh };
        if (out.kind !== 'done' && out.kind !== 'end') failures++;
      }
      this.failedItems.set(ref, failures);
    }
    const failed = failures > step.maxFailures;
    const reason = failures > 0 ? `${failures} of ${items.length} items failed (max_failures ${step.maxFailures})` : undefined;
    return this.finishRecord(ref, visit, seq, started, { status: failed ? 'failed' : 'succeeded', reason }, 1, fresh);
  }

  /**
   * Past the point of no return, on_overrun decides before a loop's next batch of items starts,
   * as before a top-level step: a rolling change touches no further server once there is only
   * time left to roll back. `label`: the batch's first item. A batch that ran before a resume is
   * replayed, not started: nothing to decide there.
   */
  private async overrunBeforeItems(ref: StepRef, step: ForEachStep, label: string): Promise<boolean> {
    if (ref.phase !== 'change') return false;
    const first = step.steps[0];
    if (first) {
      const key = instanceKey(first.id, [label]);
      const visit = (this.visitsByKey.get(key) ?? 0) + 1;
      if (this.o.replay?.finished(key, visit) || this.o.replay?.started(key, visit).length) return false;
    }
    const item = `${ref.key}[${label}]`;
    const choice = await this.overrunChoice(ref, this.visitsByKey.get(ref.key) ?? 1, `the point of no return has passed before ${item}`);
    if (choice === 'rollback') this.overrunRollback = `the point of no return passed before ${item} started`;
    return choice === 'rollback';
  }

  private nextVisit(key: string): number {
    const visit = (this.visitsByKey.get(key) ?? 0) + 1;
    this.visitsByKey.set(key, visit);
    return visit;
  }

  /** `detail`: what runs, as people see it (secrets masked): the command, instruction or message. */
  private async startRecord(ref: StepRef, visit: number, attempt: number, skipped?: string, host?: string, detail?: string): Promise<number> {
    const seq = ++this.seq;
    failpoint('before-started');
    await this.journal(() => ({ ...this.startedRecord(ref, visit, attempt, seq), skipped, host, detail }));
    failpoint('after-started');
    return seq;
  }

  private startedRecord(ref: StepRef, visit: number, attempt: number, seq: number): StepStartedRecord {
    return { type: 'step_started', at: now(), seq, key: ref.key, visit, stepId: ref.step.id, kind: ref.step.kind, phase: ref.phase, attempt, undoOf: ref.undoOf };
  }

  private async finishRecord(ref: StepRef, visit: number, seq: number, started: number, r: ExecResult, attempts: number, fresh: boolean, via?: string, host?: string): Promise<StepOutcome> {
    const durationMs = this.o.clock.now() - started;
    if (fresh) failpoint('before-finished');
    if (fresh) {
      await this.journal(
        () => ({
          type: 'step_finished',
          at: now(),
          seq,
          key: ref.key,
          visit,
          status: r.status,
          attempts,
          durationMs,
          exitCode: r.exitCode,
          reason: r.reason,
          outputs: r.outputs,
          stdout: r.stdout?.slice(-4096),
          via,
        }),
        false,
      ); // flushed by the next record that syncs: the next step's start, a decision, the run's end
      failpoint('after-finished');
    }
    this.o.emit({ type: 'step_finished', ref, status: r.status, attempts, durationMs, exitCode: r.exitCode, reason: r.reason, replayed: !fresh, host });
    return { status: r.status, reason: r.reason, fresh };
  }

  /** One step instance: from the journal if it already ran, else executed with its retries. */
  private async runStep(ref: StepRef, loop: LoopBindings, build: () => BuiltAction, condition?: string, inherited?: Placement): Promise<StepOutcome> {
    const { step } = ref;
    const visit = this.nextVisit(ref.key);
    const done = this.o.replay?.finished(ref.key, visit);
    if (done) {
      this.remember(ref, loop, done, done.seq, this.placeOrHere(ref, loop, inherited));
      this.o.emit({ type: 'step_finished', ref, status: done.status, attempts: done.attempts, durationMs: done.durationMs, exitCode: done.exitCode, reason: done.reason, replayed: true });
      return { status: done.status, reason: done.reason, fresh: false };
    }
    const inFlight = this.o.replay?.started(ref.key, visit) ?? [];
    if (this.o.replay?.replayOnly) return { status: 'stopped', fresh: false };
    let startedAt = this.o.clock.now();
    // Attempts are counted across sessions: a re-run after a resume is the next attempt.
    const last = inFlight[inFlight.length - 1];
    const firstAttempt = last ? last.attempt + 1 : 1;
    if (last) {
      startedAt = Date.parse(inFlight[0]!.at);
      const choice = await this.resolveInFlight(ref, visit, loop, last.seq, inherited);
      if (choice !== 'rerun') {
        const r: ExecResult = { status: choice === 'done' ? 'succeeded' : 'failed', reason: choice === 'failed' ? 'counted as failed on resume' : undefined };
        const seq = last.seq;
        const out = await this.finishRecord(ref, visit, seq, startedAt, r, last.attempt, true, `in flight at the interruption: counted ${choice === 'done' ? 'done' : 'failed'}`);
        if (r.status === 'succeeded') this.remember(ref, loop, { status: 'succeeded' }, seq, this.placeOrHere(ref, loop, inherited));
        return out;
      }
    }
    let built: BuiltAction;
    try {
      built = build();
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const seq = await this.startRecord(ref, visit, firstAttempt);
      this.o.emit({ type: 'step_started', ref, attempt: firstAttempt, detail: undefined, onFailure: '' });
      return this.finishRecord(ref, visit, seq, startedAt, { status: 'failed', reason: err.message }, firstAttempt, true);
    }
    const first = this.o.clock.now();
    let delay = step.retryDelayMs;
    // `retries` bounds the attempts in all (retries + 1); a re-run decided on resume always
    // runs, even past that bound.
    const host = built.place?.host;
    for (let attempt = firstAttempt; ; attempt++) {
      const seq = await this.startRecord(ref, visit, attempt, undefined, host, built.shown); // on disk: only now may the step run
      this.o.emit({ type: 'step_started', ref, attempt, detail: built.shown, onFailure: this.describeFailure(ref), condition, host });
      // A signal that came while the disk worked (a Ctrl-C because nothing happened) is handled
      // first, and stops the step before it starts.
      if (this.o.journal !== NO_JOURNAL) await afterSignals();
      const env = { ...built.env, RUNBOOK_RUN_ID: this.o.values.run.id, RUNBOOK_STEP_ID: step.id, RUNBOOK_STEP_KEY: ref.key, RUNBOOK_ATTEMPT: String(attempt) };
      // Not awaited (the step runs meanwhile); a failed write shows at the step's finished record.
      const onProcess = (p: ProcessIdentity) => void this.journal(() => ({ type: 'step_process', at: now(), seq, key: ref.key, ...p }), false).catch(() => {});
      const r: ExecResult = this.o.signal.aborted
        ? { status: 'failed', interrupted: true }
        : await this.executeInWindow({ ref, action: built.action, seq, attempt, env, cwd: built.cwd, startedAt, signal: this.o.signal, onProcess, host, become: built.place?.become });
      if (r.unreachable) this.lostHost(ref, r.reason);
      if (r.interrupted) return { status: 'interrupted', fresh: true };
      if (r.by) await this.decide(ref.key, visit, r.status === 'succeeded' ? 'confirmed' : r.status, r.by, r.note);
      if (r.status === 'failed' && attempt <= step.retries && !this.o.signal.aborted && r.reason !== PASSED_DURING_WAIT) {
        this.o.emit({ type: 'step_retry', ref, attempt: attempt + 1, delayMs: delay, reason: r.reason ?? 'failed' });
        await this.o.clock.sleep(delay, this.o.signal);
        if (this.o.signal.aborted) return { status: 'interrupted', fresh: true };
        delay = Math.round(delay * step.retryBackoff);
        continue;
      }
      const out = await this.finishRecord(ref, visit, seq, first, r, attempt, true, undefined, host);
      this.remember(ref, loop, r, seq, built.place ?? HERE);
      return out;
    }
  }

  /**
   * Where a step runs: its own `on:`/`become:`, else its loops' (innermost first, resolved with
   * the current items), else what its list inherits (an undo list: where its loop item ran),
   * else here. Throws TemplateError when `on:` does not name a host: the step fails before it starts.
   */
  private place(ref: StepRef, loop: LoopBindings, inherited: Placement | undefined): Placement {
    let on: string | undefined;
    let become: boolean | undefined;
    for (let r: StepRef | undefined = ref; r && (on === undefined || become === undefined); r = r.loop) {
      on ??= r.step.on;
      become ??= r.step.become;
    }
    if (on === undefined) return { host: inherited?.host, become: become ?? inherited?.become ?? false };
    const name = on.includes('${{') ? renderMessage(on, this.o.values, loop).trim() : on;
    if (name === LOCAL_HOST) return { host: undefined, become: become ?? false };
    // A dry run cannot know a host that a step's output names: the plan shows the reference.
    if (this.o.values.dry && name.includes('<steps.')) return { host: name, become: become ?? false };
    if (!Object.hasOwn(this.o.runbook.hosts, name)) throw new TemplateError(`on: ${JSON.stringify(name)} is not a host of this runbook`);
    return { host: name, become: become ?? false };
  }

  /** place(), or here when `on:` cannot resolve (an undo of a step that never ran cannot be reached). */
  private placeOrHere(ref: StepRef, loop: LoopBindings, inherited: Placement | undefined): Placement {
    try {
      return this.place(ref, loop, inherited);
    } catch (err) {
      if (err instanceof TemplateError) return HERE;
      throw err;
    }
  }

  /** Builds an action where `host.name` is the step's host, and says where it runs. */
  private placed(place: Placement, build: (values: Values) => BuiltAction): BuiltAction {
    const built = build(place.host === undefined ? this.o.values : { ...this.o.values, host: place.host });
    const runs = built.action.kind === 'shell' || built.action.kind === 'poll' || built.action.kind === 'monitor';
    return runs ? { ...built, place } : built;
  }

  /** A host lost during a step: the run stops as interrupted, the step in doubt. */
  private lostHost(ref: StepRef, reason: string | undefined): void {
    this.unreachable ??= `${ref.key}: ${reason ?? 'the host is unreachable'}`;
    this.o.emit({ type: 'warning', message: `${this.unreachable}: the run stops here (the step is in doubt); resume once the host is back` });
  }

  /** Plans show each step's failure path in words; a real run does not spend the time. */
  private describeFailure(ref: StepRef): string {
    return this.o.values.dry ? describeFailure(ref, this.o.runbook, summarizeUndos(this.undoStack), (loop) => this.failedItems.get(loop) ?? 0) : '';
  }

  /** Keep a finished step's values for later templates, and its undo for a rollback. */
  private remember(
    ref: StepRef,
    loop: LoopBindings,
    r: { status: StepStatus; outputs?: Readonly<Record<string, string>> | undefined; stdout?: string | undefined; exitCode?: number | undefined },
    seq: number,
    place: Placement = HERE,
  ): void {
    if (ref.undoOf) return;
    this.o.values.steps.set(ref.step.id, { outputs: r.outputs ?? {}, stdout: r.stdout ?? '', exitCode: r.exitCode });
    const itemPath = ref.key.includes('[') ? [...ref.key.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!) : [];
    for (let n = 1; n <= itemPath.length; n++) {
      const prefix = itemPath.slice(0, n).join('/');
      this.lastSeqUnder.set(prefix, Math.max(seq, this.lastSeqUnder.get(prefix) ?? 0));
    }
    if (r.status === 'succeeded' && ref.step.undo) this.undoStack.push({ key: ref.key, step: ref.step, itemPath, loop, seq, place });
  }

  /**
   * The step that was running when the run stopped (execution `seq`): reboots with a restart
   * since, idempotent, verify, or ask.
   */
  private async resolveInFlight(ref: StepRef, visit: number, loop: LoopBindings, seq: number, inherited: Placement | undefined): Promise<'rerun' | 'done' | 'failed'> {
    // Decided afresh on every resume: an earlier 'rerun' may itself have been cut off after its
    // effect took place, so reusing that decision could run the step twice.
    const { step } = ref;
    let choice: 'rerun' | 'done' | 'failed';
    let by = 'runbook';
    let note: string | undefined;
    // On the same boot the reboot did not happen (or not yet): the CLI died of something else.
    if (step.reboots && this.o.replay?.restartedSince(seq)) (choice = 'done'), (note = 'reboots: the machine restarted, as the step intends');
    else if (step.idempotent) (choice = 'rerun'), (note = 'idempotent: safe to run again');
    else if (resumesByItself(step)) (choice = 'rerun'), (note = `a ${step.kind} step resumes where it was (its deadline is kept)`);
    else if (step.verify) {
      const place = this.placeOrHere(ref, loop, inherited);
      const built = this.placed(place, (values) => buildUndoAction(step.verify!, step, values, loop));
      const verify = await this.o.executor.execute({
        host: place.host,
        become: place.become,
        ref: { ...ref, key: `${ref.key}:verify` },
        action: built.action,
        seq: this.seq,
        attempt: 1,
        env: { ...built.env, RUNBOOK_RUN_ID: this.o.values.run.id },
        cwd: built.cwd,
        startedAt: this.o.clock.now(),
        signal: this.o.signal,
      });
      choice = verify.status === 'succeeded' ? 'done' : 'rerun';
      note = `verify exited ${verify.exitCode ?? '?'}`;
    } else {
      choice = await this.o.operator.chooseInFlight(ref);
      by = this.o.operator.user;
      if (step.reboots) note = 'reboots, but the machine has not restarted since the step started (same boot id)';
    }
    await this.decide(ref.key, visit, choice, by, note);
    return choice;
  }
}
