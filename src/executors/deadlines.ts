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
  // Node runs a delay above 2^31 - 1 ms at once: wait that long, then look again.
  timer = setTimeout(fireDue, Math.min(Math.max(0, at - performance.now()), 2 ** 31 - 1)).unref();
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
