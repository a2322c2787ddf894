/**
 * One session of a run at the console: wires the engine to the real executor, the operator, the
 * journal, notifications and the renderer, handles signals, and returns the exit code. Shared by
 * exec, resume and rollback.
 */
import { Engine, type RunResult } from '../engine/engine.js';
import type { EngineEvent } from '../engine/events.js';
import type { InFlightChoice, JournalPort, StepExecutor } from '../engine/ports.js';
import type { Replay } from '../engine/replay.js';
import type { StepValues, Values } from '../engine/scope.js';
import { realClock } from '../executors/clock.js';
import { Masker } from '../executors/output.js';
import { RealExecutor } from '../executors/real.js';
import type { SshHosts } from '../executors/ssh-master.js';
import type { Runbook } from '../model/types.js';
import { resolveWindow } from '../model/window.js';
import { detachFromTerminal } from '../render/console/hangup.js';
import { setLogHint } from '../render/console/out.js';
import { type ConsoleFormat, chooseRenderer } from '../render/console/renderer.js';
import type { Verbosity } from '../render/console/verbosity.js';
import type { HeldLock, JournalSink, RunRef, Storage } from '../state/storage.js';
import { createNotifier } from './notifications.js';
import { ConsoleOperator } from './operator.js';
import { StateGuard } from './state-guard.js';
import { resumeHint, runCommandHint } from './store.js';

export interface SessionInput {
  readonly runbook: Runbook;
  readonly store: Storage;
  readonly run: RunRef;
  readonly journal: JournalSink;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly started: string;
  readonly replay?: Replay | undefined;
  readonly pointOfNoReturn?: number | undefined;
  readonly windowEnd?: number | undefined;
  readonly format: ConsoleFormat;
  readonly verbosity?: Verbosity | undefined;
  readonly yes: boolean;
  readonly inFlight?: InFlightChoice | undefined;
  /** Roll back a run that already ended (`runbook rollback RUN`), with this reason. */
  readonly rollbackReason?: string | undefined;
  /** The run's lock: if it stops being ours (a lease lost), the run stops. */
  readonly lock?: HeldLock | undefined;
  /** Lines printed before the first step (run id, takeovers, file changes). */
  readonly preamble?: readonly string[];
  /** The run's hosts (master connections opened by the preflight); closed by the caller. */
  readonly remote?: SshHosts | undefined;
}

/** `--quiet` / `--verbose` (the CLI refuses both at once). */
export function verbosityOf(opts: { readonly quiet?: boolean; readonly verbose?: boolean }): Verbosity {
  return opts.quiet ? 'quiet' : opts.verbose ? 'verbose' : 'normal';
}

