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
    const decoded = nl < 0 ? 'incomplete record (no end of line)' : decodeLine(buf, offset, end);
    if (typeof decoded === 'string') {
      const damage = { offset, record: records.length + 1, reason: decoded, atTail: nl < 0 || nl === buf.length - 1 };
      return { records, goodBytes: offset, damage };
    }
    records.push(decoded);
    offset = end + 1;
  }
  return { records, goodBytes: offset };
}

/** Hex digit values (lowercase only, as written), -1 for anything else. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * The line `buf[start, end)` (without its newline): the record, or why it is not one. The header,
 * `<1 to 9 digits> <8 lowercase hex digits> `, is read from the bytes: a resume reads thousands.
 */
function decodeLine(buf: Buffer, start: number, end: number): JournalRecord | string {
  let i = start;
  let length = 0;
  while (i < end && i - start < 9 && buf[i]! >= 0x30 && buf[i]! <= 0x39) length = length * 10 + buf[i++]! - 0x30;
  if (i === start || i + 10 > end || buf[i] !== 0x20 || buf[i + 9] !== 0x20) return 'no frame header';
  const digitsEnd = i;
  let crc = 0;
  for (let k = i + 1; k < i + 9; k++) {
    const h = HEX[buf[k]!]!;
    if (h < 0) return 'no frame header';
    crc = crc * 16 + h;
  }
  const from = i + 10;
  if (end - from !== length) return `length ${end - from}, header says ${buf.toString('latin1', start, digitsEnd)}`;
  if (crc32(buf.subarray(from, end)) !== crc) return 'checksum mismatch';
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8', from, end));
  } catch {
    return 'not JSON';
  }
  if (!value || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') return 'not a journal record';
  return value as JournalRecord;
}
