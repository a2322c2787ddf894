/**
 * Before a resume decides the step that was in flight: is that step's process still running?
 * Its CLI may have died (kill -9, an OOM kill) with the watchdog that would have stopped it (the
 * whole process group killed, a container stopped uncleanly). A step still running must not be
 * started a second time beside itself: at a terminal the operator waits for it or stops it;
 * without one, --kill-orphans stops it, and without that flag the resume is refused.
 */
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { refused } from '../errors.js';
import type { SshHosts } from '../executors/ssh-master.js';
import { KILL_GRACE_MS } from '../executors/watchdog.js';
import { currentBootId, liveGroupMembers } from '../state/processes.js';
import type { JournalRecord, StepProcessRecord } from '../state/records.js';
import type { RunSummary } from '../state/summary.js';

export interface OrphanOptions {
  readonly killOrphans?: boolean | undefined;
  readonly interactive: boolean;
  /** The run's hosts: a remote step is asked about on its host. */
  readonly remote?: SshHosts | undefined;
}

/** Whether a step's group still runs: here from /proc, on a host by asking it (same boot, group not empty). */
interface Checker {
  alive(p: StepProcessRecord): Promise<boolean>;
  stop(p: StepProcessRecord): Promise<void>;
}

const local: Checker = {
  alive: async (p) => p.host === hostname() && p.bootId === currentBootId() && p.startTime !== undefined && liveGroupMembers(p.pgid, p.startTime).length > 0,
  stop: (p) => stopGroup(p.pgid, p.startTime!),
};

// $1: the group, $2: the boot id it ran in, $3: its leader's start time. Live members only (a
// zombie whose parent died may never be reaped), of any user (a step run as root), from /proc:
// no pgrep needed. A group whose leader pid is now another process (a later start time) is not
// ours: the pid was reused after the whole group had gone, so it is neither waited for nor killed.
const LIVE = `g=$1; [ "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)" = "$2" ] || exit 1
if [ -n "$3" ] && { read -r s </proc/$g/stat; } 2>/dev/null; then a=(\${s##*) }); [ "\${a[19]}" = "$3" ] || exit 1; fi
live() { for f in /proc/[0-9]*/stat; do { read -r s <"$f"; } 2>/dev/null || continue; a=(\${s##*) }); [ "\${a[2]}" = "$g" ] && [ "\${a[0]}" != Z ] && return 0; done; return 1; }`;
const ALIVE = `${LIVE}\nlive`;
const STOP = `${LIVE}\nlive || exit 0; kill -s TERM -- "-$g"; kill -s CONT -- "-$g"; for i in $(seq 50); do live || exit 0; sleep 0.1; done; kill -s KILL -- "-$g"; exit 0`;

function remoteChecker(remote: SshHosts): Checker {
  const run = async (p: StepProcessRecord, script: string) => {
    const r = await remote.run(p.host, ['bash', '-c', script, 'runbook-orphan', String(p.pgid), p.bootId, p.startTime === undefined ? '' : String(p.startTime)], Boolean(p.become));
    if (r.exit.error) throw refused(`cannot tell whether step ${p.key} still runs on ${p.host}: ${r.exit.error}`);
    return r.exit.code === 0;
  };
  return {
    alive: (p) => run(p, ALIVE),
    stop: async (p) => void (await run(p, STOP)),
  };
}

/** The in-flight steps whose process group is still alive (here in this boot, or on their host). */
export async function findOrphans(records: readonly JournalRecord[], summary: RunSummary, remote?: SshHosts): Promise<{ p: StepProcessRecord; on: Checker }[]> {
  const inFlight = new Set(summary.inFlightAll.map((s) => s.seq));
  const last = new Map<number, StepProcessRecord>(); // a wait or soak starts a process per check
  for (const r of records) if (r.type === 'step_process' && inFlight.has(r.seq)) last.set(r.seq, r);
  const found: { p: StepProcessRecord; on: Checker }[] = [];
  const away = remote && remoteChecker(remote);
  for (const p of last.values()) {
    const on = p.remote ? (away && remote.has(p.host) ? away : undefined) : local;
    if (on && (await on.alive(p))) found.push({ p, on });
  }
  return found;
}

/** Settles each orphan (waited for or stopped) before the resume goes on; `say` prints a line. */
export async function settleOrphans(records: readonly JournalRecord[], summary: RunSummary, opts: OrphanOptions, say: (line: string) => void): Promise<void> {
  for (const { p, on } of await findOrphans(records, summary, opts.remote)) {
    const what = `step ${p.key} is still running from before the interruption (process group ${p.pgid}${p.remote ? ` on ${p.host}` : ''})`;
    if (!opts.interactive && !opts.killOrphans) throw refused(`${what}: wait for it to end, or resume with --kill-orphans to stop it`);
    let stop = Boolean(opts.killOrphans);
    if (!stop) {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const a = await rl.question(`${what}.\n[w]ait for it to end, or [s]top it? `).finally(() => rl.close());
      stop = a.trim().toLowerCase().startsWith('s');
    }
    say(`${what}: ${stop ? 'stopping it' : 'waiting for it to end'}…`);
    if (stop) await on.stop(p);
    else while (await on.alive(p)) await sleep(500);
  }
}

/** SIGTERM (and SIGCONT, if it is stopped), SIGKILL after the grace period; returns when it is gone. */
async function stopGroup(pgid: number, startTime: number): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* gone */
    }
  };
  send('SIGTERM');
  send('SIGCONT');
  for (const end = Date.now() + KILL_GRACE_MS; liveGroupMembers(pgid, startTime).length > 0; await sleep(100)) {
    if (Date.now() >= end) send('SIGKILL');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
