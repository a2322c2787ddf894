/**
 * What every store behind src/state/storage.ts must do, run against each implementation: the
 * directory store, and the PostgreSQL store on a real server (skipped with the reason where
 * there is none).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunbookError } from '../src/errors.js';
import { DirStore } from '../src/state/dir-store.js';
import type { ReadResult } from '../src/state/journal.js';
import { PgStore } from '../src/state/pg-store.js';
import type { Storage, SummaryRead } from '../src/state/storage.js';
import { summarize, withHolder } from '../src/state/summary.js';
import { tempDir } from './helpers/cli.js';
import { pgMissing, usePostgres } from './helpers/postgres.js';
import { describeWith } from './helpers/servers.js';

const opened: Storage[] = [];
afterAll(async () => {
  for (const s of opened) await s.close?.();
});

const started = (runId: string) => ({
  type: 'run_started' as const,
  at: new Date().toISOString(),
  runId,
  runbookId: 'rb',
  title: 'T',
  file: 'rb.yaml',
  hash: 'h',
  host: 'h',
  user: 'u',
  pid: 1,
  vars: {},
});

/** A run's summary from what readRunsForSummary gave: its records, or the summary the store keeps. */
function summaryOf(x: SummaryRead) {
  if ('summary' in x) return withHolder(x.summary, false);
  const read = x.read as ReadResult;
  return summarize(read.records, { total: read.total });
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const c of chunks) text += c.toString('utf8');
  return text;
}

