/**
 * The plan: a dry run through the real engine (no journal, executors that do nothing, a clock
 * that advances by estimates), recorded as entries in the order the operator will meet them,
 * with the timeline against the window. `fail` rehearses failure paths. No side effects.
 */
import { DateTime } from 'luxon';
import { retriesFirst } from '../engine/describe.js';
import { Engine } from '../engine/engine.js';
import type { EngineEvent } from '../engine/events.js';
import { NO_JOURNAL, type Operator } from '../engine/ports.js';
import type { StepValues, Values } from '../engine/scope.js';
import { formatDuration } from '../model/duration.js';
import type { Runbook } from '../model/types.js';
import { parseLocal, resolveWindow, toZone } from '../model/window.js';
import type { RunOutcome } from '../state/records.js';
import { expectedDurationMs, rollbackReserveMs, soakDurationMs, worstCaseDurationMs } from './budget.js';
import { DryExecutor } from './dry-executor.js';
import { worstCaseMs } from './estimates.js';
import { VirtualClock } from './virtual-clock.js';

const ITEM_ENDS = new Set(['rollback', 'abort', 'escalate']);

export interface PlanEntry {
  readonly n: number;
  readonly key: string;
  readonly stepId: string;
  readonly kind: string;
  readonly phase: string;
  readonly name?: string | undefined;
  /** The command (secrets as ***, run-time values as <steps.ID.outputs.K>) or the instruction. */
  readonly detail?: string | undefined;
  readonly manual: boolean;
  /** A manual step's `timeout`: unanswered that long, it fails. */
  readonly answerWithinMs?: number | undefined;
  readonly undoOf?: string | undefined;
  /** Expected start, ms from the plan's start, and at worst. */
  readonly atMs: number;
  readonly worstAtMs: number;
  readonly onFailure: string;
  status?: string;
  reason?: string | undefined;
  /** Where the path goes after this step, when it is not simply the next step. */
  branch?: string;
  /** Its `when:` in words: "runs if ..." (decided at run time) or why it is skipped. */
  condition?: string | undefined;
  /** The runbook's host it runs on (absent: this machine), its `on:` resolved for this item. */
  readonly host?: string | undefined;
  /** It runs as root on its host (`become`, through `sudo -n`). */
  become?: boolean | undefined;
}

export interface PlanNote {
  readonly n: number;
  readonly text: string;
}

export interface Plan {
  readonly runbook: { readonly id: string; readonly title: string; readonly change?: string | undefined };
  readonly start: string;
  readonly window?: {
    readonly start: string;
    readonly end: string;
    readonly zone: string;
    readonly localStart: string;
    readonly localEnd: string;
    readonly localZone: string;
    readonly durationMs: number;
  };
  readonly timeline: {
    readonly expectedMs: number;
    readonly worstCaseMs: number;
    readonly rollbackReserveMs: number;
    readonly pointOfNoReturn?: string | undefined;
    /** The last change step expected to start before the point of no return. */
    readonly lastStepBeforePointOfNoReturn?: string | undefined;
  };
  readonly failing: readonly string[];
  readonly entries: PlanEntry[];
  readonly notes: PlanNote[];
  readonly outcome: { readonly outcome: RunOutcome; readonly exitCode: number; readonly message: string };
  readonly warnings: string[];
}

export interface PlanInput {
  readonly runbook: Runbook;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly fail: readonly string[];
  /** ISO time, in the window's zone when it has no offset. */
  readonly at?: string | undefined;
  readonly now?: number | undefined;
  readonly localZone?: string | undefined;
  readonly warnings?: readonly string[];
}

