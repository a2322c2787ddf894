/** The clock of dry runs: time passes only as the dry executor advances it by estimates. */
import type { Clock } from '../engine/ports.js';

interface Timer {
  readonly time: number;
  readonly fire: () => void;
}

export class VirtualClock implements Clock {
  private readonly timers = new Set<Timer>();

  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
  advance(ms: number): void {
    this.time += Math.max(0, ms);
    for (const timer of [...this.timers].sort((a, b) => a.time - b.time)) {
      if (timer.time > this.time) break;
      this.timers.delete(timer);
      timer.fire();
    }
  }
  /** Fires as the time advances past `time`, so a dry run sees what happens during a step. */
  at(time: number, fire: () => void): () => void {
    const timer = { time, fire };
    if (time <= this.time) fire();
    else this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }
}
