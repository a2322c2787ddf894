/**
 * The PostgreSQL store in process, on a real server: what the CLI tests cannot single out: the
 * uniqueness of a started step, the epoch fencing every write, the lease kept alive by renewal,
 * and a bad password refused without being shown.
 */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PgStore } from '../src/state/pg-store.js';
import type { JournalRecord, StepStartedRecord } from '../src/state/records.js';
import { type JournalSummary, summarize, withHolder } from '../src/state/summary.js';
import { tempDir } from './helpers/cli.js';
import { PASSWORD, pgMissing, usePostgres } from './helpers/postgres.js';
import { describeWith } from './helpers/servers.js';

const opened: PgStore[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

const startedRecord = (seq: number): StepStartedRecord => ({
  type: 'step_started',
  at: new Date().toISOString(),
  seq,
  key: 'deploy',
  visit: 1,
  stepId: 'deploy',
  kind: 'run',
  phase: 'change',
  attempt: 1,
});

describeWith(pgMissing, 'PostgreSQL store', () => {
  const pg = usePostgres();
  const open = async (url?: string) => {
    const store = await new PgStore(url ?? (await pg.db()), join(tempDir(), 'local'), true).open();
    opened.push(store);
    return store;
  };
  /** A run of runbook rb whose lock this store holds, with its journal created. */
  const heldRun = async (store: PgStore) => {
    const run = await store.createRun('rb', 'x');
    const lock = await store.acquireLock('rb', run.runId);
    return { run, lock, journal: await store.createJournal(run) };
  };
  /** The summary the database keeps for the newest run. */
  const keptSummary = async (store: PgStore): Promise<JournalSummary> => {
    const [kept] = await store.readRunsForSummary();
    if (!kept || !('summary' in kept)) throw new Error('no summary kept for the newest run');
    return kept.summary;
  };

  it('a second start of the same step instance, visit and attempt is impossible', async () => {
    const store = await open();
    const { run, journal: first } = await heldRun(store);
    await first.append(startedRecord(1));
    const second = await store.openJournal(run);
    await expect(second.append(startedRecord(2))).rejects.toThrow(/is already in .*: another process wrote it/);
    expect((await store.readJournal(run)).records).toHaveLength(1);
  });

  it("a record that did not land is not in the run's summary", async () => {
    const store = await open();
    const { run, journal } = await heldRun(store);
    await journal.append(startedRecord(1));
    const second = await store.openJournal(run);
    await expect(second.append(startedRecord(2))).rejects.toThrow(/another process wrote it/);
    await second.append({ type: 'branch', at: 'now', key: 'a', to: 'b' });
    const kept = await keptSummary(store);
    expect(kept).toMatchObject({ records: 2, lastRecordAt: 'now', inFlightAll: [{ seq: 1, key: 'deploy' }] });
    expect(withHolder(kept, false)).toEqual(summarize((await store.readJournal(run)).records));
  });

  it('a database of schema 1 is migrated: its runs are summarised from their records until they append again', async () => {
    const url = await pg.db();
    const store = await open(url);
    const { run, lock, journal } = await heldRun(store);
    await journal.append({ type: 'run_started', at: 'then', runId: run.runId, runbookId: 'rb', title: 'T', file: 'rb.yaml', hash: 'h', host: 'h', user: 'u', pid: 1, vars: {} });
    await journal.append(startedRecord(1));
    await journal.close();
    await store.db.query('ALTER TABLE runbook_runs DROP COLUMN summary');
    await store.db.query('UPDATE runbook_schema SET version = 1');
    const later = await open(url);
    const [old] = await later.readRunsForSummary();
    expect(old && 'read' in old && old.read).toMatchObject({ total: 2 });
    const whole = summarize((await later.readJournal(run)).records);
    expect(summarize((old as { read: { records: JournalRecord[] } }).read.records)).toEqual(whole);
    // The holder appends again (a resume): the summary is kept from then on, with what came before.
    const again = await store.openJournal(run);
    await again.append({ type: 'branch', at: 'now', key: 'a', to: 'b' });
    await again.close();
    await lock.release();
    const kept = await keptSummary(later);
    expect(withHolder(kept, false)).toEqual(summarize((await later.readJournal(run)).records));
    expect(kept).toMatchObject({ records: 3, runbookId: 'rb', inFlight: { key: 'deploy' } });
  });

  it('a holder whose lock was removed writes nothing more (the epoch is checked in every write)', async () => {
    const store = await open();
    const { run, journal } = await heldRun(store);
    await journal.append(startedRecord(1));
    expect((await store.forceUnlock('rb'))?.runId).toBe(run.runId);
    await expect(journal.append({ type: 'branch', at: 'now', key: 'a', to: 'b' })).rejects.toThrow(/the lease of rb lapsed or was removed/);
    expect((await store.readJournal(run)).records).toHaveLength(1);
  });

  it('the holder renews its lease while it runs, and another taker is refused meanwhile', async () => {
    process.env.RUNBOOK_LEASE = '2s';
    try {
      const url = await pg.db();
      const store = await open(url);
      const lock = await store.acquireLock('rb', 'rb-1');
      await new Promise((r) => setTimeout(r, 3500)); // past one lease: only renewals keep it
      const other = await open(url);
      expect((await other.readLock('rb'))?.lease?.live).toBe(true);
      await expect(other.acquireLock('rb', 'rb-2')).rejects.toThrow(/rb is locked by run rb-1/);
      await lock.release();
      expect(await other.readLock('rb')).toBeUndefined();
    } finally {
      delete process.env.RUNBOOK_LEASE;
    }
  }, 20_000);

  it('a wrong password is refused (exit 5) without showing it', async () => {
    const url = (await pg.db()).replace(PASSWORD, 'wrong-Zz9');
    const err = await new PgStore(url, tempDir(), true).open().catch((e: unknown) => e as Error & { exitCode: number });
    expect((err as { exitCode: number }).exitCode).toBe(5);
    expect((err as Error).message).toMatch(/^the database postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+: password authentication failed/);
    expect((err as Error).message).not.toContain('wrong-Zz9');
  });
});
