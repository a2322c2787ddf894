/** Taking the runbook's lock for a session, with --force-unlock for a holder that cannot be checked. */
import { invalid } from '../errors.js';
import type { HeldLock, Storage } from '../state/storage.js';

export async function takeLock(store: Storage, runbookId: string, runId: string, force: string | undefined, notes: string[]): Promise<HeldLock> {
  if (force !== undefined) {
    if (force !== runbookId) throw invalid(`--force-unlock takes the runbook id to unlock (${runbookId}), not "${force}"`);
    const old = await store.forceUnlock(runbookId);
    if (old) notes.push(`removed the lock of run ${old.runId} (pid ${old.pid} on ${old.host}, user ${old.user}, since ${old.started})`);
  }
  const lock = await store.acquireLock(runbookId, runId);
  if (lock.tookOver) notes.push(`took over a stale lock of run ${lock.tookOver.runId} (pid ${lock.tookOver.pid} on ${lock.tookOver.host} is gone)`);
  return lock;
}
