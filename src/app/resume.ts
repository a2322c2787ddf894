/**
 * `runbook resume` and `runbook rollback RUN`: replay the journal through the engine with the
 * copy of the runbook the run started with. Finished steps never run again; the step that was in
 * flight is settled by idempotent / reboots / verify, the operator, or the flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { resumesByItself } from '../engine/engine.js';
import { Replay } from '../engine/replay.js';
import { invalid, refused } from '../errors.js';
import type { SshHosts } from '../executors/ssh-master.js';
import { sha256 } from '../load/hash.js';
import { loadRunbookText } from '../load/load.js';
import { allSteps } from '../model/normalize.js';
import type { Runbook, Step } from '../model/types.js';
import type { LockInfo } from '../state/lock-holder.js';
import { currentBootId } from '../state/processes.js';
import type { RunStartedRecord } from '../state/records.js';
import type { HeldLock, JournalSink, RunRef, Storage } from '../state/storage.js';
import { summarize } from '../state/summary.js';
import { forceUnlockRecord, takeLock } from './lock.js';
import { sendUnsent } from './notify.js';
import { whoAmI } from './operator.js';
import { settleOrphans } from './orphans.js';
import { openHosts, preflight, withRecordedHosts } from './preflight.js';
import { loadRunCopy } from './run-copy.js';
import { pickRunToResume, runbookIdOf } from './runs.js';
import { resolveSecrets } from './secrets.js';
import { isInteractiveSession, runSession, verbosityOf } from './session.js';
import { openStore } from './store.js';
import { windowGate } from './window-gate.js';

export interface ResumeOptions {
  readonly rerunInFlight?: boolean;
  readonly skipInFlight?: boolean;
  readonly failInFlight?: boolean;
  readonly yes?: boolean;
  readonly ignoreWindow?: boolean;
  readonly stateDir?: string;
  readonly state?: string;
  readonly format?: string;
  readonly forceUnlock?: string;
  readonly killOrphans?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

interface Prepared {
  readonly run: RunRef;
  readonly runbook: Runbook;
  readonly started: RunStartedRecord;
  readonly replay: Replay;
  readonly preamble: string[];
  readonly journal: JournalSink;
  readonly secrets: Record<string, string>;
  readonly lock: HeldLock;
  readonly forced?: LockInfo | undefined;
}

async function prepare(store: Storage, run: RunRef, opts: ResumeOptions, replayOnly: boolean): Promise<Prepared> {
  const preamble: string[] = [];
  // The lock first: the journal is repaired (and appended to) only by the run's one holder.
  const { lock, forced } = await takeLock(store, runbookIdOf(run.runId), run.runId, opts.forceUnlock, preamble);
  try {
    const read = await store.readJournal(run, { repair: true });
    const first = read.records[0];
    if (first?.type !== 'run_started') throw invalid(`run ${run.runId} has no journal records: it never started; run \`runbook exec\` again`);
    const copy = await store.readRunbookCopy(run);
    const copyHash = sha256(copy);
    // Relative paths (ssh config, known_hosts) as the original resolved them; hosts and groups as the run recorded them.
    const loaded = loadRunCopy(copy, run.where, first);
    if (!loaded.runbook) throw invalid(`the runbook copy of run ${run.runId} no longer loads: ${loaded.problems[0]?.message ?? 'invalid'}`);
    const runbook = withRecordedHosts(loaded.runbook, first);
    if (read.repaired) preamble.push(`the journal's last record was torn (${read.repaired.droppedBytes} bytes): repaired; the damaged file is kept as ${read.repaired.backup}`);
    const changed = describeFileChange(first.file, copyHash, runbook);
    if (changed) preamble.push(changed);
    const secrets = resolveSecrets(runbook, dirname(first.file));
    const journal = await store.openJournal(run);
    return { run, runbook, started: first, replay: new Replay(read.records, replayOnly, { host: hostname(), bootId: currentBootId() }), preamble, journal, secrets, lock, forced };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** What changed in the runbook file since the run started, in one line (or nothing). */
function describeFileChange(file: string, hash: string, copy: Runbook): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  if (sha256(text) === hash) return undefined;
  const now = loadRunbookText(text, file);
  const ids = (r: Runbook | undefined) => new Map<string, string>([...(r ? allSteps(r) : [])].map((s: Step) => [s.id, JSON.stringify({ ...s, path: undefined })]));
  const before = ids(copy);
  const after = ids(now.runbook);
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const edited = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
  const parts = [added.length && `added ${added.join(', ')}`, removed.length && `removed ${removed.join(', ')}`, edited.length && `changed ${edited.join(', ')}`].filter(Boolean);
  return `${file} changed since this run started (${parts.join('; ') || (now.runbook ? 'details outside the steps' : 'it no longer validates')}): continuing with the copy the run started with`;
}

