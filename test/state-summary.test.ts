/** summarize: a run's state, counts and in-flight step from its records alone. */
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../src/state/records.js';
import { SummaryFold, summarize, withHolder } from '../src/state/summary.js';

const at = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
const started: JournalRecord = {
  type: 'run_started',
  at: at(0),
  runId: 'web-20250101-000000-abcd',
  runbookId: 'web',
  title: 'Web deploy',
  file: '/rb/web.yaml',
  hash: 'h',
  host: 'h1',
  user: 'alice',
  pid: 42,
  vars: {},
};
const begin = (seq: number, key: string, attempt = 1, visit = 1): JournalRecord => ({
  type: 'step_started',
  at: at(seq),
  seq,
  key,
  visit,
  stepId: key.split('[')[0]!,
  kind: 'run',
  phase: 'change',
  attempt,
});
const end = (seq: number, key: string, status: 'succeeded' | 'failed' | 'skipped' = 'succeeded', visit = 1): JournalRecord => ({
  type: 'step_finished',
  at: at(seq),
  seq,
  key,
  visit,
  status,
  attempts: 1,
  durationMs: 5,
});
const finish = (outcome: 'succeeded' | 'rolled_back' | 'escalated' | 'aborted', exitCode: number, n = 99): JournalRecord => ({
  type: 'run_finished',
  at: at(n),
  outcome,
  exitCode,
  message: `it ${outcome}`,
});

describe('summarize', () => {
  it('takes who, what and where from run_started', () => {
    const s = summarize([started]);
    expect(s).toMatchObject({
      runId: 'web-20250101-000000-abcd',
      runbookId: 'web',
      title: 'Web deploy',
      file: '/rb/web.yaml',
      started: at(0),
      host: 'h1',
      user: 'alice',
      lastRecordAt: at(0),
      done: 0,
      failed: 0,
    });
  });

  it('gives the outcome of run_finished', () => {
    for (const [outcome, code] of [
      ['succeeded', 0],
      ['rolled_back', 1],
      ['escalated', 3],
      ['aborted', 4],
    ] as const) {
      const s = summarize([started, begin(1, 'a'), end(2, 'a'), finish(outcome, code)], { holderAlive: true });
      expect(s).toMatchObject({ state: outcome, exitCode: code, finished: at(99), message: `it ${outcome}`, inFlight: undefined });
    }
  });

  it('is running while the lock holder lives, else interrupted; a run_interrupted is interrupted either way', () => {
    const records = [started, begin(1, 'a'), end(2, 'a'), begin(3, 'b')];
    expect(summarize(records, { holderAlive: true }).state).toBe('running');
    expect(summarize(records, { holderAlive: false }).state).toBe('interrupted');
    expect(summarize(records).state).toBe('interrupted');
    const signalled = [...records, { type: 'run_interrupted', at: at(4), signal: 'SIGINT', seq: 3 } as JournalRecord];
    expect(summarize(signalled, { holderAlive: true }).state).toBe('interrupted');
    const resumed = [...signalled, { type: 'run_resumed', at: at(5), by: 'bob', host: 'h1', pid: 43 } as JournalRecord];
    expect(summarize(resumed, { holderAlive: true })).toMatchObject({ state: 'running', resumes: 1, lastRecordAt: at(5) });
  });

  it('is active again when a finished run is rolled back later', () => {
    const records = [started, begin(1, 'a'), end(2, 'a'), finish('succeeded', 0, 3), { type: 'rollback_started', at: at(4), reason: 'sev-1', by: 'bob' } as JournalRecord];
    expect(summarize(records).state).toBe('interrupted');
    expect(summarize([...records, finish('rolled_back', 1, 9)]).state).toBe('rolled_back');
  });

  it('finds the in-flight step by key and visit: retries, loops and resumed re-runs', () => {
    const records = [
      started,
      begin(1, 'backup'),
      end(1, 'backup'),
      begin(2, 'deploy'), // the loop
      begin(3, 'deploy[web1]'),
      end(3, 'deploy[web1]'),
      begin(4, 'deploy[web2]', 1),
      begin(5, 'deploy[web2]', 2), // retried: only the last attempt finishes
    ];
    const s = summarize(records);
    expect(s.inFlight).toEqual({ seq: 5, key: 'deploy[web2]', stepId: 'deploy', attempt: 2, at: at(5) });
    expect(s.inFlightAll.map((f) => f.key)).toEqual(['deploy', 'deploy[web2]']);
    expect(s).toMatchObject({ done: 2, failed: 0 });
    // Re-run on resume under a new seq, then finished under it: nothing in flight any more.
    const after = summarize([...records, begin(6, 'deploy[web2]', 1), end(6, 'deploy[web2]', 'failed'), end(7, 'deploy', 'failed')]);
    expect(after.inFlight).toBeUndefined();
    expect(after).toMatchObject({ done: 2, failed: 2 });
  });

  it('counts each step execution once, skipped as done, a second visit separately', () => {
    const s = summarize([started, begin(1, 'a'), end(1, 'a', 'skipped'), begin(2, 'b'), end(2, 'b', 'failed'), begin(3, 'a', 1, 2), end(3, 'a', 'succeeded', 2)]);
    expect(s).toMatchObject({ done: 2, failed: 1, records: 7 });
  });

  it('folds record by record as summarize does, and a record taken back out leaves no trace', () => {
    const records = [
      started,
      begin(1, 'a'),
      end(1, 'a', 'failed'), // then retried on the same visit: done, not failed
      begin(2, 'a', 2),
      end(2, 'a'),
      begin(3, 'b'),
      { type: 'run_interrupted', at: at(4), signal: 'SIGINT', seq: 3 } as JournalRecord,
      { type: 'run_resumed', at: at(5), by: 'bob', host: 'h1', pid: 43 } as JournalRecord,
      end(6, 'b'),
      finish('succeeded', 0),
    ];
    const fold = new SummaryFold();
    for (const [i, r] of records.entries()) {
      const before = fold.summary();
      fold.add(r)();
      expect(fold.summary()).toEqual(before);
      fold.add(r);
      expect(withHolder(fold.summary(), false)).toEqual(summarize(records.slice(0, i + 1)));
    }
    expect(withHolder(fold.summary(), false)).toMatchObject({ state: 'succeeded', done: 2, failed: 0, resumes: 1, records: 10 });
  });

  it('survives a journal without records', () => {
    expect(summarize([])).toMatchObject({ state: 'interrupted', runId: '', records: 0, inFlightAll: [] });
  });
});
