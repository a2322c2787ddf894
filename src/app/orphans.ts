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
import { KILL_GRACE_MS } from '../executors/watchdog.js';
import { currentBootId, liveGroupMembers } from '../state/processes.js';
import type { JournalRecord, StepProcessRecord } from '../state/records.js';
import type { RunSummary } from '../state/summary.js';

export interface OrphanOptions {
  readonly killOrphans?: boolean | undefined;
  readonly interactive: boolean;
}

/** The in-flight steps whose process group is still alive on this host, in this boot. */
export function findOrphans(records: readonly JournalRecord[], summary: RunSummary): StepProcessRecord[] {
  const inFlight = new Set(summary.inFlightAll.map((s) => s.seq));
  const last = new Map<number, StepProcessRecord>(); // a wait or soak starts a process per check
  for (const r of records) if (r.type === 'step_process' && inFlight.has(r.seq)) last.set(r.seq, r);
  return [...last.values()].filter((p) => p.host === hostname() && p.bootId === currentBootId() && p.startTime !== undefined && liveGroupMembers(p.pgid, p.startTime).length > 0);
}

/** Settles each orphan (waited for or stopped) before the resume goes on; `say` prints a line. */
export async function settleOrphans(records: readonly JournalRecord[], summary: RunSummary, opts: OrphanOptions, say: (line: string) => void): Promise<void> {
  for (const p of findOrphans(records, summary)) {
    const what = `step ${p.key} is still running from before the interruption (process group ${p.pgid})`;
    if (!opts.interactive && !opts.killOrphans) throw refused(`${what}: wait for it to end, or resume with --kill-orphans to stop it`);
    let stop = Boolean(opts.killOrphans);
    if (!stop) {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const a = await rl.question(`${what}.\n[w]ait for it to end, or [s]top it? `).finally(() => rl.close());
      stop = a.trim().toLowerCase().startsWith('s');
    }
    say(`${what}: ${stop ? 'stopping it' : 'waiting for it to end'}…`);
    if (stop) await stopGroup(p.pgid, p.startTime!);
    else while (liveGroupMembers(p.pgid, p.startTime!).length > 0) await sleep(500);
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
