/**
 * What /proc says about processes on this host: whether a pid is still the process it was (not
 * dead, not a zombie, not reused: same start time) and which processes are in a process group.
 * Shared by the lock's liveness check, the orphan check on resume and the executor (which
 * records each step's process). Where there is no /proc, nothing is known (undefined).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  /** R, S, D, T (stopped), Z (zombie)... */
  readonly state: string;
  readonly pgid: number;
  /** Field 22: when it started, in clock ticks since boot. */
  readonly startTime: number;
}

/** /proc/PID/stat, or undefined when there is no such process (or no /proc). */
export function procStat(pid: number | 'self'): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2, the name, is in parentheses and may hold anything (spaces, ')', newlines): the
  // fields that follow start after its last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, , pgid] = rest; // fields 3, 4 (ppid), 5
  const startTime = Number(rest[22 - 3]);
  if (!state || !Number.isSafeInteger(Number(pgid)) || !Number.isSafeInteger(startTime)) return undefined;
  return { pid: pid === 'self' ? Number(text.slice(0, text.indexOf(' '))) : pid, state, pgid: Number(pgid), startTime };
}

let bootIdCache: string | undefined;

/** This machine's boot id (/proc/sys/kernel/random/boot_id); '' when the system has none. */
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

/** Whether this host has /proc to look at. */
export function haveProc(): boolean {
  return procStat('self') !== undefined;
}

/**
 * Whether `pid` is still the process that started at `startTime` (undefined: any start time).
 * A zombie is dead: it has exited, only its parent has not collected it yet.
 */
export function isSameProcessAlive(pid: number, startTime: number | undefined): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z' && (startTime === undefined || s.startTime === startTime);
}

/**
 * The live processes of group `pgid` that belong to the group started at `startTime`: the
 * leader if it is still that process, else (the leader gone, a pid reused elsewhere) any member
 * that did not start before it. Zombies do not count.
 */
export function liveGroupMembers(pgid: number, startTime: number): number[] {
  const leader = procStat(pgid);
  if (leader && leader.pgid === pgid && leader.startTime !== startTime) return []; // a new group of the same number
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s && s.pgid === pgid && s.state !== 'Z' && s.startTime >= startTime) members.push(s.pid);
  }
  return members;
}
