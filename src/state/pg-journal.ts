/**
 * A run's journal in the database: one row per record, numbered, in the order appended. Each
 * append is one statement that renews the lease only if its epoch is still ours and inserts the
 * record only if it did: a holder that lost its lease can record nothing. "Durable" is committed
 * (`synchronous_commit` as the server has it); an append with `sync: false` uses a connection
 * with `synchronous_commit = off` and is made durable by the next synchronous commit, as WAL is
 * flushed in order. An append whose answer was lost (the connection broke) is tried again: its
 * number makes a second insert of the same record impossible, and an equal row counts as done.
 * The same statement writes the run's summary as it stands after the record (`runs` reads it).
 */
import type pg from 'pg';
import type { PgConnection } from './pg-connect.js';
import { isConnectionError } from './pg-connect.js';
import { pgDriver } from './pg-driver.js';
import type { Lease } from './pg-lease.js';
import type { JournalRecord } from './records.js';
import { type JournalSink, StateUnavailable } from './storage.js';
import type { SummaryFold } from './summary.js';

const INSERT = `WITH l AS (
  UPDATE runbook_locks SET renewed = now(), expires = now() + make_interval(secs => $3)
  WHERE runbook_id = $1 AND epoch = $2 AND expires > now() RETURNING epoch),
j AS (INSERT INTO runbook_journal (run_id, n, type, key, visit, attempt, epoch, body)
  SELECT $4, $5, $6, $7, $8, $9, l.epoch, $10 FROM l RETURNING run_id)
UPDATE runbook_runs SET summary = $11 WHERE run_id = (SELECT run_id FROM j)`;

const RETRY_MS = 200;

export class PgJournal implements JournalSink {
  private readonly clients = new Map<boolean, pg.Client>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PgConnection,
    private readonly lease: Lease,
    private readonly runId: string,
    private next: number,
    /** The journal's summary so far (every record before `next` added). */
    private readonly fold: SummaryFold,
    /** Waited for before each record: the step logs' pending chunks go first. */
    private readonly before: () => Promise<void>,
  ) {}

  append(record: JournalRecord, opts: { sync?: boolean } = {}): Promise<void> {
    const done = this.chain.then(() => this.write(record, opts.sync !== false));
    this.chain = done.catch(() => {});
    return done;
  }

  private async write(record: JournalRecord, sync: boolean): Promise<void> {
    await this.before();
    // The summary as it stands with this record, taken back out if the record does not land.
    const takeOut = this.fold.add(record);
    try {
      await this.insert(record, sync, JSON.stringify(this.fold.summary()));
    } catch (err) {
      takeOut();
      throw err;
    }
    this.next++;
  }

  private async insert(record: JournalRecord, sync: boolean, summary: string): Promise<void> {
    const n = this.next;
    const body = JSON.stringify(record);
    const r = record as { key?: string; visit?: number; attempt?: number };
    const params = [this.lease.runbookId, this.lease.epoch, this.lease.ms / 1000, this.runId, n, record.type, r.key ?? null, r.visit ?? null, r.attempt ?? null, body, summary];
    for (;;) {
      this.lease.check();
      const sent = performance.now();
      try {
        const client = await this.client(sync);
        const res = await client.query(INSERT, params);
        if (res.rowCount !== 1) throw new StateUnavailable(await this.lease.takenOver());
        this.lease.confirmed(sent);
        break;
      } catch (err) {
        if (err instanceof StateUnavailable) throw err;
        const code = (err as { code?: string; constraint?: string }).code;
        if (code === '23505' && (await this.alreadyThere(n, body))) break;
        if (code === '23505')
          throw new StateUnavailable(`record ${n} of run ${this.runId} (${record.type}${r.key ? ` ${r.key}` : ''}) is already in ${this.db.where}: another process wrote it; this one stops`);
        if (!isConnectionError(err)) throw err;
        this.drop(sync);
        // The end of a step is worth waiting for, up to the lease's half (lease.check says when).
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private async alreadyThere(n: number, body: string): Promise<boolean> {
    const r = await this.db.query<{ body: string }>('SELECT body FROM runbook_journal WHERE run_id = $1 AND n = $2', [this.runId, n]);
    return r.rows[0]?.body === body;
  }

  private async client(sync: boolean): Promise<pg.Client> {
    let c = this.clients.get(sync);
    if (c) return c;
    c = new (pgDriver().Client)(this.db.config(sync ? {} : { options: '-c synchronous_commit=off' }));
    c.on('error', () => this.drop(sync));
    this.clients.set(sync, c);
    try {
      await c.connect();
    } catch (err) {
      this.drop(sync);
      throw err;
    }
    return c;
  }

  private drop(sync: boolean): void {
    const c = this.clients.get(sync);
    this.clients.delete(sync);
    c?.end().catch(() => {});
  }

  async close(): Promise<void> {
    await this.chain;
    for (const c of this.clients.values()) await c.end().catch(() => {});
    this.clients.clear();
  }
}
