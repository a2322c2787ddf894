/**
 * Who holds a runbook's lock, and whether they still can: the lock file's contents, and the
 * liveness check (same host: is the pid alive in this boot; another host: assume alive).
 */
import { hostname, userInfo } from 'node:os';
import { currentBootId, isSameProcessAlive, procStat } from './processes.js';

export interface LockInfo {
  readonly host: string;
  readonly user: string;
  readonly pid: number;
  /** /proc/sys/kernel/random/boot_id of the holder's boot ('' where there is none). */
  readonly bootId: string;
  readonly started: string;
  readonly runId: string;
  /** The holder's process start time (/proc/PID/stat field 22), to tell a reused pid; absent without /proc. */
  readonly startTime?: number | undefined;
  /** A lease's (database state): whether it is live on the database's clock, and when its holder last renewed it. */
  readonly lease?: { readonly live: boolean; readonly lastSeen: string } | undefined;
}

export { currentBootId };

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || 'unknown';
  }
}

export function myLockInfo(runId: string): LockInfo {
  return { host: hostname(), user: currentUser(), pid: process.pid, bootId: currentBootId(), started: new Date().toISOString(), runId, startTime: procStat('self')?.startTime };
}

/** The lock file's text as LockInfo, or undefined when it is not one. */
export function parseLockInfo(raw: string): LockInfo | undefined {
  let v: Partial<Record<keyof LockInfo, unknown>>;
  try {
    v = JSON.parse(raw) as typeof v;
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const strings = [v.host, v.user, v.bootId, v.started, v.runId].every((s) => typeof s === 'string');
  if (!strings || typeof v.pid !== 'number' || !Number.isSafeInteger(v.pid) || v.pid <= 0) return undefined;
  if (v.startTime !== undefined && !Number.isSafeInteger(v.startTime)) return undefined;
  return v as LockInfo;
}

/**
 * Whether the holder may still be running. Same host: its boot id is this boot's and its pid is
 * still its process: a dead pid, a zombie (exited, not yet collected by its parent) and a reused
 * pid (another start time) are dead. Without /proc, a pid that exists counts as alive (refusing
 * is the safe mistake). Another host: its processes cannot be seen from here, so yes.
 */
export function isHolderAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true;
  const boot = currentBootId();
  if (info.bootId && boot && info.bootId !== boot) return false;
  if (procStat('self')) return isSameProcessAlive(info.pid, info.startTime);
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder in words, for refusals and takeovers. */
export function describeHolder(info: LockInfo): string {
  const seen = info.lease ? `, last seen ${info.lease.lastSeen}` : '';
  return `run ${info.runId}, pid ${info.pid} of ${info.user} on ${info.host}, started ${info.started}${seen}`;
}
