/**
 * The engine's behaviour without processes: branching, rollback order, loops in batches,
 * retries, bounded backward jumps, and resume from any cut of the journal. The ports are scripted
 * (./helpers/engine.ts); the engine is the real one.
 */
import { describe, expect, it } from 'vitest';
import { finishedKeys, runbookFrom, runEngine } from './helpers/engine.js';

const ofType = (events: string[], type: string) => events.filter((l) => JSON.parse(l).type === type).map((l) => JSON.parse(l));

describe('branching', () => {
  it('on_success jumps to a step id and journals the branch', async () => {
    const r = await runEngine(runbookFrom(`steps:\n  - { id: a, run: x, on_success: c }\n  - { id: b, run: x }\n  - { id: c, run: x }\n`));
    expect(r.executed).toEqual(['a', 'c']);
    expect(ofType(r.events, 'branch')).toEqual([{ type: 'branch', key: 'a', to: 'c' }]);
    expect(r.journal.filter((j) => j.type === 'branch')).toMatchObject([{ key: 'a', to: 'c' }]);
    expect(r.result.exitCode).toBe(0);
  });

  it('on_failure names the step that repairs; on_success: end stops the list', async () => {
    const rb = runbookFrom(`steps:\n  - { id: a, run: x, on_failure: fix }\n  - { id: b, run: x, on_success: end }\n  - { id: fix, run: x }\n`);
    expect((await runEngine(rb, { fail: { a: true } })).executed).toEqual(['a', 'fix']);
    expect((await runEngine(rb)).executed).toEqual(['a', 'b']);
  });

  it('continue goes on to the next step; abort stops without undoing anything (exit 4)', async () => {
    const cont = await runEngine(runbookFrom(`steps:\n  - { id: a, run: x, on_failure: continue }\n  - { id: b, run: x }\n`), { fail: { a: true } });
    expect(cont.executed).toEqual(['a', 'b']);
    expect(cont.result.exitCode).toBe(0);
    const abort = await runEngine(runbookFrom(`steps:\n  - { id: a, run: x, undo: y }\n  - { id: b, run: x, on_failure: abort }\n  - { id: c, run: x }\n`), { fail: { b: true } });
    expect(abort.executed).toEqual(['a', 'b']);
    expect(abort.result).toMatchObject({ outcome: 'aborted', exitCode: 4 });
  });

  it('ask: the operator chooses, and the choice is journaled', async () => {
    const rb = runbookFrom(`steps:\n  - { id: a, run: x, on_failure: ask }\n  - { id: b, run: x }\n`);
    const retried = await runEngine(rb, { fail: { a: 1 }, onFailure: ['retry'] });
    expect(retried.executed).toEqual(['a', 'a', 'b']);
    expect(ofType(retried.events, 'decision')).toEqual([{ type: 'decision', key: 'a', decision: 'retry', by: 'tester' }]);
    expect((await runEngine(rb, { fail: { a: true }, onFailure: ['skip'] })).executed).toEqual(['a', 'b']);
  });
});

describe('rollback', () => {
  const ROLLING = runbookFrom(`
vars: { hosts: [h1, h2, h3] }
steps:
  - { id: a, run: x, undo: y }
  - id: loop
    for_each: \${{ vars.hosts }}
    undo: "enable \${{ item }}"
    steps:
      - { id: d, run: x, undo: y }
      - { id: t, run: x }
  - { id: b, run: x, undo: y }
rollback:
  steps:
    - { id: rb, run: x }
`);

  it('undoes newest first, a loop only for the items it finished, then runs the rollback plan (exit 1)', async () => {
    const r = await runEngine(ROLLING, { fail: { 't[h2]': true } });
    expect(r.executed).toEqual(['a', 'd[h1]', 't[h1]', 'd[h2]', 't[h2]', 'd[h2]:undo', 'loop[h1]:undo', 'd[h1]:undo', 'a:undo', 'rb']);
    expect(r.result).toMatchObject({ outcome: 'rolled_back', exitCode: 1 });
    expect(ofType(r.events, 'rollback_started')).toHaveLength(1);
  });

  it('escalates when an undo fails (exit 3), running nothing after it', async () => {
    const r = await runEngine(ROLLING, { fail: { 't[h2]': true, 'd[h2]:undo': true } });
    expect(r.executed.slice(-1)).toEqual(['d[h2]:undo']);
    expect(r.result).toMatchObject({ outcome: 'escalated', exitCode: 3 });
  });
});

