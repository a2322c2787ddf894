/**
 * A 10,000-step runbook (the one bench/run.mjs times) is loaded, validated and planned in time
 * linear in its size. The bound is loose (CI machines vary): it catches a step-by-step cost going
 * quadratic, not noise. The benchmark itself is `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { loadRunbookText } from '../src/load/load.js';
import { buildPlan } from '../src/plan/plan.js';
import { renderPlanText } from '../src/render/plan-text.js';
import { validate } from '../src/validate/validate.js';

const big = (n: number) =>
  `version: 1\nid: big\ntitle: bench big\nvars: { host: web1 }\nsteps:\n${Array.from({ length: n }, (_, i) => `  - { id: s${i}, run: "echo step ${i} on \${{ vars.host }}", estimate: 1s }\n`).join('')}`;

/** Milliseconds to load, validate and plan a runbook of n steps (the best of two tries). */
async function timed(n: number): Promise<number> {
  const text = big(n);
  let best = Infinity;
  for (let k = 0; k < 2; k++) {
    const t0 = performance.now();
    const loaded = loadRunbookText(text, 'big.yaml');
    expect(validate(loaded)).toEqual([]);
    const plan = await buildPlan({ runbook: loaded.runbook!, vars: loaded.runbook!.vars, fail: [], now: Date.UTC(2030, 0, 1), localZone: 'UTC' });
    expect(plan.entries).toHaveLength(n);
    expect(renderPlanText(plan)).toContain(`s${n - 1} [run]`);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe('a 10,000-step runbook', () => {
  it('loads, validates and plans in time linear in its size', async () => {
    const small = await timed(2_000);
    const large = await timed(10_000);
    // Linear: 5x the steps, about 5x the time. Quadratic would be 25x.
    expect(large / small).toBeLessThan(12);
    expect(large).toBeLessThan(5_000);
  }, 60_000);
});
