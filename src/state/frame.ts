/**
 * The journal's framing, pure: one record per line, greppable and checkable.
 *
 *     <length> <crc32> <json>\n
 *
 * `length` is the byte length of the JSON (decimal), `crc32` its CRC-32 (8 lowercase hex
 * digits). JSON.stringify never emits a raw newline, so a record is exactly one line. A line
 * whose length or checksum does not match, or a last line without its newline, is damage: the
 * decoder says where, and whether it is the tail (a cut-off append) or something before it.
 */
import { crc32 } from 'node:zlib';
import type { JournalRecord } from './records.js';

const NL = 0x0a;
const HEADER = /^(\d{1,9}) ([0-9a-f]{8}) /;

export function encodeFrame(record: JournalRecord): Buffer {
  const json = Buffer.from(JSON.stringify(record));
  const head = `${json.length} ${crc32(json).toString(16).padStart(8, '0')} `;
  const frame = Buffer.allocUnsafe(head.length + json.length + 1);
  frame.write(head, 0, 'latin1');
  json.copy(frame, head.length);
  frame[frame.length - 1] = NL;
  return frame;
}

export interface Damage {
  /** Byte offset where the damaged record starts. */
  readonly offset: number;
  /** Its 1-based position among the records. */
  readonly record: number;
  readonly reason: string;
  /** True when nothing follows the damaged record: a cut-off last append. */
  readonly atTail: boolean;
}

export interface Decoded {
  readonly records: JournalRecord[];
  /** Bytes up to the end of the last good record. */
  readonly goodBytes: number;
  readonly damage?: Damage | undefined;
}

/** Decode every record; stops at the first damaged one. */
export function decodeFrames(buf: Buffer): Decoded {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(NL, offset);
    const end = nl < 0 ? buf.length : nl;
    const reason = nl < 0 ? 'incomplete record (no end of line)' : undefined;
    const decoded = reason ?? decodeLine(buf.subarray(offset, end));
    if (typeof decoded === 'string') {
      const damage = { offset, record: records.length + 1, reason: decoded, atTail: nl < 0 || nl === buf.length - 1 };
      return { records, goodBytes: offset, damage };
    }
    records.push(decoded);
    offset = end + 1;
  }
  return { records, goodBytes: offset };
}

/** One line without its newline: the record, or why it is not one. */
function decodeLine(line: Buffer): JournalRecord | string {
  const m = HEADER.exec(line.subarray(0, 20).toString('latin1'));
  if (!m) return 'no frame header';
  const json = line.subarray(m[0].length);
  if (json.length !== Number(m[1])) return `length ${json.length}, header says ${m[1]}`;
  if (crc32(json).toString(16).padStart(8, '0') !== m[2]) return 'checksum mismatch';
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (!value || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') return 'not a journal record';
  return value as JournalRecord;
}