describe('for_each', () => {
  const LOOP = (maxFailures: number) =>
    runbookFrom(`
vars: { hosts: [h1, h2, h3, h4, h5] }
steps:
  - id: loop
    for_each: \${{ vars.hosts }}
    serial: 2
    max_failures: ${maxFailures}
    on_failure: abort
    steps:
      - { id: d, run: x }
  - { id: after, run: x }
`);

  it('runs items two at a time and stops at the batch where failures pass max_failures', async () => {
    const r = await runEngine(LOOP(1), { fail: { 'd[h2]': true, 'd[h4]': true } });
    expect(r.executed).toEqual(['d[h1]', 'd[h2]', 'd[h3]', 'd[h4]']);
    expect(ofType(r.events, 'loop_items')).toEqual([{ type: 'loop_items', key: 'loop', items: ['h1', 'h2', 'h3', 'h4', 'h5'] }]);
    expect(r.result).toMatchObject({ outcome: 'aborted', exitCode: 4 });
  });

  it('goes on when the failures stay within max_failures', async () => {
    const r = await runEngine(LOOP(2), { fail: { 'd[h2]': true, 'd[h4]': true } });
    expect(r.executed).toEqual(['d[h1]', 'd[h2]', 'd[h3]', 'd[h4]', 'd[h5]', 'after']);
    expect(r.result.exitCode).toBe(0);
  });

  it('starts both items of a batch before either finishes', async () => {
    const r = await runEngine(LOOP(0));
    const order = r.events
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'step_started' || e.type === 'step_finished')
      .map((e) => `${e.type === 'step_started' ? '+' : '-'}${e.key}`);
    expect(order.slice(0, 4)).toEqual(['+d[h1]', '+d[h2]', '-d[h1]', '-d[h2]']);
  });
});

describe('retries and jumps', () => {
  it('retries a failing step with its delay, then succeeds or gives up', async () => {
    const rb = runbookFrom(`steps:\n  - { id: a, run: x, retries: 2, retry_delay: 10s, on_failure: abort }\n`);
    const ok = await runEngine(rb, { fail: { a: 2 } });
    expect(ok.executed).toEqual(['a', 'a', 'a']);
    expect(ofType(ok.events, 'step_retry').map((e) => e.attempt)).toEqual([2, 3]);
    expect(ofType(ok.events, 'step_finished')).toEqual([{ type: 'step_finished', key: 'a', status: 'succeeded', attempts: 3 }]);
    const given = await runEngine(rb, { fail: { a: true } });
    expect(given.executed).toHaveLength(3);
    expect(given.result.exitCode).toBe(4);
  });

  it('bounds a backward jump by max_visits', async () => {
    const r = await runEngine(runbookFrom(`steps:\n  - { id: a, run: x, max_visits: 2 }\n  - { id: b, run: x, on_success: a }\n`));
    expect(r.executed).toEqual(['a', 'b', 'a', 'b']);
    expect(r.result).toMatchObject({ outcome: 'aborted', exitCode: 4 });
    expect(r.result.message).toMatch(/max_visits \(2\)/);
  });
});

describe('resume from the journal', () => {
  const RUN = runbookFrom(`
vars: { hosts: [h1, h2, h3, h4] }
steps:
  - { id: a, run: x, undo: y, idempotent: true }
  - id: loop
    for_each: \${{ vars.hosts }}
    serial: 2
    steps:
      - { id: d, run: x, undo: y, idempotent: true }
  - { id: gate, run: x, idempotent: true }
rollback:
  steps:
    - { id: rb, run: x, idempotent: true }
`);

  for (const [name, fail, exit] of [
    ['a run that succeeds', {}, 0],
    ['a run that rolls back', { gate: true }, 1],
    ['a run whose rollback escalates', { gate: true, rb: true }, 3],
  ] as const) {
    it(`reaches the same end from every cut, never running a finished step again: ${name}`, async () => {
      const full = await runEngine(RUN, { fail });
      expect(full.result.exitCode).toBe(exit);
      expect(full.journal.length).toBeGreaterThan(10);
      for (let cut = 1; cut < full.journal.length; cut++) {
        const prefix = full.journal.slice(0, cut);
        const resumed = await runEngine(RUN, { fail, resumeFrom: prefix });
        const before = finishedKeys(prefix);
        for (const key of resumed.executed) expect(before, `cut ${cut}: ${key} ran again`).not.toContain(key);
        // Nothing lost, nothing twice; inside a batch of two the order may differ (an item
        // resumed in flight finishes after its neighbour), never across phases.
        const done = finishedKeys(resumed.journal);
        expect([...done].sort(), `cut ${cut}`).toEqual(finishedKeys(full.journal).sort());
        expect(
          done.findIndex((k) => k.endsWith(':undo')),
          `cut ${cut}`,
        ).toBe(finishedKeys(full.journal).findIndex((k) => k.endsWith(':undo')));
        expect(resumed.result, `cut ${cut}`).toEqual(full.result);
      }
    });
  }

  it('settles a loop item that was in flight by its verify, which may use the item', async () => {
    const rb = runbookFrom(`
vars: { hosts: [h1, h2] }
steps:
  - id: loop
    for_each: \${{ vars.hosts }}
    steps:
      - { id: d, run: "deploy \${{ item }}", verify: "check \${{ item }}" }
`);
    const full = await runEngine(rb);
    const cut = full.journal.findIndex((j) => j.type === 'step_started' && j.key === 'd[h2]') + 1;
    const resumed = await runEngine(rb, { resumeFrom: full.journal.slice(0, cut) });
    expect(resumed.executed).toEqual(['d[h2]:verify']);
    expect(resumed.result.exitCode).toBe(0);
  });
});