export function isInteractiveSession(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

export async function runSession(s: SessionInput): Promise<number> {
  setLogHint(`\`${runCommandHint(s.store, 'log', s.run.runId)}\` has every line`);
  const renderer = await chooseRenderer(s.format, { windowEnd: s.windowEnd, verbosity: s.verbosity });
  for (const line of s.preamble ?? []) renderer.info(line);
  const masker = new Masker(Object.values(s.secrets));
  const defaultFailure = s.runbook.rollback.steps.length > 0 ? 'rollback' : 'abort';
  const operator = new ConsoleOperator({ interactive: isInteractiveSession(), yes: s.yes, inFlight: s.inFlight, renderer, defaultFailure });
  const emit = (e: EngineEvent) => {
    renderer.handle(e);
    notifier.onEvent(e);
  };
  const outputs = await s.store.scratchDir(s.run);

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // A hang-up is the terminal going away (a dropped SSH session): nobody reads the console now.
    if (sig === 'SIGHUP') detachFromTerminal();
    signals++;
    if (signals === 1) {
      renderer.info(`${sig}: stopping the running step (again to stop at once)…`);
      controller.abort(sig);
    } else {
      renderer.info(`${sig} again: stopping now. Resume with: ${resumeHint(s.store, s.run.runId)}`);
      process.exit(130);
    }
  };
  const guard = new StateGuard(s.run.where, (code) => controller.signal.aborted || controller.abort(code));
  s.lock?.onLost?.((reason) => guard.lost(reason));
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of sigs) process.on(sig, onSignal);

  const values: Values & { steps: Map<string, StepValues> } = {
    vars: s.vars,
    secrets: s.secrets,
    steps: new Map(),
    run: { id: s.run.runId, started: s.started },
    window: windowValues(s.runbook),
    env: process.env,
    groups: s.runbook.groups,
    dry: false,
  };
  const notifier = createNotifier({
    runbook: s.runbook,
    store: s.store,
    run: s.run,
    records: s.replay?.records ?? (await s.store.readJournal(s.run)).records,
    journal: s.journal,
    values,
    mask: (t) => masker.mask(t),
    warn: (message) => renderer.handle({ type: 'warning', message }),
    windowEnd: s.windowEnd,
    onJournalError: (err) => guard.fail(err),
  });
  const executor = new RealExecutor({
    secrets: Object.values(s.secrets),
    clock: realClock,
    emit,
    log: (seq, key) => guard.log(s.store.openStepLog(s.run, seq, key)),
    outputPath: (seq) => `${outputs}/${seq}.env`,
    confirm: (req, instruction, question) => operator.confirm(req, instruction, question),
    notify: (message, to) => notifier.send(message, to),
    transportFor: s.remote && ((host, become) => s.remote!.transport(host, become)),
  });
  // The renderer may hold back the lines of replayed steps (src/render/console/plain.ts): they
  // are written before anything else happens, a record journaled or a process started.
  const journal: JournalPort = {
    async append(record, opts) {
      renderer.flush();
      await s.journal.append(record, opts);
      // Queued (journaled) before the engine goes on; sent in the background.
      await notifier.onRecord(record);
    },
  };
  const execute: StepExecutor = {
    execute(request) {
      renderer.flush();
      // Paused between the started record and here for longer than half a lease, this process
      // may already have been taken over: the timer that would notice runs only after the spawn.
      const lost = s.lock?.lostNow?.();
      if (lost) {
        guard.lost(lost);
        return Promise.resolve({ status: 'failed', interrupted: true });
      }
      return executor.execute(request);
    },
  };
  const engine = new Engine({
    runbook: s.runbook,
    values,
    executor: execute,
    operator,
    clock: realClock,
    journal,
    emit,
    signal: controller.signal,
    replay: s.replay,
    pointOfNoReturn: s.pointOfNoReturn,
  });
  emit({ type: 'run_started', runId: s.run.runId, resumed: s.replay !== undefined });
  let result: RunResult;
  try {
    await notifier.start();
    result = s.rollbackReason !== undefined ? await engine.rollbackAfter(s.rollbackReason, operator.user) : await engine.run();
  } catch (err) {
    if (!guard.fail(err)) throw err;
    result = { outcome: 'interrupted', exitCode: 130, message: 'interrupted: resumable' };
  } finally {
    renderer.flush();
    for (const sig of sigs) process.off(sig, onSignal);
    // Deliveries journal their answers: they end before the journal closes.
    await notifier.flush();
    await s.journal.close().catch((err: unknown) => {
      if (!guard.fail(err)) throw err;
    });
  }
  const failure = guard.message();
  if (failure) {
    renderer.info(`runbook: ${failure}`);
    result = { outcome: 'interrupted', exitCode: 130, message: failure };
  }
  if (result.exitCode === 130) renderer.info(`Resume with: ${resumeHint(s.store, s.run.runId)}`);
  else if (result.exitCode !== 0) renderer.info(`Record: ${runCommandHint(s.store, 'report', s.run.runId)}`);
  renderer.close();
  return result.exitCode;
}

/** `${{ window.start }}` and `${{ window.end }}`: ISO 8601 with the window's offset. */
function windowValues(runbook: Runbook): { start?: string; end?: string } {
  const r = runbook.window ? resolveWindow(runbook.window) : undefined;
  if (!r?.ok || !r.times) return {};
  return { start: r.times.start.toISO() ?? undefined, end: r.times.end.toISO() ?? undefined };
}