export async function resumeCommand(arg: string | undefined, opts: ResumeOptions): Promise<number> {
  const flags = [opts.rerunInFlight && '--rerun-in-flight', opts.skipInFlight && '--skip-in-flight', opts.failInFlight && '--fail-in-flight'].filter(Boolean);
  if (flags.length > 1) throw invalid(`${flags.join(' and ')} exclude each other`);
  const store = await openStore(opts);
  const run = await pickRunToResume(store, arg);
  const p = await prepare(store, run, opts, false);
  const remote = openHosts(p.runbook);
  try {
    // We hold the lock: the run is ours, not running elsewhere.
    const summary = summarize(p.replay.records);
    if (summary.state !== 'interrupted' && summary.state !== 'running') {
      // The CLI may have died after the run's last record and before its notices were sent.
      const sent = await sendUnsent(store, run, p.journal, p.replay.records, p.runbook, p.secrets, (line) => process.stderr.write(`${line}\n`));
      await p.journal.close();
      if (sent > 0) {
        process.stderr.write(`run ${run.runId} had already finished (${summary.state.replace('_', ' ')}): sent the ${sent} notification${sent === 1 ? '' : 's'} it had not sent\n`);
        return 0;
      }
      throw invalid(`run ${run.runId} already finished (${summary.state.replace('_', ' ')}): nothing to resume`);
    }
    // A finished run (above) needs no host; a resumed one checks them all first.
    if (remote) await preflight(remote, p.runbook);
    if (remote)
      await askHostBoots(
        remote,
        p.replay,
        summary.inFlightAll.map((s) => s.seq),
      );
    // A step still running from before (its CLI died with its watchdog) is settled first.
    await settleOrphans(p.replay.records, summary, { killOrphans: opts.killOrphans, interactive: isInteractiveSession(), remote }, (line) => process.stderr.write(`${line}\n`));
    const inFlight = opts.rerunInFlight ? 'rerun' : opts.skipInFlight ? 'done' : opts.failInFlight ? 'failed' : undefined;
    const step = summary.inFlight && [...allSteps(p.runbook)].find((s) => s.id === summary.inFlight!.stepId);
    const restarted = step?.reboots && p.replay.restartedSince(summary.inFlight!.seq);
    if (step && !step.idempotent && !restarted && !step.verify && !resumesByItself(step) && !inFlight && !isInteractiveSession()) {
      const why = step.reboots ? 'reboots the machine, but the machine has not restarted since (same boot id)' : 'is not idempotent';
      throw refused(
        `step ${summary.inFlight!.key} was running when the run stopped and ${why}: did it take effect? Resume with --rerun-in-flight, --skip-in-flight or --fail-in-flight, or at a terminal to decide`,
      );
    }
    const gate = p.replay.rollbackStarted ? {} : windowGate(p.runbook, Date.now(), { ignoreWindow: opts.ignoreWindow });
    await p.journal.append({
      type: 'run_resumed',
      at: new Date().toISOString(),
      by: whoAmI(),
      host: hostname(),
      bootId: currentBootId(),
      pid: process.pid,
      fileChanged: p.preamble.some((l) => l.includes('changed since')) || undefined,
      windowIgnored: 'ignored' in gate ? gate.ignored : undefined,
    });
    if (p.forced) await p.journal.append(forceUnlockRecord(p.forced, whoAmI()));
    return await runSession({
      ...sessionOf(p, store, opts),
      pointOfNoReturn: 'pointOfNoReturn' in gate ? gate.pointOfNoReturn : undefined,
      windowEnd: 'end' in gate ? gate.end : undefined,
      inFlight,
      preamble: [`resuming run ${run.runId} by ${whoAmI()}`, ...p.preamble],
      remote,
    });
  } finally {
    await remote?.close();
    await p.lock.release();
  }
}

/** The boot id of each host a step was in flight on (a `reboots` step there is done once it changed); unknown if the host does not say. */
async function askHostBoots(remote: SshHosts, replay: Replay, seqs: readonly number[]): Promise<void> {
  for (const name of replay.remoteHostsOf(seqs)) {
    if (!remote.has(name)) continue;
    const r = await remote.run(name, ['cat', '/proc/sys/kernel/random/boot_id'], false);
    const bootId = r.exit.code === 0 ? r.stdout.trim() : '';
    if (bootId) replay.setHostBoot(name, bootId);
  }
}

/** What a resumed session and a later rollback share: the run as the journal left it. */
function sessionOf(p: Prepared, store: Storage, opts: ResumeOptions) {
  const { runbook, run, journal, secrets, replay, started, lock } = p;
  return {
    runbook,
    store,
    run,
    journal,
    secrets,
    replay,
    lock,
    vars: started.vars,
    started: started.at,
    format: opts.format === 'json' ? ('json' as const) : ('text' as const),
    verbosity: verbosityOf(opts),
    yes: Boolean(opts.yes),
  };
}

export async function rollbackCommand(runId: string, opts: ResumeOptions): Promise<number> {
  const store = await openStore(opts);
  const run = await store.findRun(runId);
  const summary = summarize((await store.readJournal(run)).records);
  if (summary.state === 'rolled_back') throw invalid(`run ${run.runId} was already rolled back`);
  if (summary.state === 'escalated') throw invalid(`the rollback of run ${run.runId} already ran and escalated: recover by hand (see \`runbook report ${run.runId}\`)`);
  if (summary.state === 'running') throw refused(`run ${run.runId} is still running: stop it first (Ctrl-C), then roll it back`);
  const p = await prepare(store, run, opts, true);
  const remote = openHosts(p.runbook);
  try {
    if (remote) await preflight(remote, p.runbook);
    return await runSession({
      ...sessionOf(p, store, opts),
      rollbackReason: `rollback requested after the run (${summary.state.replace('_', ' ')})`,
      preamble: [`rolling back run ${run.runId} by ${whoAmI()}`, ...p.preamble],
      remote,
    });
  } finally {
    await remote?.close();
    await p.lock.release();
  }
}