function contract(open: () => Promise<Storage>): void {
  it('creates, lists newest first and finds runs by id or unique prefix', async () => {
    const store = await open();
    expect(await store.listRuns()).toEqual([]);
    const a = await store.createRun('rb', 'version: 1\n');
    await new Promise((r) => setTimeout(r, 1100)); // run ids carry the second
    const b = await store.createRun('rb', 'version: 1 # b\n');
    expect((await store.listRuns()).map((r) => r.runId)).toEqual([b.runId, a.runId]);
    expect((await store.findRun(a.runId)).runId).toBe(a.runId);
    expect((await store.findRun(b.runId.slice(0, -2))).runId).toBe(b.runId);
    await expect(store.findRun('rb-')).rejects.toThrow(/matches 2 runs/);
    await expect(store.findRun('nope')).rejects.toBeInstanceOf(RunbookError);
    expect(await store.readRunbookCopy(b)).toBe('version: 1 # b\n');
    await store.removeRun(a);
    expect((await store.listRuns()).map((r) => r.runId)).toEqual([b.runId]);
  });

  it('keeps journal records in order across a reopen', async () => {
    const store = await open();
    const run = await store.createRun('rb', 'x');
    await store.acquireLock('rb', run.runId); // only the lock's holder writes a journal
    const j = await store.createJournal(run);
    await j.append(started(run.runId));
    await j.append({ type: 'branch', at: 'now', key: 'a', to: 'b' }, { sync: false });
    await j.close();
    const again = await store.openJournal(run);
    await again.append({ type: 'branch', at: 'now', key: 'b', to: 'c' });
    await again.close();
    const read = await store.readJournal(run);
    expect(read.records.map((r) => (r.type === 'branch' ? r.to : r.type))).toEqual(['run_started', 'b', 'c']);
  });

  it('streams step logs back in step order, whole, from an offset and by tail', async () => {
    const store = await open();
    const run = await store.createRun('rb', 'x');
    const lock = await store.acquireLock('rb', run.runId);
    const second = store.openStepLog(run, 2, 'deploy[web 2]');
    second.write('one\ntwo\n');
    second.close();
    const first = store.openStepLog(run, 1, 'build');
    first.write(`${'a'.repeat(100)}\nlast line\n`);
    first.close();
    store.openStepLog(run, 3, 'silent').close();
    const logs = await store.listStepLogs(run);
    expect(logs.map((l) => [l.seq, l.key])).toEqual([
      [1, 'build'],
      [2, 'deploy[web 2]'],
    ]);
    expect(await collect(store.readStepLog(run, logs[1]!))).toBe('one\ntwo\n');
    expect(await collect(store.readStepLog(run, logs[1]!, 4))).toBe('two\n');
    expect(await store.stepLogTail(run, logs[0]!, 20)).toBe('last line\n');
    expect(await store.stepLogTail(run, logs[1]!, 100)).toBe('one\ntwo\n');
    await lock.release();
  });

  it('reads many journals at once', async () => {
    const store = await open();
    const a = await store.createRun('rb', 'x');
    const b = await store.createRun('rb', 'y');
    const lock = await store.acquireLock('rb', a.runId);
    const j = await store.createJournal(a);
    await j.append(started(a.runId));
    await j.close();
    await lock.release();
    const all = await store.readJournals([a, b]);
    expect((all.get(a.runId) as { records: unknown[] }).records).toHaveLength(1);
    expect((all.get(b.runId) as { records: unknown[] }).records).toHaveLength(0);
  });

  it('reads every run for its summary as its whole journal summarises, in one read', async () => {
    const store = await open();
    const a = await store.createRun('rb', 'x');
    await new Promise((r) => setTimeout(r, 1100)); // run ids carry the second
    const b = await store.createRun('rb', 'y');
    const lock = await store.acquireLock('rb', b.runId);
    const j = await store.createJournal(b);
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const step = (seq: number, key: string) => ({ seq, key, visit: 1, stepId: key, kind: 'run' as const, phase: 'change' as const, attempt: 1, detail: 'true' });
    const proc = (seq: number, key: string, s: number) => ({ type: 'step_process' as const, at: at(s), seq, key, pgid: 1, host: 'h', bootId: 'b', startTime: 1 });
    const records = [
      { ...started(b.runId), at: at(0) },
      { type: 'step_started' as const, at: at(1), ...step(1, 's1') },
      proc(1, 's1', 2),
      { type: 'step_finished' as const, at: at(3), seq: 1, key: 's1', visit: 1, status: 'succeeded' as const, attempts: 1, durationMs: 1, exitCode: 0, outputs: {}, stdout: '' },
      { type: 'step_started' as const, at: at(4), ...step(2, 's2') },
      proc(2, 's2', 5), // the last record, of a type a summary does not read: its time is the run's last
    ];
    for (const r of records.slice(0, 4)) await j.append(r as never);
    await j.close();
    // Reopened, as resume does: what follows is summarised with what came before.
    const again = await store.openJournal(b);
    for (const r of records.slice(4)) await again.append(r as never);
    await again.close();
    await lock.release();
    const all = await store.readRunsForSummary();
    expect(all.map((x) => x.run.runId)).toEqual([b.runId, a.runId]);
    const whole = summarize((await store.readJournal(b)).records);
    expect(summaryOf(all[0]!)).toEqual(whole);
    expect(whole).toMatchObject({ records: 6, lastRecordAt: at(5), done: 1, inFlight: { key: 's2' } });
    expect(summaryOf(all[1]!).runbookId).toBe(''); // no journal: not started
  });

  it('holds one lock per runbook id, refuses a second taker, and force-unlocks', async () => {
    const store = await open();
    const lock = await store.acquireLock('rb', 'rb-1');
    expect((await store.readLock('rb'))?.runId).toBe('rb-1');
    expect(await store.isHolderAlive((await store.readLock('rb'))!)).toBe(true);
    await expect(store.acquireLock('rb', 'rb-2')).rejects.toThrow(/locked by/);
    const other = await store.acquireLock('other', 'other-1');
    expect((await store.forceUnlock('rb'))?.runId).toBe('rb-1');
    expect(await store.readLock('rb')).toBeUndefined();
    await lock.release(); // no longer ours: nothing to remove, no error
    await other.release();
    expect(await store.readLock('other')).toBeUndefined();
  });
}

describe('storage: directory', () => contract(async () => new DirStore(join(tempDir(), 'state'), true)));

describeWith(pgMissing, 'storage: postgresql', () => {
  const pg = usePostgres();
  contract(async () => {
    const store = await new PgStore(await pg.db(), join(tempDir(), 'local'), true).open();
    opened.push(store);
    return store;
  });
});
