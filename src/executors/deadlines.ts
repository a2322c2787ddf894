/**
 * Step timeouts, on one timer. Most steps end long before their timeout (10 minutes unless
 * told), and a Node timer of their own, made and cleared at every step, costs more than the
 * rest of what the engine does to start one: one timer, armed for the earliest deadline, serves
 * them all. It does not keep the CLI alive (a running step does).
 */
interface Deadline {
  readonly at: number;
  readonly fire: () => void;
}

/** Node runs a timer of more than this (24.8 days) at once: longer waits take several. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const pending = new Set<Deadline>();
let timer: NodeJS.Timeout | undefined;
let armedFor = Infinity;

/** Calls `fire` in `ms` milliseconds unless the function returned is called first. */
export function after(ms: number, fire: () => void): () => void {
  const deadline = { at: performance.now() + ms, fire };
  pending.add(deadline);
  if (deadline.at < armedFor) arm(deadline.at);
  return () => void pending.delete(deadline);
}

function arm(at: number): void {
  if (timer) clearTimeout(timer);
  armedFor = at;
  // A longer wait looks again after MAX_TIMER_MS.
  timer = setTimeout(fireDue, Math.min(Math.max(0, at - performance.now()), MAX_TIMER_MS)).unref();
}

function fireDue(): void {
  timer = undefined;
  armedFor = Infinity;
  const now = performance.now();
  let next = Infinity;
  for (const deadline of [...pending]) {
    if (deadline.at <= now) {
      pending.delete(deadline);
      deadline.fire();
    } else next = Math.min(next, deadline.at);
  }
  if (next < Infinity && next < armedFor) arm(next);
}
