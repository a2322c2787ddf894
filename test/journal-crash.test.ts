/**
 * A writer killed with SIGKILL in the middle of appending: every record it reported as appended
 * is there, the journal reads back (with repair), and the next writer goes on from it. Real
 * processes running the real module (bundled once with esbuild).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { JournalWriter, readJournal } from '../src/state/journal.js';
import { REPO, tempDir } from './helpers/cli.js';

let bundle: string;
beforeAll(async () => {
  const out = tempDir('runbook-journal-bundle-');
  await build({
    entryPoints: { journal: join(REPO, 'src/state/journal.ts') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  bundle = join(out, 'journal.mjs');
});

/** Appends forever (records of varying size), printing each seq once its append returned. */
const WRITER = `
const { JournalWriter, readJournal } = await import(process.argv[1]);
const path = process.argv[2];
const { records } = readJournal(path, { repair: true });
const w = JournalWriter.openForAppend(path);
for (let seq = records.length + 1; ; seq++) {
  w.append({ type: 'step_started', at: new Date().toISOString(), seq, key: 'k' + seq, visit: 1, stepId: 'k', kind: 'run', phase: 'change', attempt: 1, pad: 'x'.repeat((seq * 7919) % 20000) });
  process.stdout.write(seq + '\\n');
}`;

/** Runs the writer until it has appended at least `min` records, then SIGKILLs it; returns the last seq it reported. */
function runAndKill(path: string, min: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, bundle, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = 0;
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop()!;
      for (const l of lines) last = Number(l);
      if (last >= min && !child.killed) setTimeout(() => child.kill('SIGKILL'), Math.random() * 20);
    });
    child.on('close', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`writer ended ${code}: ${stderr}`))));
  });
}

describe('a writer killed mid-stream', () => {
  it('leaves a journal that reads back whole and takes appends, kill after kill', async () => {
    const path = join(tempDir('runbook-crash-'), 'journal');
    JournalWriter.create(path).close();
    let reported = 0;
    for (let round = 1; round <= 4; round++) {
      reported = await runAndKill(path, reported + 200);
      const { records } = readJournal(path, { repair: true });
      const seqs = records.map((r) => (r as { seq: number }).seq);
      expect(seqs.length).toBeGreaterThanOrEqual(reported);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      reported = seqs.length;
    }
  });
});
