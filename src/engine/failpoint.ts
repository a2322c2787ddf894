/**
 * Fault injection for tests: RUNBOOK_FAILPOINT=name:N kills this process with SIGKILL the N-th
 * time the named boundary is reached (N defaults to 1). Names: before-started, after-started,
 * after-spawn, before-finished, after-finished, mid-rollback, mid-record (in the journal writer),
 * and around each notification (src/notify/notifier.ts): notify-before-queued, notify-after-queued,
 * notify-after-accepted (the server took it, the journal does not say so yet), notify-after-sent.
 * slow-fsync makes a started record's fdatasync take 1.5 s longer (failpointHit: the N-th one).
 * `name:N:stop` stops this process (SIGSTOP) there instead, as a pause of the machine would.
 * Unset in normal use: one string comparison per boundary.
 */
const spec = process.env.RUNBOOK_FAILPOINT;
const [target, nth, action] = spec ? spec.split(':') : [];
const limit = Number(nth || 1);
let hits = 0;

export function failpoint(name: string): void {
  if (name !== target) return;
  if (++hits === limit) process.kill(process.pid, action === 'stop' ? 'SIGSTOP' : 'SIGKILL');
}

/** Counts a hit as failpoint() does, but at the N-th returns true instead of killing this process. */
export function failpointHit(name: string): boolean {
  return name === target && ++hits === limit;
}

export function failpointArmed(name: string): boolean {
  return name === target && hits + 1 === limit;
}
