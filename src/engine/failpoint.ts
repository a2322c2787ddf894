/**
 * Fault injection for tests: RUNBOOK_FAILPOINT=name:N kills this process with SIGKILL the N-th
 * time the named boundary is reached (N defaults to 1). Names: before-started, after-started,
 * after-spawn, before-release (a forked step waits for its record to be durable), before-finished,
 * after-finished, mid-rollback, mid-record (in the journal writer). standby-lost kills the
 * launcher's standby shell that has just read its job (failpointHit), not this process;
 * release-late holds a step's go-ahead for half a second (as a slow disk would); slow-fsync
 * makes a started record's fdatasync on the engine's thread take 1.5 s longer.
 * Unset in normal use: one string comparison per boundary.
 */
const spec = process.env.RUNBOOK_FAILPOINT;
const [target, nth] = spec ? spec.split(':') : [];
const limit = Number(nth ?? 1);
let hits = 0;

export function failpoint(name: string): void {
  if (name !== target) return;
  if (++hits === limit) process.kill(process.pid, 'SIGKILL');
}

/** Counts a hit as failpoint() does, but at the N-th returns true instead of killing this process. */
export function failpointHit(name: string): boolean {
  return name === target && ++hits === limit;
}

export function failpointArmed(name: string): boolean {
  return name === target && hits + 1 === limit;
}
