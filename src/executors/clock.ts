/** The wall clock for real runs; a virtual clock, advanced by estimates, for dry runs. */
import type { Clock } from '../engine/ports.js';

import { MAX_TIMER_MS } from './deadlines.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (ms <= 0 || signal.aborted) return resolve();
      const end = performance.now() + ms;
      let timer = setTimeout(tick, Math.min(ms, MAX_TIMER_MS));
      function tick() {
        const left = end - performance.now();
        if (left > 0) timer = setTimeout(tick, Math.min(left, MAX_TIMER_MS));
        else done();
      }
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export class VirtualClock implements Clock {
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += Math.max(0, ms);
  }
  advance(ms: number): void {
    this.time += Math.max(0, ms);
  }
}
