/**
 * One run per runbook id per state directory: `<root>/locks/<runbookId>.lock`, a JSON LockInfo.
 *
 * Creating: the contents are written and fsynced in a private temporary file, then link(2)ed to
 * the lock's name, which fails if it exists: readers never see a half-written lock.
 * Taking over a stale lock (holder dead, or its machine rebooted): of the processes that read
 * the same stale lock, exactly one may replace it. The claim is a file named after the stale
 * lock's contents, created like a lock (link(2), so it is never seen half written); its owner
 * checks that the lock still holds those contents and rename(2)s its own lock over it, so the
 * name is never free for someone else in between. A claim left by a taker that died is passed over.
 * Nobody replaces a lock it did not read, so a fresh lock is never swept away by a late taker.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { invalid, refused } from '../errors.js';
import { fsyncDir, mkdirPrivate, sleepSync, writeNewFile } from './durable.js';
import { describeHolder, isHolderAlive, type LockInfo, myLockInfo, parseLockInfo } from './lock-holder.js';
import { locksDir } from './paths.js';

export { isHolderAlive, type LockInfo } from './lock-holder.js';

export interface Lock {
  /** The stale lock this one replaced (its holder had died), for the CLI to say so. */
  readonly tookOver?: LockInfo | undefined;
  /** Remove the lock if it is still ours; safe to call twice. */
  release(): void;
}

const RUNBOOK_ID = /^[a-z0-9][a-z0-9_-]*$/;
const CONTENDED_MS = 3000;

function lockPath(root: string, runbookId: string): string {
  if (!RUNBOOK_ID.test(runbookId)) throw invalid(`not a runbook id: ${JSON.stringify(runbookId)}`);
  return join(locksDir(root), `${runbookId}.lock`);
}

function readRaw(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Take the lock of `runbookId` for `runId`, taking over a stale one; RunbookError (exit 5) if it is held. */
export function acquireLock(root: string, runbookId: string, runId: string): Lock {
  const path = lockPath(root, runbookId);
  mkdirPrivate(root);
  if (mkdirPrivate(locksDir(root))) fsyncDir(root);
  const mine = `${JSON.stringify(myLockInfo(runId))}\n`;
  const deadline = Date.now() + CONTENDED_MS;
  for (;;) {
    if (tryCreate(path, mine)) return held(path, mine, undefined);
    const raw = readRaw(path);
    if (raw === undefined) continue; // released in between: try again
    const info = parseLockInfo(raw);
    if (!info) throw refused(`the lock ${path} is unreadable; if no run of ${runbookId} is going on, remove it with --force-unlock`);
    if (isHolderAlive(info)) {
      const where = info.host === hostname() ? 'still running' : 'on another host: it cannot be checked from here';
      throw refused(`${runbookId} is locked by ${describeHolder(info)} (${where}); wait for it to end, or if you are sure it is gone, use --force-unlock`);
    }
    const claim = claimStale(path, raw, mine);
    if (claim === 'won') return held(path, mine, info);
    if (claim === 'busy') {
      if (Date.now() > deadline)
        throw refused(`the stale lock ${path} (${describeHolder(info)}) is being taken over by another process, or a takeover was cut off; if no run of ${runbookId} is going on, use --force-unlock`);
      sleepSync(2 + Math.random() * 8);
    }
  }
}

/** A private, fsynced file beside the lock holding `contents`, to link or rename into place. */
function writeTmp(path: string, contents: string): string {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeNewFile(tmp, contents);
  return tmp;
}

/** Link a fully written lock to the lock's name: false if a lock exists. */
function tryCreate(path: string, contents: string): boolean {
  const tmp = writeTmp(path, contents);
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkIfThere(tmp);
  }
  fsyncDir(dirname(path));
  return true;
}

/**
 * Replace the stale lock `raw` with ours if this process wins the claim on it. The claim holds
 * its taker's LockInfo: a claim whose taker died (killed mid-takeover) is passed over for the
 * next generation's claim, so a cut-off takeover never blocks the next resume.
 */
function claimStale(path: string, raw: string, mine: string): 'won' | 'gone' | 'busy' {
  const base = `${path}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
  const claimName = (gen: number) => (gen === 0 ? base : `${base}-${gen}`);
  for (let gen = 0; ; gen++) {
    const claim = claimName(gen);
    if (!tryCreate(claim, mine)) {
      const taker = parseLockInfo(readRaw(claim) ?? '');
      if (taker && !isHolderAlive(taker)) continue;
      return 'busy';
    }
    try {
      if (readRaw(path) !== raw) return 'gone';
      const tmp = writeTmp(path, mine);
      try {
        renameSync(tmp, path);
      } catch (err) {
        unlinkIfThere(tmp);
        throw err;
      }
      fsyncDir(dirname(path));
      for (let older = 0; older < gen; older++) unlinkIfThere(claimName(older));
      return 'won';
    } finally {
      unlinkIfThere(claim);
    }
  }
}

function held(path: string, mine: string, tookOver: LockInfo | undefined): Lock {
  let released = false;
  return {
    tookOver,
    release() {
      if (released) return;
      released = true;
      if (readRaw(path) !== mine) return; // forced away, or taken over: not ours to remove
      unlinkIfThere(path);
      fsyncDir(dirname(path));
    },
  };
}

/** The current holder of a runbook's lock, if any (undefined also when the file is unreadable). */
export function readLock(root: string, runbookId: string): LockInfo | undefined {
  const raw = readRaw(lockPath(root, runbookId));
  return raw === undefined ? undefined : parseLockInfo(raw);
}

/** Remove a runbook's lock whoever holds it (and any cut-off takeover claim); returns what it held. */
export function forceUnlock(root: string, runbookId: string): LockInfo | undefined {
  const info = readLock(root, runbookId);
  let names: string[] = [];
  try {
    names = readdirSync(locksDir(root));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const base = `${runbookId}.lock`;
  /** A temporary file of an acquire whose process died before removing it. */
  const deadTmp = (name: string) => {
    if (!name.startsWith(`${base}.`) || !name.endsWith('.tmp')) return false;
    const pid = Number(name.slice(base.length + 1).split('-')[0]);
    return Number.isSafeInteger(pid) && pid > 0 && !isHolderAlive({ ...myLockInfo(''), pid });
  };
  for (const name of names) if (name === base || name.startsWith(`${base}.takeover-`) || deadTmp(name)) unlinkIfThere(join(locksDir(root), name));
  fsyncDir(locksDir(root));
  return info;
}
