/**
 * The engine in process, as a real run drives it but with every port scripted: an executor that
 * returns each step's outcome from a script, a virtual clock, an in-memory journal, an operator
 * that answers from a list. Every event is recorded as a compact JSON line (a test renderer, as
 * listr2 has), so a test reads what happened in order.
 */
import { Engine, type RunResult } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { ExecRequest, ExecResult, FailureChoice, InFlightChoice, JournalPort, Operator, StepExecutor } from '../../src/engine/ports.js';
import { Replay } from '../../src/engine/replay.js';
import type { StepValues, Values } from '../../src/engine/scope.js';
import { loadRunbookText } from '../../src/load/load.js';
import type { Runbook } from '../../src/model/types.js';
import { VirtualClock } from '../../src/plan/virtual-clock.js';
import type { JournalRecord } from '../../src/state/records.js';

/** A runbook from the text of its body (steps, vars, rollback…); throws on a problem. */
export function runbookFrom(body: string): Runbook {
  const loaded = loadRunbookText(`version: 1\nid: t\ntitle: T\n${body.trimStart()}`, 'inline.yaml');
  if (!loaded.runbook) throw new Error(loaded.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n'));
  return loaded.runbook;
}

export interface Script {
  /** Keys that fail (`b`, `deploy[web2]`, `a:undo`, `a:verify`): always, or their first n attempts. */
  readonly fail?: Readonly<Record<string, true | number>>;
  /** The operator's answers, in order, when a step with `on_failure: ask` fails. */
  readonly onFailure?: readonly FailureChoice[];
  readonly inFlight?: readonly InFlightChoice[];
  /** The journal of an earlier session to resume from. */
  readonly resumeFrom?: readonly JournalRecord[];
}

export interface EngineRun {
  readonly result: RunResult;
  /** Every execution, in order (`a`, `a:verify`, `a:undo`). */
  readonly executed: string[];
  /** The events, one compact JSON line each. */
  readonly events: string[];
  /** The journal: the resumed records first, then this session's. */
  readonly journal: JournalRecord[];
}

class ScriptedExecutor implements StepExecutor {
  readonly executed: string[] = [];
  private readonly attempts = new Map<string, number>();
  constructor(private readonly fail: Readonly<Record<string, true | number>>) {}
  async execute(req: ExecRequest): Promise<ExecResult> {
    const key = req.ref.key;
    this.executed.push(key);
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    const rule = this.fail[key];
    const fails = rule === true || (typeof rule === 'number' && n <= rule);
    return fails ? { status: 'failed', exitCode: 1, reason: 'scripted' } : { status: 'succeeded', exitCode: 0 };
  }
}

/** The line an event is recorded as: its type and what tells it apart, nothing that varies by run. */
export function eventLine(e: EngineEvent): string {
  const { type } = e;
  switch (e.type) {
    case 'step_started':
      return JSON.stringify({ type, key: e.ref.key, attempt: e.attempt });
    case 'step_finished':
      return JSON.stringify({ type, key: e.ref.key, status: e.status, attempts: e.attempts, ...(e.replayed ? { replayed: true } : {}) });
    case 'step_retry':
      return JSON.stringify({ type, key: e.ref.key, attempt: e.attempt, delayMs: e.delayMs });
    case 'branch':
      return JSON.stringify({ type, key: e.ref.key, to: e.to });
    case 'loop_items':
      return JSON.stringify({ type, key: e.ref.key, items: e.items });
    case 'decision':
      return JSON.stringify({ type, key: e.key, decision: e.decision, by: e.by });
    case 'step_output':
      return JSON.stringify({ type, key: e.ref.key, lines: e.lines });
    default:
      return JSON.stringify(e);
  }
}

export async function runEngine(runbook: Runbook, script: Script = {}): Promise<EngineRun> {
  const executor = new ScriptedExecutor(script.fail ?? {});
  const events: string[] = [];
  const journal: JournalRecord[] = [...(script.resumeFrom ?? [])];
  const port: JournalPort = { append: async (r) => void journal.push(r) };
  const answers = [...(script.onFailure ?? [])];
  const inFlight = [...(script.inFlight ?? [])];
  const operator: Operator = {
    user: 'tester',
    chooseOnFailure: async (ref) => answers.shift() ?? fail(`no scripted answer for ${ref.key}'s failure`),
    chooseInFlight: async (ref) => inFlight.shift() ?? fail(`no scripted answer for ${ref.key} in flight`),
    chooseOnOverrun: async () => 'rollback',
  };
  const values: Values & { steps: Map<string, StepValues> } = {
    vars: runbook.vars,
    secrets: {},
    steps: new Map(),
    run: { id: 'r', started: '2026-01-01T00:00:00.000Z' },
    window: {},
    env: {},
    dry: false,
  };
  const engine = new Engine({
    runbook,
    values,
    executor,
    operator,
    clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')),
    journal: port,
    emit: (e) => void events.push(eventLine(e)),
    signal: new AbortController().signal,
    replay: script.resumeFrom ? new Replay(script.resumeFrom) : undefined,
  });
  const result = await engine.run();
  return { result, executed: executor.executed, events, journal };
}

function fail(message: string): never {
  throw new Error(message);
}

/** The keys of the step_finished records, in order. */
export const finishedKeys = (records: readonly JournalRecord[]): string[] => records.flatMap((r) => (r.type === 'step_finished' ? [r.key] : []));
