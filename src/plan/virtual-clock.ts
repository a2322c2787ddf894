/**
 * The clock of dry runs: time passes only as the dry executor advances it by estimates. Each item
 * of a parallel batch runs on its own lane (the batch's start plus its own steps); the batch ends
 * when its longest lane does. Lanes carry the worst-case time as well, for the plan's worstAtMs.
 * Timers (`at`) fire as the lane that reaches their time advances past it, so a dry run sees
 * what happens during a step (the point of no return passing during a wait).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../engine/ports.js';

interface Lane {
  /** Epoch ms, as expected. */
  time: number;
  /** Ms from the start, at worst. */
  worst: number;
}

interface Timer {
  readonly time: number;
  readonly fire: () => void;
}

export class VirtualClock implements Clock {
  private readonly root: Lane;
  private readonly lanes = new AsyncLocalStorage<Lane>();
  private readonly timers = new Set<Timer>();

  constructor(start: number) {
    this.root = { time: start, worst: 0 };
  }

  private lane(): Lane {
    return this.lanes.getStore() ?? this.root;
  }

  now(): number {
    return this.lane().time;
  }
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
  advance(ms: number): void {
    const lane = this.lane();
    lane.time += Math.max(0, ms);
    for (const timer of [...this.timers].sort((a, b) => a.time - b.time)) {
      if (timer.time > lane.time) break;
      this.timers.delete(timer);
      timer.fire();
    }
  }

  /** Fires as the time advances past `time`. */
  at(time: number, fire: () => void): () => void {
    const timer = { time, fire };
    if (time <= this.now()) fire();
    else this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }

  /** The worst-case time so far on this lane, ms from the start. */
  worstNow(): number {
    return this.lane().worst;
  }
  advanceWorst(ms: number): void {
    this.lane().worst += Math.max(0, ms);
  }

  async parallel<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
    // One task needs no lane of its own (and serial: 1 loops stay off async context tracking).
    if (tasks.length <= 1) return Promise.all(tasks.map((run) => run()));
    const parent = this.lane();
    const lanes = tasks.map(() => ({ time: parent.time, worst: parent.worst }));
    const out = await Promise.all(tasks.map((run, i) => this.lanes.run(lanes[i]!, run)));
    parent.time = Math.max(...lanes.map((l) => l.time));
    parent.worst = Math.max(...lanes.map((l) => l.worst));
    return out;
  }
}