export async function buildPlan(input: PlanInput): Promise<Plan> {
  const { runbook } = input;
  const warnings = [...(input.warnings ?? [])];
  // The machine's zone is only needed with a window or --at (finding it starts up Intl).
  let zone = input.localZone;
  const local = (): string => (zone ??= DateTime.local().zoneName ?? 'UTC');
  const win = runbook.window ? resolveWindow(runbook.window, local()) : undefined;
  const times = win?.ok ? win.times : undefined;
  if (win && !win.ok) warnings.push(`window: ${win.message}`);
  if (runbook.window && win?.ok && !times) warnings.push('the window start is TBD: times are relative to the start');

  const now = input.now ?? Date.now();
  let start = now;
  if (input.at) {
    const atZone = toZone(times?.zoneName ?? local()) ?? undefined;
    const at = atZone ? parseLocal(input.at, atZone) : undefined;
    if (!at) throw new Error(`--at: "${input.at}" is not a date and time`);
    start = at.toMillis();
  } else if (times && (now < times.start.toMillis() || now >= times.end.toMillis())) start = times.start.toMillis();

  const reserve = rollbackReserveMs(runbook);
  if (times && reserve === 0 && runbook.window?.rollbackReserveMs === undefined && runbook.rollback.steps.length > 0) {
    warnings.push('the rollback reserve is 0s (no rollback step has an estimate): the point of no return is the window end; set window.rollback_reserve or estimates on the rollback steps');
  }
  const pnr = times ? times.end.toMillis() - reserve : undefined;
  const clock = new VirtualClock(start);
  const entries: PlanEntry[] = [];
  const notes: PlanNote[] = [];
  const byKey = new Map<string, PlanEntry>();
  // What the engine asks of the executor says how the step runs there (as root or not).
  const executor = new DryExecutor(clock, new Set(input.fail), (req) => {
    const entry = byKey.get(req.ref.key);
    // become applies on a host; a step here runs as the operator whatever it says.
    if (entry && req.become && req.host !== undefined) entry.become = true;
  });
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'step_started') {
      if (e.attempt > 1) return;
      const entry: PlanEntry = {
        n: entries.length + 1,
        key: e.ref.key,
        stepId: e.ref.step.id,
        kind: e.ref.undoOf ? 'undo' : e.ref.step.kind,
        phase: e.ref.phase,
        name: e.ref.step.name,
        detail: e.detail,
        manual: e.ref.step.kind === 'manual',
        answerWithinMs: e.ref.step.kind === 'manual' ? e.ref.step.timeoutMs : undefined,
        undoOf: e.ref.undoOf,
        atMs: clock.now() - start,
        worstAtMs: clock.worstNow(),
        onFailure: e.onFailure,
        condition: e.condition,
        host: e.host,
      };
      if (e.attempt === 1) clock.advanceWorst(worstCaseMs(e.ref.step));
      entries.push(entry);
      byKey.set(e.ref.key, entry);
    } else if (e.type === 'step_finished') {
      const entry = byKey.get(e.ref.key);
      if (entry) (entry.status = e.status), (entry.reason = e.reason);
    } else if (e.type === 'branch') {
      const entry = byKey.get(e.ref.key);
      // In a loop's body, rollback, abort and escalate end the item; the loop decides what follows.
      if (entry) entry.branch = e.ref.loop && ITEM_ENDS.has(e.to) ? entry.onFailure.slice(retriesFirst(e.ref.step).length) : e.to;
    } else if (e.type === 'loop_items') {
      notes.push({ n: entries.length + 1, text: `for each of ${e.items.join(', ')} (${e.ref.step.kind === 'for_each' ? e.ref.step.serial : 1} at a time): ${e.ref.key}` });
    } else if (e.type === 'rollback_started') {
      notes.push({ n: entries.length + 1, text: `ROLLBACK: ${e.reason}` });
    } else if (e.type === 'escalated') {
      notes.push({ n: entries.length + 1, text: `ESCALATE: ${e.reason}${e.escalate ? `. ${e.escalate}` : ''}` });
    } else if (e.type === 'warning') warnings.push(e.message);
    else if (e.type === 'window_warning') notes.push({ n: entries.length + 1, text: e.message });
    else if (e.type === 'decision' && e.key.startsWith('window:')) notes.push({ n: entries.length + 1, text: `past the point of no return: ${e.decision}` });
  };
  const operator: Operator = {
    user: 'plan',
    chooseOnFailure: async () => (runbook.rollback.steps.length > 0 ? 'rollback' : 'abort'),
    chooseInFlight: async () => 'rerun',
    chooseOnOverrun: async () => 'rollback',
  };
  const values: Values & { steps: Map<string, StepValues> } = {
    vars: input.vars,
    secrets: undefined,
    steps: new Map(),
    dry: true,
    env: process.env,
    groups: runbook.groups,
    run: { id: '<run id>', started: new Date(start).toISOString() },
    window: times ? { start: times.start.toISO() ?? undefined, end: times.end.toISO() ?? undefined } : {},
  };
  const engine = new Engine({
    runbook,
    values,
    executor,
    operator,
    clock,
    journal: NO_JOURNAL,
    emit: onEvent,
    signal: new AbortController().signal,
    pointOfNoReturn: pnr,
  });
  const outcome = await engine.run();
  for (const name of executor.unused()) warnings.push(`--fail ${name}: no step on the path has this id or key`);

  const expected = expectedDurationMs(runbook, input.vars);
  const worstCase = worstCaseDurationMs(runbook, input.vars);
  // A soak (top-level monitor) may outlast the window: the window must hold the work.
  const soak = soakDurationMs(runbook);
  const work = expected - soak;
  const lastBefore = pnr === undefined ? undefined : [...entries].reverse().find((e) => e.phase === 'change' && start + e.atMs <= pnr);
  if (times) {
    const what = soak > 0 ? `expected work before the ${formatDuration(soak)} soak` : 'expected duration';
    if (start + work > times.end.toMillis()) warnings.push(`the ${what} (${formatDuration(work)}) overruns the window end`);
    else if (pnr !== undefined && start + work > pnr) warnings.push(`the ${what} (${formatDuration(work)}) runs past the point of no return`);
    if (start + worstCase - soak > times.end.toMillis()) warnings.push(`at worst (every timeout and retry), the work takes ${formatDuration(worstCase - soak)} and overruns the window`);
  }
  const zoneOf = (t: DateTime) => t.toISO({ suppressMilliseconds: true }) ?? '';
  return {
    runbook: { id: runbook.id, title: runbook.title, change: runbook.change },
    start: new Date(start).toISOString(),
    window: times && {
      start: zoneOf(times.start),
      end: zoneOf(times.end),
      zone: times.zoneName,
      localStart: zoneOf(times.start.setZone(local())),
      localEnd: zoneOf(times.end.setZone(local())),
      localZone: local(),
      durationMs: times.durationMs,
    },
    timeline: {
      expectedMs: expected,
      worstCaseMs: worstCase,
      rollbackReserveMs: reserve,
      pointOfNoReturn: pnr === undefined || !times ? undefined : zoneOf(DateTime.fromMillis(pnr, { zone: times.start.zone })),
      lastStepBeforePointOfNoReturn: lastBefore?.key,
    },
    failing: [...input.fail],
    entries,
    notes,
    outcome,
    warnings,
  };
}
