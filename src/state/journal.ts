/**
 * The run's journal: append-only, one framed record per line (./frame.ts), durable when
 * `append` returns. Reading detects every torn or corrupt record: a damaged last record (an
 * append cut off by a crash or power cut) is dropped, or repaired when asked, with a backup of
 * the damaged file kept beside it; damage anywhere before that is refused, never skipped.
 */
import { closeSync, constants, fchmodSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { failpoint, failpointArmed, failpointHit } from '../engine/failpoint.js';
import { invalid, refused } from '../errors.js';
import { FILE_MODE, fsyncDir, sleepSync, writeNewFile } from './durable.js';
import { type Decoded, decodeFrames, encodeFrame } from './frame.js';
import type { JournalRecord } from './records.js';

const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND } = constants;

export class JournalWriter {
  private fd: number | undefined;
  /** Set when an append failed half way: the journal's state on disk is unknown, so no more appends. */
  private broken: NodeJS.ErrnoException | undefined;
  /** The last append was not synced yet. */
  private unsynced = false;

  private constructor(
    fd: number,
    readonly path: string,
    /** Bytes known to be in the file: a short write is cut back to this. */
    private size: number,
  ) {
    this.fd = fd;
  }

  /** A new journal (it must not exist): 0600, fsynced, and its directory entry fsynced. */
  static create(path: string): JournalWriter {
    const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, FILE_MODE);
    try {
      fchmodSync(fd, FILE_MODE);
      fsyncSync(fd);
      fsyncDir(dirname(path));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new JournalWriter(fd, path, 0);
  }

  /** An existing journal, to go on appending (read it with `repair: true` first). */
  static openForAppend(path: string): JournalWriter {
    const fd = openSync(path, O_RDWR | O_APPEND);
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size > 0 && (readSync(fd, last, 0, 1, size - 1) !== 1 || last[0] !== 0x0a)) {
      closeSync(fd);
      throw invalid(`journal ${path} ends in a torn record: it must be read with repair before appending`);
    }
    return new JournalWriter(fd, path, size);
  }

  /**
   * Frame the record, write it in one call and fdatasync: on return it survives a power cut.
   * With `sync: false` the record is written (it survives the process being killed) and made
   * durable by the next synced append: the engine uses this for a step's finished record, which
   * the next step's started record flushes before that step's process starts.
   */
  append(record: JournalRecord, opts: { sync?: boolean } = {}): void {
    if (this.fd === undefined) throw new Error(`journal ${this.path} is closed`);
    // With the first failure's code (ENOSPC...): whoever appends next learns the state failed.
    if (this.broken) throw Object.assign(new Error(`journal ${this.path}: an earlier append failed (${this.broken.message}); not appending after it`), { code: this.broken.code });
    const frame = encodeFrame(record);
    if (failpointArmed('mid-record')) {
      writeSync(this.fd, frame.subarray(0, frame.length >> 1));
      failpoint('mid-record');
    }
    try {
      const written = writeSync(this.fd, frame);
      // A regular file takes a part of a write only when its disk is full.
      if (written !== frame.length) throw Object.assign(new Error(`ENOSPC: short write, ${written} of ${frame.length} bytes`), { code: 'ENOSPC' });
      if (opts.sync !== false) {
        if (record.type === 'step_started' && failpointHit('slow-fsync')) sleepSync(1500);
        fdatasyncSync(this.fd);
      }
      this.unsynced = opts.sync === false;
    } catch (err) {
      this.broken = err instanceof Error ? (err as NodeJS.ErrnoException) : new Error(String(err));
      this.cutBack();
      throw err;
    }
    this.size += frame.length;
  }

  close(): void {
    if (this.fd === undefined) return;
    if (this.unsynced && !this.broken) fdatasyncSync(this.fd);
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  /** After a failed append: remove a partial frame, best effort (a reader would drop it anyway). */
  private cutBack(): void {
    try {
      if (fstatSync(this.fd!).size > this.size) {
        ftruncateSync(this.fd!, this.size);
        fsyncSync(this.fd!);
      }
    } catch {
      /* the torn tail stays; readJournal detects and repairs it */
    }
  }
}

export interface ReadResult {
  readonly records: JournalRecord[];
  /** The torn last record was cut off (repair: true); the file as it was is kept at `backup`. */
  readonly repaired?: { readonly backup: string; readonly droppedBytes: number } | undefined;
  /** Bytes of a torn last record that were ignored (repair not asked; the file is unchanged). */
  readonly tornTail?: number | undefined;
  /** How many records the journal has, when `records` are only some of them (Storage.readRunsForSummary). */
  readonly total?: number | undefined;
}

/**
 * All the records of a journal. A missing or empty journal has none (the run died before its
 * first record). Damage before the last record throws RunbookError (exit 2).
 */
export function readJournal(path: string, opts: { repair?: boolean } = {}): ReadResult {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
    throw err;
  }
  const { records, goodBytes, damage } = decodeJournal(path, buf);
  if (!damage) return { records };
  if (!damage.atTail) {
    throw invalid(`journal ${path} is corrupt at byte ${damage.offset} (record ${damage.record}): refusing to guess; the file is kept as is (${damage.reason})`);
  }
  const droppedBytes = buf.length - goodBytes;
  if (!opts.repair) return { records, tornTail: droppedBytes };
  return { records, repaired: { backup: repairTail(path, buf, goodBytes), droppedBytes } };
}

/**
 * The journal last decoded in this process: its good bytes and their records. `resume` reads a
 * journal twice, to pick the run and again once it holds the run's lock; the second read decodes
 * only what follows the bytes it has already decoded, after checking they are still the same.
 */
let lastDecoded: { readonly path: string; readonly bytes: Buffer; readonly records: readonly JournalRecord[] } | undefined;

function decodeJournal(path: string, buf: Buffer): Decoded {
  const known = lastDecoded?.path === path && buf.length >= lastDecoded.bytes.length && buf.subarray(0, lastDecoded.bytes.length).equals(lastDecoded.bytes) ? lastDecoded : undefined;
  const start = known?.bytes.length ?? 0;
  const rest = decodeFrames(start > 0 ? buf.subarray(start) : buf);
  const records = known ? [...known.records, ...rest.records] : rest.records;
  const goodBytes = start + rest.goodBytes;
  lastDecoded = { path, bytes: buf.subarray(0, goodBytes), records: [...records] };
  if (!rest.damage) return { records, goodBytes };
  return { records, goodBytes, damage: { ...rest.damage, offset: start + rest.damage.offset, record: (known?.records.length ?? 0) + rest.damage.record } };
}

/** Keep the damaged file as `journal.damaged-<time>`, then cut the journal back to its last good record. */
function repairTail(path: string, seen: Buffer, goodBytes: number): string {
  const fd = openSync(path, O_RDWR);
  try {
    if (fstatSync(fd).size !== seen.length) throw refused(`journal ${path} changed while it was being repaired: is the run still going?`);
    const backup = writeBackup(path, seen);
    ftruncateSync(fd, goodBytes);
    fsyncSync(fd);
    fsyncDir(dirname(path));
    return backup;
  } finally {
    closeSync(fd);
  }
}

function writeBackup(path: string, data: Buffer): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '');
  for (let n = 1; ; n++) {
    const backup = `${path}.damaged-${stamp}${n > 1 ? `-${n}` : ''}`;
    try {
      writeNewFile(backup, data);
      return backup;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw err;
    }
  }
}
