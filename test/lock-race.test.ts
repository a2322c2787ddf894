/**
 * The lock between real processes: many node processes race for one runbook's lock, from no
 * lock and from a stale one (its holder dead): exactly one wins each time, the others are
 * refused with exit 5 naming the winner. The lock module is bundled once and run as is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/errors.js';
import { acquireLock } from '../src/state/lock.js';
import { currentBootId } from '../src/state/lock-holder.js';
import { REPO, tempDir } from './helpers/cli.js';

let bundle: string;
beforeAll(async () => {
  const out = tempDir('runbook-lock-bundle-');
  await build({
    entryPoints: { lock: join(REPO, 'src/state/lock.ts') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  bundle = join(out, 'lock.mjs');
});

/** Waits for the common start instant, tries once, prints the outcome; a winner holds the lock for `hold` ms and exits without releasing. */
const CONTENDER = `
const { acquireLock } = await import(process.argv[1]);
const [root, runId, startAt, hold] = process.argv.slice(2);
while (Date.now() < Number(startAt));
try {
  const lock = acquireLock(root, 't', runId);
  console.log(JSON.stringify({ runId, won: true, tookOver: lock.tookOver?.runId }));
  setTimeout(() => process.exit(0), Number(hold));
} catch (err) {
  console.log(JSON.stringify({ runId, won: false, code: err.exitCode, message: err.message }));
  process.exit(err.exitCode ?? 70);
}`;

interface Outcome {
  readonly runId: string;
  readonly won: boolean;
  readonly code?: number;
  readonly tookOver?: string;
  readonly message?: string;
  readonly exit: number | null;
}

function contend(root: string, runId: string, startAt: number, holdMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, bundle, root, runId, String(startAt), String(holdMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (exit) => {
      try {
        resolve({ ...(JSON.parse(out) as Omit<Outcome, 'exit'>), exit });
      } catch {
        reject(new Error(`contender ${runId} printed ${JSON.stringify(out)} (exit ${exit}): ${err}`));
      }
    });
  });
}

async function race(root: string, n: number): Promise<Outcome[]> {
  const startAt = Date.now() + 400 + n * 60; // time for every process to start and load
  return Promise.all(Array.from({ length: n }, (_, i) => contend(root, `t-racer-${i}`, startAt, 1500)));
}

function plantStaleLock(root: string): void {
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  mkdirSync(join(root, 'locks'), { recursive: true });
  const info = { host: hostname(), user: 'ghost', pid: dead, bootId: currentBootId(), started: '2025-01-01T00:00:00.000Z', runId: 't-stale' };
  writeFileSync(join(root, 'locks', 't.lock'), JSON.stringify(info));
}

function expectOneWinner(outcomes: Outcome[]): Outcome {
  const winners = outcomes.filter((o) => o.won);
  expect(winners.map((w) => w.runId)).toHaveLength(1);
  const winner = winners[0]!;
  for (const loser of outcomes.filter((o) => !o.won)) {
    expect(loser.code, loser.message).toBe(EXIT.refused);
    expect(loser.exit).toBe(EXIT.refused);
    expect(loser.message).toContain(winner.runId);
  }
  return winner;
}

describe('the lock between processes', () => {
  for (const round of [1, 2]) {
    it(`10 processes race for a free lock: exactly one wins (round ${round})`, async () => {
      const root = tempDir();
      expect(expectOneWinner(await race(root, 10)).tookOver).toBeUndefined();
    });

    it(`10 processes race to take over a stale lock: exactly one wins (round ${round})`, async () => {
      const root = tempDir();
      plantStaleLock(root);
      expect(expectOneWinner(await race(root, 10)).tookOver).toBe('t-stale');
      // No claim or temporary file is left behind.
      expect(readdirSync(join(root, 'locks'))).toEqual(['t.lock']);
    });
  }

  it('a process is refused with exit 5 while this one holds the lock, and gets it once the holder dies', async () => {
    const root = tempDir();
    const held = acquireLock(root, 't', 't-held-by-the-test');
    const refused = await contend(root, 't-contender', 0, 0);
    expect(refused.exit).toBe(EXIT.refused);
    expect(refused.message).toContain(`run t-held-by-the-test, pid ${process.pid}`);
    held.release();
    // A winner that exits without releasing leaves a stale lock: the next process takes it over.
    expect((await contend(root, 't-first', 0, 0)).won).toBe(true);
    expect(await contend(root, 't-second', 0, 0)).toMatchObject({ won: true, tookOver: 't-first' });
  });
});
