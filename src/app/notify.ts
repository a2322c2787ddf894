/**
 * `runbook notify RUN --event NAME`: an event's notice of a run again, by hand, as a new message
 * that refers to the first (References:), journaled like the others. Also the catch-up of a run
 * that finished before its last notices were sent (`runbook resume` on it sends them).
 */
import { dirname } from 'node:path';
import { invalid } from '../errors.js';
import { Masker } from '../executors/output.js';
import { NOTIFY_EVENTS } from '../model/schema.js';
import type { Runbook } from '../model/types.js';
import type { JournalRecord, RunStartedRecord } from '../state/records.js';
import type { JournalSink, RunRef, Storage } from '../state/storage.js';
import { forceUnlockRecord, takeLock } from './lock.js';
import { createNotifier } from './notifications.js';
import { whoAmI } from './operator.js';
import { loadRunCopy } from './run-copy.js';
import { runbookIdOf } from './runs.js';
import { resolveSecrets } from './secrets.js';
import { openStore } from './store.js';

export interface NotifyOptions {
  readonly event: string;
  readonly state?: string | undefined;
  readonly stateDir?: string | undefined;
  readonly forceUnlock?: string | undefined;
}

/** Says each line (warnings, what was sent). */
type Say = (line: string) => void;

export async function notifyCommand(runId: string, opts: NotifyOptions, say: Say): Promise<number> {
  if (!(NOTIFY_EVENTS as readonly string[]).includes(opts.event)) throw invalid(`--event ${opts.event}: not an event (events: ${NOTIFY_EVENTS.join(', ')})`);
  const store = await openStore(opts);
  const run = await store.findRun(runId);
  const notes: string[] = [];
  // The run's lock: its journal is appended to by one process at a time.
  const { lock, forced } = await takeLock(store, runbookIdOf(run.runId), run.runId, opts.forceUnlock, notes);
  try {
    for (const n of notes) say(n);
    const ctx = await openRun(store, run);
    try {
      if (forced) await ctx.journal.append(forceUnlockRecord(forced, whoAmI()));
      let failed = 0;
      const journal = { append: (r: JournalRecord, o?: { sync?: boolean }) => (r.type === 'notify_failed' && failed++, ctx.journal.append(r, o)) };
      const notifier = createNotifier({ ...ctx.setup, journal, warn: (m) => say(`warning: ${m}`) });
      const sent = await notifier.resend(opts.event);
      if (sent < 0) throw invalid(`run ${run.runId} has no ${opts.event} notice to send again (that event did not happen in this run)`);
      if (sent === 0) throw invalid(`no channel receives ${opts.event} (notify.events.${opts.event} is empty)`);
      await notifier.flush();
      if (failed > 0) return 5;
      say(`sent the ${opts.event} notice of run ${run.runId} again to ${sent} channel${sent === 1 ? '' : 's'}`);
      return 0;
    } finally {
      await ctx.journal.close();
    }
  } finally {
    await lock.release();
  }
}

/**
 * A run that has finished, with notices never sent (the CLI died between the record and the
 * queueing) or never answered: sends them. The caller holds the lock. Returns how many it sent.
 */
export async function sendUnsent(store: Storage, run: RunRef, journal: JournalSink, records: readonly JournalRecord[], runbook: Runbook, secrets: Record<string, string>, say: Say): Promise<number> {
  const first = records[0] as RunStartedRecord;
  const setup = setupOf(store, run, journal, records, runbook, secrets, first);
  let queued = 0;
  const counting = { append: (r: JournalRecord, o?: { sync?: boolean }) => (r.type === 'notify_queued' && queued++, journal.append(r, o)) };
  const notifier = createNotifier({ ...setup, journal: counting, warn: (m) => say(`warning: ${m}`) });
  await notifier.start();
  await notifier.flush();
  return queued + notifier.resent;
}

async function openRun(store: Storage, run: RunRef) {
  const read = await store.readJournal(run, { repair: true });
  const first = read.records[0];
  if (first?.type !== 'run_started') throw invalid(`run ${run.runId} has no journal records: it never started`);
  const loaded = loadRunCopy(await store.readRunbookCopy(run), run.where, first);
  if (!loaded.runbook) throw invalid(`the runbook copy of run ${run.runId} no longer loads: ${loaded.problems[0]?.message ?? 'invalid'}`);
  const secrets = resolveSecrets(loaded.runbook, dirname(first.file));
  const journal = await store.openJournal(run);
  return { journal, setup: setupOf(store, run, journal, read.records, loaded.runbook, secrets, first) };
}

function setupOf(store: Storage, run: RunRef, journal: JournalSink, records: readonly JournalRecord[], runbook: Runbook, secrets: Record<string, string>, first: RunStartedRecord) {
  const masker = new Masker(Object.values(secrets));
  return {
    runbook,
    store,
    run,
    records,
    journal,
    values: { vars: first.vars, secrets, steps: new Map(), run: { id: run.runId, started: first.at }, window: {}, env: process.env, dry: false },
    mask: (t: string) => masker.mask(t),
    warn: (_: string) => {},
  };
}
