/**
 * The PostgreSQL store: runs, journals, locks and step logs in one database, shared by everyone
 * who uses it (the "Team state" of the spec). The tables are ./pg-schema.ts's; the lease is
 * ./pg-lease.ts's, the journal ./pg-journal.ts's, the logs ./pg-log.ts's. What belongs to this
 * machine only (the full step logs, scratch files for outputs) lives under a local directory.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolClient } from 'pg';
import { invalid, RunbookError, refused } from '../errors.js';
import { DIR_MODE } from './durable.js';
import { FileLog } from './file-log.js';
import type { ReadResult } from './journal.js';
import type { LockInfo } from './lock-holder.js';
import { PgConnection } from './pg-connect.js';
import { PgJournal } from './pg-journal.js';
import { acquireLease, forceUnlockLease, type Lease, leaseHolderAlive, readLease } from './pg-lease.js';
import { CapWindow, DROP_BELOW, LogQueue, logCap, PgLog } from './pg-log.js';
import { logChunks, logTail } from './pg-log-read.js';
import type { JournalRecord } from './records.js';
import { newRunId, pickRun, runDirOf, stepLogPath } from './run-dir.js';
import type { ImportedRun, JournalSink, LogSink, RunRef, StepLogRef, Storage, SummaryRead } from './storage.js';
import { StateUnavailable } from './storage.js';
import { foldAll, type JournalSummary, SUMMARY_TYPES, SummaryFold } from './summary.js';

export class PgStore implements Storage {
  readonly db: PgConnection;
  readonly where: string;
  /** The leases this process holds, by run. */
  private readonly leases = new Map<string, Lease>();
  private readonly logs = new LogQueue();

  constructor(
    url: string,
    /** This machine's directory for full step logs and scratch files. */
    readonly localRoot: string,
    /** Whether a command pasted elsewhere must name the database (`option`). */
    readonly named: boolean,
  ) {
    this.db = new PgConnection(url);
    this.where = this.db.where;
  }

  get option(): readonly string[] {
    return this.named ? ['--state', this.where] : [];
  }

  /** Connect and check the schema: at the start of a command, anything wrong here refuses it (exit 5). */
  async open(): Promise<this> {
    try {
      await this.db.open();
    } catch (err) {
      if (err instanceof RunbookError && !(err instanceof StateUnavailable)) throw err;
      const message = err instanceof Error ? this.db.mask(err.message.split('\n')[0]!) : String(err);
      throw refused(err instanceof StateUnavailable ? message : `the database ${this.where}: ${message}`);
    }
    return this;
  }

  private ref(runId: string): RunRef {
    return { runId, where: `${this.where}#${runId}` };
  }

  async createRun(runbookId: string, runbookText: string): Promise<RunRef> {
    for (let tries = 0; ; tries++) {
      const runId = newRunId(runbookId, new Date());
      const r = await this.db.query('INSERT INTO runbook_runs (run_id, runbook_id, runbook_text) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [runId, runbookId, runbookText]);
      if (r.rowCount === 1) return this.ref(runId);
      if (tries > 50) throw new Error(`no free run id for ${runbookId}`);
    }
  }

  async removeRun(run: RunRef): Promise<void> {
    await this.db.query('DELETE FROM runbook_runs WHERE run_id = $1', [run.runId]);
  }

  async listRuns(): Promise<RunRef[]> {
    const r = await this.db.query<{ run_id: string }>('SELECT run_id FROM runbook_runs ORDER BY created DESC, run_id DESC');
    return r.rows.map((row) => this.ref(row.run_id));
  }

  async findRun(idOrPrefix: string): Promise<RunRef> {
    return pickRun(await this.listRuns(), idOrPrefix, this.where);
  }

  async readRunbookCopy(run: RunRef): Promise<string> {
    const r = await this.db.query<{ runbook_text: string }>('SELECT runbook_text FROM runbook_runs WHERE run_id = $1', [run.runId]);
    if (!r.rows[0]) throw invalid(`no run ${run.runId} in ${this.where}`);
    return r.rows[0].runbook_text;
  }

  async scratchDir(run: RunRef): Promise<string> {
    const dir = join(runDirOf(this.localRoot, run.runId).dir, 'outputs');
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }

  async readJournal(run: RunRef): Promise<ReadResult> {
    const r = await this.db.query<{ body: string }>('SELECT body FROM runbook_journal WHERE run_id = $1 ORDER BY n', [run.runId]);
    return { records: r.rows.map((row) => JSON.parse(row.body) as JournalRecord) };
  }

  async readJournals(runs: readonly RunRef[]) {
    // One row per run, its records already one JSON array: a thousand runs parse in one pass each.
    const r = await this.db.query<{ run_id: string; records: string }>(
      `SELECT run_id, '[' || string_agg(body, ',' ORDER BY n) || ']' AS records FROM runbook_journal WHERE run_id = ANY($1) GROUP BY run_id`,
      [runs.map((x) => x.runId)],
    );
    const out = new Map<string, ReadResult | RunbookError>(runs.map((x) => [x.runId, { records: [] }]));
    for (const row of r.rows) out.set(row.run_id, { records: JSON.parse(row.records) as JournalRecord[] });
    return out;
  }

  async readRunsForSummary(): Promise<SummaryRead[]> {
    // A row per run, its summary as its last record left it, newest first; a run begun before
    // summaries were kept is summarised from its records.
    const r = await this.db.query<{ run_id: string; summary: string | null }>('SELECT run_id, summary FROM runbook_runs ORDER BY created DESC, run_id DESC');
    const older = r.rows.filter((row) => row.summary === null).map((row) => row.run_id);
    const reads = older.length > 0 ? await this.readForSummary(older) : new Map<string, ForSummary>();
    return r.rows.map((row) =>
      row.summary === null
        ? { run: this.ref(row.run_id), read: reads.get(row.run_id) ?? { records: [], total: 0, next: 0 } }
        : { run: this.ref(row.run_id), summary: JSON.parse(row.summary) as JournalSummary },
    );
  }

  /** Of each run given, the records a summary reads and the last (not its step_process records and the rest), in one query. */
  private async readForSummary(runIds: readonly string[]): Promise<Map<string, ForSummary>> {
    const r = await this.db.query<{ run_id: string; total: string; last: number; records: string }>(
      `SELECT l.run_id, l.total, l.last, (SELECT '[' || string_agg(body, ',' ORDER BY n) || ']' FROM runbook_journal j
         WHERE j.run_id = l.run_id AND (j.type = ANY($2) OR j.n = l.last)) AS records
       FROM (SELECT run_id, max(n) AS last, count(*) AS total FROM runbook_journal WHERE run_id = ANY($1) GROUP BY run_id) l`,
      [runIds, SUMMARY_TYPES],
    );
    return new Map(r.rows.map((row) => [row.run_id, { records: JSON.parse(row.records) as JournalRecord[], total: Number(row.total), next: row.last + 1 }]));
  }

  private leaseOf(run: RunRef): Lease {
    const lease = this.leases.get(run.runId);
    if (lease) return lease;
    throw new Error(`run ${run.runId}: its journal is written only by the holder of its lock`);
  }

  async createJournal(run: RunRef): Promise<JournalSink> {
    return new PgJournal(this.db, this.leaseOf(run), run.runId, 0, new SummaryFold(), () => this.logs.drain());
  }

  async openJournal(run: RunRef): Promise<JournalSink> {
    const read = (await this.readForSummary([run.runId])).get(run.runId) ?? { records: [], total: 0, next: 0 };
    return new PgJournal(this.db, this.leaseOf(run), run.runId, read.next, foldAll(read.records, read.total), () => this.logs.drain());
  }

  openStepLog(run: RunRef, seq: number, key: string): LogSink {
    const path = stepLogPath(runDirOf(this.localRoot, run.runId), seq, key);
    return new PgLog(this.db, this.leaseOf(run), this.logs, { runId: run.runId, seq, key, path }, new FileLog(path, true));
  }

  async listStepLogs(run: RunRef): Promise<StepLogRef[]> {
    await this.logs.drain(); // this process's own chunks first
    const r = await this.db.query<{ seq: number; key: string }>('SELECT seq, key FROM runbook_logs WHERE run_id = $1 ORDER BY seq, key', [run.runId]);
    return r.rows.map((row) => ({ seq: row.seq, key: row.key, id: `${row.seq}:${row.key}` }));
  }

  readStepLog(run: RunRef, log: StepLogRef, from = 0): AsyncIterable<Buffer> {
    return logChunks(this.db, run.runId, log, from);
  }

  stepLogTail(run: RunRef, log: StepLogRef, bytes: number): Promise<string> {
    return logTail(this.db, run.runId, log, bytes);
  }

  async acquireLock(runbookId: string, runId: string) {
    const lease = await acquireLease(this.db, runbookId, runId);
    this.leases.set(runId, lease);
    return lease;
  }

  readLock(runbookId: string): Promise<LockInfo | undefined> {
    return readLease(this.db, runbookId);
  }

  async isHolderAlive(info: LockInfo): Promise<boolean> {
    return leaseHolderAlive(info);
  }

  forceUnlock(runbookId: string): Promise<LockInfo | undefined> {
    return forceUnlockLease(this.db, runbookId);
  }

  /** A run copied in whole (`runbook import`): one transaction, so it is there entirely or not at all. */
  async importRun(run: ImportedRun): Promise<RunRef> {
    await this.db.transaction(async (c) => {
      // Listed by when it was made, as a run made here would be: the time in its id.
      const created = /-(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-[0-9a-f]+$/.exec(run.runId);
      const at = created ? `${created[1]}-${created[2]}-${created[3]}T${created[4]}:${created[5]}:${created[6]}Z` : new Date().toISOString();
      const made = await c.query('INSERT INTO runbook_runs (run_id, runbook_id, runbook_text, created, summary) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
        run.runId,
        run.runbookId,
        run.runbookText,
        at,
        JSON.stringify(foldAll(run.records).summary()),
      ]);
      if (made.rowCount !== 1) throw invalid(`run ${run.runId} is already in ${this.where}`);
      // A thousand records a statement: a long run's journal is not ten thousand round trips.
      for (let from = 0; from < run.records.length; from += IMPORT_BATCH) {
        const batch = run.records.slice(from, from + IMPORT_BATCH) as ReadonlyArray<JournalRecord & { key?: string; visit?: number; attempt?: number }>;
        await c.query(
          `INSERT INTO runbook_journal (run_id, n, type, key, visit, attempt, epoch, body)
           SELECT $1, n, type, key, visit, attempt, 0, body FROM unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[]) AS r(n, type, key, visit, attempt, body)`,
          [
            run.runId,
            batch.map((_, i) => from + i),
            batch.map((r) => r.type),
            batch.map((r) => r.key ?? null),
            batch.map((r) => r.visit ?? null),
            batch.map((r) => r.attempt ?? null),
            batch.map((r) => JSON.stringify(r)),
          ],
        );
      }
      for (const log of run.logs) await importLog(c, run.runId, log);
    });
    return this.ref(run.runId);
  }

  async close(): Promise<void> {
    await this.logs.drain();
    await this.db.close();
  }
}

const IMPORT_BATCH = 1000;

/** A journal read for its summary: `next` is the number its next record takes. */
interface ForSummary extends ReadResult {
  readonly total: number;
  readonly next: number;
}

async function importLog(c: PoolClient, runId: string, log: ImportedRun['logs'][number]): Promise<void> {
  await c.query('INSERT INTO runbook_logs (run_id, seq, key, host, path) VALUES ($1, $2, $3, $4, $5)', [runId, log.seq, log.key, 'import', '(imported)']);
  const kept = new CapWindow(logCap());
  let off = 0;
  for await (const chunk of log.text()) {
    await c.query('INSERT INTO runbook_log_chunks (run_id, seq, key, off, data) VALUES ($1, $2, $3, $4, $5)', [runId, log.seq, log.key, off, chunk]);
    const drop = kept.add(off, chunk.length);
    off += chunk.length;
    if (drop > 0) await c.query(DROP_BELOW, [runId, log.seq, log.key, drop]);
  }
}
