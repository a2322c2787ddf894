/**
 * `runbook exec FILE`: every refusal is decided before the first step (exit 5: a manual step
 * without a terminal, a missing secret, outside the window, an unfinished run, the lock), then a
 * run directory, the journal's first record, and the session.
 */

import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { refused } from '../errors.js';
import { realClock } from '../executors/clock.js';
import type { SshHosts } from '../executors/ssh-master.js';
import { formatProblem } from '../load/problem.js';
import { resolveVars } from '../load/vars.js';
import { formatDuration } from '../model/duration.js';
import { allSteps } from '../model/normalize.js';
import type { Runbook } from '../model/types.js';
import { currentUser } from '../state/lock-holder.js';
import { currentBootId } from '../state/processes.js';
import type { Storage } from '../state/storage.js';
import { loadChecked } from './load-checked.js';
import { forceUnlockRecord, type TakenLock, takeLock } from './lock.js';
import { whoAmI } from './operator.js';
import { type PlanOptions, planCommand } from './plan.js';
import { hostsRecord, openHosts, preflight } from './preflight.js';
import { findInterrupted } from './runs.js';
import { resolveSecrets } from './secrets.js';
import { isInteractiveSession, runSession, verbosityOf } from './session.js';
import { openStore, resumeHint, runCommandHint } from './store.js';
import { windowGate } from './window-gate.js';

export interface ExecOptions extends PlanOptions {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly ignoreWindow?: boolean;
  readonly waitForWindow?: boolean;
  readonly stateDir?: string;
  readonly state?: string;
  readonly forceUnlock?: string;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

export function manualSteps(runbook: Runbook): string[] {
  return [...allSteps(runbook)].filter((s) => s.kind === 'manual').map((s) => s.id);
}

export async function execCommand(file: string, opts: ExecOptions): Promise<number> {
  if (opts.dryRun) return planCommand(file, opts);
  const loaded = loadChecked(file);
  const { runbook } = loaded;
  const vars = resolveVars(runbook, { var: opts.var ?? [], varsFile: opts.varsFile });
  const manual = manualSteps(runbook);
  if (manual.length > 0 && !opts.yes && !isInteractiveSession()) {
    throw refused(
      `manual step${manual.length > 1 ? 's' : ''} ${manual.join(', ')} need${manual.length > 1 ? '' : 's'} an operator and there is no terminal: run at a terminal, or pass --yes to confirm them`,
    );
  }
  const secrets = resolveSecrets(runbook, dirname(file));
  const gate = windowGate(runbook, Date.now(), opts);
  const store = await openStore(opts);
  const unfinished = await findInterrupted(store, runbook.id);
  if (unfinished)
    throw refused(`run ${unfinished} of ${runbook.id} is unfinished: resume it with \`${resumeHint(store, unfinished)}\`, or roll it back with \`${runCommandHint(store, 'rollback', unfinished)}\``);
  if (gate.waitMs) await waitForWindow(gate.waitMs);
  const remote = openHosts(runbook);
  try {
    if (remote) await preflight(remote, runbook);
    return await startRun(file, opts, loaded, vars, secrets, gate, store, remote);
  } finally {
    await remote?.close();
  }
}

async function startRun(
  file: string,
  opts: ExecOptions,
  loaded: ReturnType<typeof loadChecked>,
  vars: Readonly<Record<string, unknown>>,
  secrets: Record<string, string>,
  gate: ReturnType<typeof windowGate>,
  store: Storage,
  remote: SshHosts | undefined,
): Promise<number> {
  const { runbook } = loaded;
  const run = await store.createRun(runbook.id, loaded.text);
  const preamble = [`run ${run.runId} by ${whoAmI()} (state: ${run.where})`, ...loaded.problems.map(formatProblem)];
  let taken: TakenLock;
  try {
    taken = await takeLock(store, runbook.id, run.runId, opts.forceUnlock, preamble);
  } catch (err) {
    await store.removeRun(run);
    throw err;
  }
  try {
    const journal = await store.createJournal(run);
    const started = new Date().toISOString();
    await journal.append({
      type: 'run_started',
      at: started,
      runId: run.runId,
      runbookId: runbook.id,
      title: runbook.title,
      // Absolute: a resume from another directory finds the file (and what it names: secrets, ssh config) again.
      file: resolve(file),
      hash: loaded.hash,
      host: hostname(),
      bootId: currentBootId(),
      user: currentUser(),
      pid: process.pid,
      vars,
      window: gate.start !== undefined ? { start: new Date(gate.start).toISOString(), end: gate.end !== undefined ? new Date(gate.end).toISOString() : undefined } : undefined,
      windowIgnored: gate.ignored,
      ...hostsRecord(runbook),
    });
    if (taken.forced) await journal.append(forceUnlockRecord(taken.forced, whoAmI()));
    return await runSession({
      runbook,
      store,
      run,
      journal,
      vars,
      secrets,
      started,
      pointOfNoReturn: gate.pointOfNoReturn,
      windowEnd: gate.end,
      format: opts.format === 'json' ? 'json' : 'text',
      verbosity: verbosityOf(opts),
      yes: Boolean(opts.yes),
      preamble,
      remote,
      lock: taken.lock,
    });
  } finally {
    await taken.lock.release();
  }
}

async function waitForWindow(ms: number): Promise<void> {
  const until = Date.now() + ms;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  while (Date.now() < until && !controller.signal.aborted) {
    process.stderr.write(`\rwaiting for the window to open: ${formatDuration(until - Date.now())} `);
    await realClock.sleep(Math.min(1000, until - Date.now()), controller.signal);
  }
  process.off('SIGINT', stop);
  process.stderr.write('\n');
  if (controller.signal.aborted) throw refused('stopped while waiting for the window');
}
