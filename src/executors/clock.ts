/** The wall clock for real runs (a dry run's virtual clock is src/plan/virtual-clock.ts). */
import type { Clock } from '../engine/ports.js';

import { after, MAX_TIMER_MS } from './deadlines.js';

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
  // On the shared timer of step deadlines: it does not keep the CLI alive (the running step does).
  at: (time, fire) => after(Math.max(0, time - Date.now()), fire),
};
