/**
 * `resume` reads a journal twice (to pick the run, then under the run's lock) and decodes the
 * second time only what follows the bytes it decoded the first time. Whatever happened to the
 * file in between, the second read must say exactly what a first read of the file would.
 */
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../src/state/frame.js';
import { JournalWriter, readJournal } from '../src/state/journal.js';
import type { JournalRecord } from '../src/state/records.js';
import { tempDir } from './helpers/cli.js';

const rec = (seq: number): JournalRecord => ({
  type: 'step_finished',
  at: new Date(seq * 1000).toISOString(),
  seq,
  key: `step-${seq}[wéb${seq}]`,
  visit: 1,
  status: 'succeeded',
  attempts: 1,
  durationMs: seq,
});

function writeJournal(n: number): string {
  const path = join(tempDir('runbook-reread-'), 'journal');
  const w = JournalWriter.create(path);
  for (let i = 1; i <= n; i++) w.append(rec(i));
  w.close();
  return path;
}

/** What a fresh read of the file says (records, or the damage as thrown). */
function fresh(path: string): unknown {
  const d = decodeFrames(readFileSync(path));
  if (d.damage && !d.damage.atTail) return { throws: `journal ${path} is corrupt at byte ${d.damage.offset} (record ${d.damage.record})` };
  return { records: d.records, ...(d.damage ? { tornTail: readFileSync(path).length - d.goodBytes } : {}) };
}

function read(path: string): unknown {
  try {
    const r = readJournal(path);
    return { records: r.records, ...(r.tornTail !== undefined ? { tornTail: r.tornTail } : {}) };
  } catch (err) {
    return { throws: (err as Error).message.replace(/: refusing.*$/, '') };
  }
}

describe('reading a journal again', () => {
  it('sees records appended since', () => {
    const path = writeJournal(5);
    expect(read(path)).toEqual(fresh(path));
    const w = JournalWriter.openForAppend(path);
    w.append(rec(6));
    w.close();
    expect(read(path)).toEqual(fresh(path));
    expect((read(path) as { records: unknown[] }).records).toHaveLength(6);
  });

  it('sees a changed byte anywhere in what it read before', () => {
    const path = writeJournal(5);
    const original = readFileSync(path);
    for (let at = 0; at < original.length; at += 7) {
      writeFileSync(path, original);
      read(path);
      const bad = Buffer.from(original);
      bad[at] = bad[at] === 0x41 ? 0x42 : 0x41;
      writeFileSync(path, bad);
      expect(read(path), `byte ${at}`).toEqual(fresh(path));
    }
  });

  it('sees a journal cut back, torn at its end, or replaced by another', () => {
    const path = writeJournal(5);
    const original = readFileSync(path);
    read(path);
    truncateSync(path, original.length - 40);
    expect(read(path)).toEqual(fresh(path));
    appendFileSync(path, original.subarray(original.length - 40));
    expect(read(path)).toEqual(fresh(path));
    appendFileSync(path, '57 0123');
    expect(read(path)).toEqual(fresh(path));
    const other = writeJournal(3);
    writeFileSync(path, readFileSync(other));
    expect(read(path)).toEqual(fresh(path));
    expect(read(other)).toEqual(fresh(other));
    writeFileSync(path, '');
    expect(read(path)).toEqual({ records: [] });
  });

  it('places damage after the part read before at its byte and record', () => {
    const path = writeJournal(3);
    read(path);
    appendFileSync(path, '12 00000000 {"type":"x"}\n');
    const w = JournalWriter.openForAppend(path);
    w.append(rec(4));
    w.close();
    const r = read(path) as { throws: string };
    expect(r).toEqual(fresh(path));
    expect(r.throws).toMatch(/record 4\)$/);
  });
});
