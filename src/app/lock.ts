/** Taking the runbook's lock for a session, with --force-unlock for a holder that cannot be checked. */
import { invalid } from '../errors.js';
import { describeHolder, type LockInfo } from '../state/lock-holder.js';
import type { DecisionRecord } from '../state/records.js';
import type { HeldLock, Storage } from '../state/storage.js';

export interface TakenLock {
  readonly lock: HeldLock;
  /** The lock --force-unlock removed: the session journals it (`forceUnlockRecord`). */
  readonly forced?: LockInfo | undefined;
}

export async function takeLock(store: Storage, runbookId: string, runId: string, force: string | undefined, notes: string[]): Promise<TakenLock> {
  let forced: LockInfo | undefined;
  if (force !== undefined) {
    if (force !== runbookId) throw invalid(`--force-unlock takes the runbook id to unlock (${runbookId}), not "${force}"`);
    forced = await store.forceUnlock(runbookId);
    if (forced) notes.push(`removed the lock of run ${forced.runId} (pid ${forced.pid} on ${forced.host}, user ${forced.user}, since ${forced.started})`);
  }
  const lock = await store.acquireLock(runbookId, runId);
  const old = lock.tookOver;
  if (old?.lease) notes.push(`took over the lapsed lease of ${describeHolder(old)}`);
  else if (old) notes.push(`took over a stale lock of run ${old.runId} (pid ${old.pid} on ${old.host} is gone)`);
  return { lock, forced };
}

/** The journal's record of a --force-unlock: who removed whose lock. */
export function forceUnlockRecord(forced: LockInfo, by: string): DecisionRecord {
  return { type: 'decision', at: new Date().toISOString(), key: 'lock', decision: 'force-unlock', by, note: `removed the lock of ${describeHolder(forced)}` };
}
