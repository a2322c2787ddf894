/**
 * What every store behind src/state/storage.ts must do, run against each implementation: the
 * directory store, and the PostgreSQL store on a real server (skipped with the reason where
 * there is none).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunbookError } from '../src/errors.js';
import { DirStore } from '../src/state/dir-store.js';
import { PgStore } from '../src/state/pg-store.js';
import type { Storage } from '../src/state/storage.js';
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
