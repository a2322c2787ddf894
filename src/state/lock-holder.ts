/**
 * Who holds a runbook's lock, and whether they still can: the lock file's contents, and the
 * liveness check (same host: is the pid alive in this boot; another host: assume alive).
 */
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';

export interface LockInfo {
  readonly host: string;
  readonly user: string;
  readonly pid: number;
  /** /proc/sys/kernel/random/boot_id of the holder's boot ('' where there is none). */
  readonly bootId: string;
  readonly started: string;
  readonly runId: string;
}

let bootIdCache: string | undefined;

/** This machine's boot id; '' when the system does not have one. */
export function currentBootId(): string {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootIdCache = '';
    }
  }
  return bootIdCache;
}

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || 'unknown';
  }
}

export function myLockInfo(runId: string): LockInfo {
  return { host: hostname(), user: currentUser(), pid: process.pid, bootId: currentBootId(), started: new Date().toISOString(), runId };
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
  return v as LockInfo;
}

/**
 * Whether the holder may still be running. Same host: its boot id is this boot's and its pid
 * exists (a reused pid counts as alive: refusing is the safe mistake). Another host: its
 * processes cannot be seen from here, so yes.
 */
export function isHolderAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true;
  const boot = currentBootId();
  if (info.bootId && boot && info.bootId !== boot) return false;
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder in words, for refusals and takeovers. */
export function describeHolder(info: LockInfo): string {
  return `run ${info.runId}, pid ${info.pid} of ${info.user} on ${info.host}, started ${info.started}`;
}
