/** The clock of dry runs: time passes only as the dry executor advances it by estimates. */
import type { Clock } from '../engine/ports.js';

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
