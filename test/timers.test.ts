import { describe, expect, it } from 'vitest';
import { realClock } from '../src/executors/clock.js';
import { after } from '../src/executors/deadlines.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('step timeouts on one timer', () => {
  it('fires each deadline once, in order, whichever was set first; a cancelled one never', async () => {
    const fired: string[] = [];
    const t0 = performance.now();
    const at: Record<string, number> = {};
    const note = (name: string) => () => {
      fired.push(name);
      at[name] = performance.now() - t0;
    };
    after(300, note('late'));
    const cancel = after(100, note('cancelled'));
    after(150, note('middle'));
    after(50, note('early'));
    cancel();
    await sleep(400);
    expect(fired).toEqual(['early', 'middle', 'late']);
    expect(at.early).toBeGreaterThanOrEqual(49);
    expect(at.middle).toBeGreaterThanOrEqual(149);
    expect(at.late).toBeGreaterThanOrEqual(299);
  });

  it('a deadline set after the timer has run out of them is armed anew', async () => {
    let fired = 0;
    after(20, () => fired++);
    await sleep(60);
    after(20, () => fired++);
    await sleep(60);
    expect(fired).toBe(2);
  });
});

describe('waits longer than one Node timer', () => {
  it('a 30-day sleep does not end at once (it ends when aborted)', async () => {
    const aborted = new AbortController();
    const t0 = performance.now();
    setTimeout(() => aborted.abort(), 200);
    await realClock.sleep(30 * 24 * 3600 * 1000, aborted.signal);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });
});

describe('timers longer than Node takes', () => {
  it('a 30-day deadline neither fires nor warns (TimeoutOverflowWarning) now', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    let fired = false;
    const cancel = after(30 * 24 * 3600 * 1000, () => (fired = true));
    await sleep(100);
    cancel();
    process.off('warning', onWarning);
    expect(fired).toBe(false);
    expect(warnings).toEqual([]);
  });
});
