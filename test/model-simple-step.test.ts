/**
 * isSimpleStep (src/model/simple-step.ts) never accepts a step the Step schema rejects, and the
 * loader's schema check with it (parseSchema) agrees with zod: same success, and a runbook that
 * normalises to exactly the same thing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSchema } from '../src/load/load.js';
import { normalizeRunbook } from '../src/model/normalize.js';
import { RunbookSchema, Step } from '../src/model/schema.js';
import { isSimpleStep } from '../src/model/simple-step.js';

const RUNS = Number(process.env.SIMPLE_STEP_RUNS ?? 1000);

const KEYS = [
  'id', 'name', 'description', 'timeout', 'retries', 'retry_delay', 'retry_backoff', 'estimate', 'env', 'cwd', 'shell', 'idempotent', 'reboots',
  'verify', 'undo', 'on_success', 'on_failure', 'max_visits', 'run', 'manual', 'confirm', 'notify', 'to', 'expect', 'wait', 'monitor', 'for_each',
  'steps', 'tiemout', '__proto__', 'toString',
];
const atom = fc.constantFrom<unknown>(
  '', 'a', 'echo hi', '1s', '90s', '1h30m', 'PT1M', 'P', 'nope', 'Abc-1', '-bad', 's_1', 'rollback', 'next', ' ', '2d', '250ms', '1.5s',
  0, 1, -1, 1.5, 3, 10, 11, 100, 101, 1000, 1001, 0.5, -0, NaN, Infinity, 2 ** 53, true, false, null,
);
const value = fc.oneof(
  { weight: 6, arbitrary: atom },
  { weight: 1, arbitrary: fc.array(atom, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('A', 'B_1', '1', 'x y', '__proto__'), atom, { maxKeys: 3 }) },
);
/** Values each field accepts, to make plausible steps (random values make implausible ones). */
const GOOD: Record<string, readonly unknown[]> = {
  id: ['s1', 'Deploy-2', '0_a'], name: ['', 'Name'], description: ['d'], cwd: ['/tmp'], on_success: ['next', 'end', 's2'], on_failure: ['abort', 'x'],
  confirm: ['OK?'], timeout: ['1s', '90s', 'PT1M', 0, 1.5, 3], retry_delay: ['5s', 0], estimate: ['1s', '2m', 10], retries: [0, 1, 100],
  retry_backoff: [1, 1.5, 10], max_visits: [1, 3, 1000], idempotent: [true, false], reboots: [false], env: [{ A: 'x', B: 1, C: true }, {}],
  shell: ['bash -e'], verify: ['test -f x'], undo: ['echo undo'], run: ['echo hi'], manual: ['Do it'], notify: ['Done'],
};
const field = fc.constantFrom(...KEYS).chain((k) => {
  const good = Object.hasOwn(GOOD, k) ? GOOD[k] : undefined;
  return fc.tuple(fc.constant(k), good ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: value }) : value);
});
/** A step: mostly plausible (an id and a kind), with random other fields. */
const step = fc
  .tuple(
    fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>('s1', 'Deploy-2') }, { weight: 1, arbitrary: fc.constantFrom<unknown>('bad id', '', 7) }),
    fc.oneof({ weight: 8, arbitrary: fc.constantFrom('run', 'manual', 'notify') }, { weight: 1, arbitrary: fc.constantFrom('wait', 'none') }),
    fc.oneof({ weight: 8, arbitrary: fc.constant<unknown>('echo hi') }, { weight: 1, arbitrary: fc.constantFrom<unknown>('', 5, null) }),
    fc.array(fc.oneof({ weight: 4, arbitrary: field }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KEYS), value) }), { maxLength: 4 }),
  )
  .map(([id, kind, body, extra]) => {
    const s: Record<string, unknown> = { id };
    if (kind !== 'none') s[kind] = body;
    for (const [k, v] of extra) Object.defineProperty(s, k, { value: v, enumerable: true, writable: true, configurable: true });
    return s;
  });

const runbook = (steps: unknown[]) => ({ version: 1, id: 'r', title: 't', vars: { a: 1 }, steps });

describe('isSimpleStep', () => {
  it('accepts the plain steps of a big runbook', () => {
    expect(isSimpleStep({ id: 's0', run: 'echo step 0 on ${{ vars.host }}', estimate: '1s' })).toBe(true);
    expect(isSimpleStep({ id: 's0', manual: 'Check the site', confirm: 'OK?', env: { A: 'x', B: 1 }, undo: 'echo undo' })).toBe(true);
    expect(isSimpleStep({ id: 's0', run: 'x', confirm: 'OK?' })).toBe(false);
    expect(isSimpleStep({ id: 's0', run: 'x', manual: 'y' })).toBe(false);
    expect(isSimpleStep({ id: 's0', run: 'x', expect: { exit_codes: [0] } })).toBe(false);
  });

  it('never accepts a step the schema rejects', () => {
    let simple = 0;
    fc.assert(
      fc.property(step, (s) => {
        if (!isSimpleStep(s)) return;
        simple++;
        expect(Step.safeParse(s).success, JSON.stringify(s)).toBe(true);
      }),
      { numRuns: RUNS * 5 },
    );
    expect(simple).toBeGreaterThan(RUNS / 2); // not vacuous
  }, Math.max(30_000, RUNS * 5));

  it('gives the loader the same result as zod', () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), (steps) => {
        const input = runbook(steps);
        if (steps.length > 1 && steps.every(isSimpleStep)) fast++;
        const ours = parseSchema(input);
        const zods = RunbookSchema.safeParse(input);
        expect(ours.success).toBe(zods.success);
        if (ours.success && zods.success) expect(JSON.stringify(normalizeRunbook(ours.data))).toBe(JSON.stringify(normalizeRunbook(zods.data)));
      }),
      { numRuns: RUNS },
    );
    expect(fast).toBeGreaterThan(RUNS / 200); // not vacuous (random: it has come out as low as 18 in 1,000)
  }, Math.max(30_000, RUNS * 5));
});
