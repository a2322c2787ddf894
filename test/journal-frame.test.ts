/** The journal's framing, pure: every record round-trips, and every kind of damage is named and placed. */

import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrame } from '../src/state/frame.js';
import type { JournalRecord } from '../src/state/records.js';
import { propertyRuns } from './helpers/property.js';

const rec = (seq: number, extra: Record<string, unknown> = {}): JournalRecord =>
  ({ type: 'step_started', at: '2025-01-01T00:00:00.000Z', seq, key: `s${seq}`, visit: 1, stepId: `s${seq}`, kind: 'run', phase: 'change', attempt: 1, ...extra }) as JournalRecord;

const journalOf = (...records: JournalRecord[]) => Buffer.concat(records.map(encodeFrame));

describe('journal framing', () => {
  it('is one greppable line per record: length, crc32, JSON', () => {
    const line = encodeFrame(rec(1, { note: 'naïve\nline' })).toString('utf8');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const m = /^(\d+) ([0-9a-f]{8}) (\{.*\})\n$/.exec(line);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(Buffer.byteLength(m![3]!));
    expect(JSON.parse(m![3]!).note).toBe('naïve\nline');
  });

  it('round-trips any records (property)', () => {
    const record = fc.record({ type: fc.string({ minLength: 1 }), at: fc.string(), payload: fc.jsonValue(), text: fc.string({ unit: 'binary' }) });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (records) => {
        const decoded = decodeFrames(journalOf(...(records as unknown as JournalRecord[])));
        expect(decoded.damage).toBeUndefined();
        expect(decoded.records).toEqual(JSON.parse(JSON.stringify(records)));
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('reads an empty buffer as no records', () => {
    expect(decodeFrames(Buffer.alloc(0))).toEqual({ records: [], goodBytes: 0 });
  });

  it('names a missing newline at the end as a torn tail', () => {
    const buf = journalOf(rec(1), rec(2));
    const d = decodeFrames(buf.subarray(0, buf.length - 1));
    expect(d.records).toHaveLength(1);
    expect(d.damage).toMatchObject({ offset: encodeFrame(rec(1)).length, record: 2, atTail: true, reason: expect.stringContaining('incomplete') });
  });

  it('catches a flipped bit anywhere in a record by its checksum or header', () => {
    const buf = journalOf(rec(1), rec(2), rec(3));
    const second = encodeFrame(rec(1)).length;
    const secondEnd = second + encodeFrame(rec(2)).length - 1; // its newline stays
    for (let at = second; at < secondEnd; at++) {
      for (const bit of [0x01, 0x20, 0x80]) {
        const bad = Buffer.from(buf);
        bad[at]! ^= bit;
        if (bad[at] === 0x0a) continue; // a new line break: checked below
        const d = decodeFrames(bad);
        expect(d.records, `byte ${at} bit ${bit}`).toHaveLength(1);
        expect(d.damage).toMatchObject({ offset: second, record: 2, atTail: false });
      }
    }
  });

  it('tells damage in the middle from damage at the tail', () => {
    const a = encodeFrame(rec(1));
    const b = encodeFrame(rec(2));
    const garbage = Buffer.from('12 00000000 {"type":"x"}\n');
    expect(decodeFrames(Buffer.concat([a, garbage, b])).damage).toMatchObject({ offset: a.length, record: 2, atTail: false, reason: expect.stringMatching(/length|checksum/) });
    expect(decodeFrames(Buffer.concat([a, b, garbage])).damage).toMatchObject({ offset: a.length + b.length, record: 3, atTail: true });
    expect(decodeFrames(Buffer.concat([a, Buffer.alloc(40)])).damage).toMatchObject({ offset: a.length, atTail: true });
    expect(decodeFrames(Buffer.concat([Buffer.from('\n'), a])).damage).toMatchObject({ offset: 0, record: 1, atTail: false, reason: 'no frame header' });
  });

  it('refuses a checksummed line that is not a record', () => {
    const json = Buffer.from('[1,2]');
    const line = Buffer.from(`${json.length} ${crc32(json).toString(16).padStart(8, '0')} [1,2]\n`);
    expect(decodeFrames(line).damage?.reason).toBe('not a journal record');
  });
});
