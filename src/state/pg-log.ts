/**
 * Step logs with a database state. The whole log goes to a file on the executing machine (as
 * with a directory state); the database gets it as it streams, read back from that file in
 * chunks of at most 256 KiB (whole lines where the chunk has a line end) at least every quarter
 * second, up to RUNBOOK_LOG_CAP bytes per step (default 10 MiB): past the cap the oldest chunks
 * are deleted, so what it keeps is the tail. Each chunk is stored at its byte offset in the whole
 * log, so a reader can tell what is missing and say so.
 *
 * Memory stays one chunk whatever the step prints: nothing waits in memory for the database,
 * since the file has it. The step's output never waits for the database either: a copy that
 * falls more than the cap behind skips ahead to the last cap's worth (the database would delete
 * the rest anyway), so at the step's end at most the cap is left to store.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { PgConnection } from './pg-connect.js';
import type { Lease } from './pg-lease.js';
import { parseSize } from './pg-size.js';
import type { LogSink } from './storage.js';

const CHUNK = 64 * 1024;
const FLUSH_MS = 250;
const NEWLINE = 0x0a;

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
  /** Bytes of the log written to the file so far, and stored (or skipped) so far. */
  private written = 0;
  private sent = 0;
  /** Where the log starts in its file (a file left by an earlier attempt is appended to). */
  private base: number | undefined;
  private fd: number | undefined;
  private buffer: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private created = false;
  private closed = false;
  private storing = false;
  private readonly kept: CapWindow;
  private readonly chunk: number;

  constructor(
    private readonly db: PgConnection,
    private readonly lease: Lease,
    private readonly queue: LogQueue,
    private readonly run: { readonly runId: string; readonly seq: number; readonly key: string; readonly path: string },
    private readonly file: LogSink,
    private readonly cap = logCap(),
  ) {
    this.kept = new CapWindow(cap);
    this.chunk = Math.max(1, Math.min(CHUNK, cap));
  }

  write(text: string): void {
    if (!text) return;
    this.base ??= sizeOf(this.run.path);
    this.file.write(text);
    this.written += Buffer.byteLength(text, 'utf8');
    if (this.written - this.sent >= this.chunk) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  close(): void {
    this.file.close();
    this.closed = true;
    this.flush();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.storing) return; // the running pump takes what is new
    if (this.sent === this.written) return this.release();
    this.storing = true;
    this.queue.track(this.pump());
  }

  /** Stores what the file has beyond `sent`, a chunk at a time, in order, until it has caught up. */
  private async pump(): Promise<void> {
    try {
      while (this.sent < this.written) {
        const next = this.read();
        // A chunk that could not be stored is missing from the database only: the file has it.
        if (next) await this.store(next.off, next.data).catch(() => {});
      }
    } finally {
      this.storing = false;
      if (this.closed) this.release();
    }
  }

  /** The next chunk from the file, or none when the skip ahead left no whole line in what was read. */
  private read(): { off: number; data: Buffer } | undefined {
    let skipped = false;
    if (this.written - this.sent > this.cap) {
      this.sent = this.written - this.cap;
      skipped = true;
    }
    this.fd ??= openSync(this.run.path, 'r');
    this.buffer ??= Buffer.allocUnsafe(this.chunk);
    const want = Math.min(this.chunk, this.written - this.sent);
    const got = readSync(this.fd, this.buffer, 0, want, (this.base ?? 0) + this.sent);
    let start = 0;
    let end = got;
    // Whole lines: a skip starts after a line end, and a chunk ends at one where it has one.
    if (skipped) start = this.buffer.subarray(0, got).indexOf(NEWLINE) + 1;
    if (got === this.chunk) {
      const last = this.buffer.lastIndexOf(NEWLINE, got - 1);
      if (last >= start) end = last + 1;
    }
    const off = this.sent + start;
    this.sent += got === 0 ? want : end; // a file shorter than expected (cut by hand) is not read forever
    return end > start ? { off, data: this.buffer.subarray(start, end) } : undefined;
  }

  private release(): void {
    if (!this.closed || this.storing) return;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.buffer = undefined;
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

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
