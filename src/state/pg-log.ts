/**
 * Step logs with a database state. The whole log goes to a file on the executing machine (as
 * with a directory state); the database gets it as it streams, in chunks of at most 64 KiB or
 * a quarter second, up to RUNBOOK_LOG_CAP bytes per step (default 10 MiB): past the cap the
 * oldest chunks are deleted, so what it keeps is the tail. Each chunk is stored at its byte
 * offset in the whole log, so a reader can tell what is missing and say so. A step that prints
 * faster than the database stores is not held in memory: chunks waiting beyond the cap are
 * dropped unsent, as the database would delete them anyway.
 */
import { hostname } from 'node:os';
import type { PgConnection } from './pg-connect.js';
import type { Lease } from './pg-lease.js';
import { parseSize } from './pg-size.js';
import type { LogSink } from './storage.js';

const CHUNK = 64 * 1024;
const FLUSH_MS = 250;
/** Bytes of chunks waiting to be stored, at most: past it the oldest are dropped unsent (the file has them). */
const WAITING_MAX = 2 * 1024 * 1024;

export function logCap(): number {
  return parseSize(process.env.RUNBOOK_LOG_CAP) ?? 10 * 1024 * 1024;
}

/** The logs of the process still storing chunks: the journal waits for them (`drain`) before each record. */
export class LogQueue {
  private readonly active = new Set<Promise<void>>();
  track(storing: Promise<void>): void {
    const done: Promise<void> = storing.finally(() => this.active.delete(done));
    this.active.add(done);
  }
  async drain(): Promise<void> {
    while (this.active.size > 0) await Promise.all(this.active);
  }
}

export class PgLog implements LogSink {
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Bytes of the log so far (the offset of the next chunk). */
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private created = false;
  private readonly kept: CapWindow;
  /** Chunks waiting to be stored, oldest first, and whether one is being stored. */
  private readonly waiting: Array<{ off: number; data: Buffer }> = [];
  private waitingBytes = 0;
  private storing = false;

  constructor(
    private readonly db: PgConnection,
    private readonly lease: Lease,
    private readonly queue: LogQueue,
    private readonly run: { readonly runId: string; readonly seq: number; readonly key: string; readonly path: string },
    private readonly file: LogSink,
    private readonly cap = logCap(),
  ) {
    this.kept = new CapWindow(cap);
  }

  write(text: string): void {
    if (!text) return;
    this.file.write(text);
    this.pending.push(text);
    this.pendingBytes += Buffer.byteLength(text, 'utf8');
    if (this.pendingBytes >= CHUNK) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  close(): void {
    this.file.close();
    this.flush();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingBytes === 0) return;
    let data = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    let off = this.offset;
    this.offset += data.length;
    if (data.length > this.cap) {
      // More than the cap at once: only its tail can be kept.
      off += data.length - this.cap;
      data = data.subarray(data.length - this.cap);
    }
    this.waiting.push({ off, data });
    this.waitingBytes += data.length;
    while (this.waitingBytes > Math.min(this.cap, WAITING_MAX) && this.waiting.length > 1) this.waitingBytes -= this.waiting.shift()!.data.length;
    if (!this.storing) this.queue.track(this.pump());
  }

  /** Stores the waiting chunks one at a time, in order. */
  private async pump(): Promise<void> {
    this.storing = true;
    try {
      for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
        this.waitingBytes -= next.data.length;
        // A chunk that could not be stored is missing from the database only: the file has it.
        await this.store(next.off, next.data).catch(() => {});
      }
    } finally {
      this.storing = false;
    }
  }

  private async store(off: number, data: Buffer): Promise<void> {
    const { runId, seq, key } = this.run;
    if (!this.created) {
      await this.db.query('INSERT INTO runbook_logs (run_id, seq, key, host, path) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [runId, seq, key, hostname(), this.run.path]);
      this.created = true;
    }
    // Fenced like the journal: a holder that lost its lease stores nothing more.
    const r = await this.db.query(
      `INSERT INTO runbook_log_chunks (run_id, seq, key, off, data)
       SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM runbook_locks WHERE runbook_id = $6 AND epoch = $7)`,
      [runId, seq, key, off, data, this.lease.runbookId, this.lease.epoch],
    );
    if (r.rowCount !== 1) return;
    const drop = this.kept.add(off, data.length);
    if (drop > 0) await this.db.query(DROP_BELOW, [runId, seq, key, drop]);
  }
}

export const DROP_BELOW = 'DELETE FROM runbook_log_chunks WHERE run_id = $1 AND seq = $2 AND key = $3 AND off < $4';

/** The chunks of one log kept in the database, oldest first, at most `cap` bytes of them (but always the newest). */
export class CapWindow {
  private readonly kept: Array<{ off: number; len: number }> = [];
  private bytes = 0;
  constructor(private readonly cap: number) {}

  /** A chunk stored: the offset below which chunks must now be deleted (0: none). */
  add(off: number, len: number): number {
    this.kept.push({ off, len });
    this.bytes += len;
    let drop = 0;
    while (this.bytes > this.cap && this.kept.length > 1) {
      const first = this.kept.shift()!;
      this.bytes -= first.len;
      drop = first.off + first.len;
    }
    return drop;
  }
}
