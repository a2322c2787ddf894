/**
 * Reading a journal after a crash: a torn last record is dropped (or repaired, with a backup),
 * damage before it is refused with its byte offset, and a repaired journal takes appends again.
 */
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, RunbookError } from '../src/errors.js';
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

function writeJournal(n: number): { path: string; sizes: number[] } {
  const path = join(tempDir('runbook-journal-'), 'journal');
  const w = JournalWriter.create(path);
  const sizes: number[] = [];
  for (let i = 1; i <= n; i++) {
    w.append(rec(i));
    sizes.push(statSync(path).size);
  }
  w.close();
  return { path, sizes };
}

const backups = (path: string) => readdirSync(join(path, '..')).filter((f) => f.startsWith('journal.damaged-'));

describe('JournalWriter', () => {
  it('creates a 0600 journal, refuses to create over an existing one, and appends durably', () => {
    const { path } = writeJournal(3);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => JournalWriter.create(path)).toThrow(/EEXIST/);
    expect(readJournal(path).records).toEqual([rec(1), rec(2), rec(3)]);
    const w = JournalWriter.openForAppend(path);
    w.append(rec(4));
    w.close();
    w.close();
    expect(() => w.append(rec(5))).toThrow(/closed/);
    expect(readJournal(path).records.map((r) => (r as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
  });

  it('will not append after a torn record', () => {
    const { path } = writeJournal(2);
    appendFileSync(path, '57 0123');
    expect(() => JournalWriter.openForAppend(path)).toThrow(/torn record/);
  });
});

describe('readJournal', () => {
  it('reads an empty or missing journal as no records (the run died before its first)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'journal'), '');
    expect(readJournal(join(dir, 'journal'), { repair: true })).toEqual({ records: [] });
    expect(readJournal(join(dir, 'missing'))).toEqual({ records: [] });
  });

  it('recovers from a cut at every byte of the last record: records before it, a backup, then appends', () => {
    const { path, sizes } = writeJournal(4);
    const original = readFileSync(path);
    const lastStart = sizes[2]!;
    for (let cut = lastStart; cut < sizes[3]!; cut++) {
      writeFileSync(path, original.subarray(0, cut));
      const torn = cut - lastStart;
      // Without repair: the file stays as it is and the torn bytes are reported.
      const seen = readJournal(path);
      expect(seen.records, `cut at ${cut}`).toEqual([rec(1), rec(2), rec(3)]);
      expect(seen.tornTail).toBe(torn === 0 ? undefined : torn);
      expect(statSync(path).size).toBe(cut);
      // With repair: cut back to the last good record, the damaged file kept beside it.
      const before = backups(path).length;
      const repaired = readJournal(path, { repair: true });
      expect(repaired.records).toEqual([rec(1), rec(2), rec(3)]);
      if (torn === 0) {
        expect(repaired.repaired).toBeUndefined();
      } else {
        expect(repaired.repaired?.droppedBytes).toBe(torn);
        expect(backups(path)).toHaveLength(before + 1);
        expect(readFileSync(repaired.repaired!.backup)).toEqual(original.subarray(0, cut));
        expect(statSync(repaired.repaired!.backup).mode & 0o777).toBe(0o600);
      }
      expect(statSync(path).size).toBe(lastStart);
      const w = JournalWriter.openForAppend(path);
      w.append(rec(9));
      w.close();
      expect(readJournal(path).records).toEqual([rec(1), rec(2), rec(3), rec(9)]);
    }
  });

  it('repairs a complete last line whose checksum is wrong, and zeros left by a power cut', () => {
    const { path, sizes } = writeJournal(3);
    const buf = readFileSync(path);
    buf[sizes[2]! - 3]! ^= 0x04;
    writeFileSync(path, buf);
    expect(readJournal(path, { repair: true }).repaired?.droppedBytes).toBe(sizes[2]! - sizes[1]!);
    appendFileSync(path, Buffer.alloc(4096));
    const r = readJournal(path, { repair: true });
    expect(r.records).toHaveLength(2);
    expect(r.repaired?.droppedBytes).toBe(4096);
  });

  it('refuses corruption before the last record, naming the byte and the record, and leaves the file alone', () => {
    const { path, sizes } = writeJournal(5);
    const buf = readFileSync(path);
    buf[sizes[1]! + 20]! ^= 0x01; // inside record 3
    writeFileSync(path, buf);
    for (const repair of [false, true]) {
      let error: unknown;
      try {
        readJournal(path, { repair });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RunbookError);
      expect((error as RunbookError).exitCode).toBe(EXIT.invalid);
      expect((error as RunbookError).message).toContain(`journal ${path} is corrupt at byte ${sizes[1]} (record 3): refusing to guess; the file is kept as is`);
    }
    expect(readFileSync(path)).toEqual(buf);
    expect(backups(path)).toEqual([]);
  });

  it('refuses a lost middle piece (a record cut short with others after it)', () => {
    const { path, sizes } = writeJournal(4);
    const buf = readFileSync(path);
    writeFileSync(path, Buffer.concat([buf.subarray(0, sizes[0]! + 10), buf.subarray(sizes[1]!)]));
    expect(() => readJournal(path, { repair: true })).toThrow(`is corrupt at byte ${sizes[0]} (record 2)`);
  });
});
