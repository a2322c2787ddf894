/**
 * One run per runbook at a time: a live holder is refused (exit 5, named), a dead one or one from
 * an earlier boot is taken over, another host's is never guessed at, and release only removes
 * our own lock.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, RunbookError } from '../src/errors.js';
import { acquireLock, forceUnlock, isHolderAlive, type LockInfo, readLock } from '../src/state/lock.js';
import { currentBootId } from '../src/state/lock-holder.js';
import { tempDir } from './helpers/cli.js';

const lockFile = (root: string, id = 't') => join(root, 'locks', `${id}.lock`);

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

function plantLock(root: string, info: Partial<LockInfo>, id = 't'): LockInfo {
  const full: LockInfo = { host: hostname(), user: 'someone', pid: deadPid(), bootId: currentBootId(), started: '2025-01-01T00:00:00.000Z', runId: `${id}-20250101-000000-dead`, ...info };
  mkdirSync(join(root, 'locks'), { recursive: true });
  writeFileSync(lockFile(root, id), JSON.stringify(full));
  return full;
}

function refusal(fn: () => unknown): RunbookError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('acquireLock', () => {
  it('writes a private lock naming host, user, pid, boot and run, and release removes it', () => {
    const root = join(tempDir(), 'state');
    const lock = acquireLock(root, 't', 't-1');
    expect(lock.tookOver).toBeUndefined();
    const info = readLock(root, 't')!;
    expect(info).toMatchObject({ host: hostname(), pid: process.pid, bootId: currentBootId(), runId: 't-1' });
    expect(typeof info.user).toBe('string');
    expect(Date.parse(info.started)).toBeGreaterThan(Date.now() - 60_000);
    expect(statSync(lockFile(root)).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'locks')).mode & 0o777).toBe(0o700);
    lock.release();
    lock.release();
    expect(existsSync(lockFile(root))).toBe(false);
    expect(readdirSync(join(root, 'locks'))).toEqual([]);
    acquireLock(root, 't', 't-2').release();
  });

  it('refuses a live holder with exit 5, naming it and --force-unlock', () => {
    const root = tempDir();
    const held = acquireLock(root, 't', 't-20250101-000000-live');
    const e = refusal(() => acquireLock(root, 't', 't-other'));
    expect(e.exitCode).toBe(EXIT.refused);
    for (const part of ['t-20250101-000000-live', `pid ${process.pid}`, hostname(), readLock(root, 't')!.user, readLock(root, 't')!.started, '--force-unlock']) expect(e.message).toContain(part);
    held.release();
  });

  it('takes over the lock of a dead process and says whose it was', () => {
    const root = tempDir();
    const stale = plantLock(root, {});
    expect(isHolderAlive(stale)).toBe(false);
    const lock = acquireLock(root, 't', 't-new');
    expect(lock.tookOver).toEqual(stale);
    expect(readLock(root, 't')?.runId).toBe('t-new');
    lock.release();
    expect(readdirSync(join(root, 'locks'))).toEqual([]);
  });

  it('takes over a lock from an earlier boot even if its pid is alive now', () => {
    const root = tempDir();
    const stale = plantLock(root, { pid: process.pid, bootId: 'an-earlier-boot' });
    if (!currentBootId()) return; // no boot ids here: nothing to compare
    expect(acquireLock(root, 't', 't-new').tookOver).toEqual(stale);
  });

  it('never guesses about a holder on another host', () => {
    const root = tempDir();
    plantLock(root, { host: 'elsewhere.example', bootId: 'x' });
    const e = refusal(() => acquireLock(root, 't', 't-new'));
    expect(e.exitCode).toBe(EXIT.refused);
    expect(e.message).toMatch(/on elsewhere\.example.*another host/);
  });

  it('refuses an unreadable lock rather than guessing', () => {
    const root = tempDir();
    mkdirSync(join(root, 'locks'));
    writeFileSync(lockFile(root), '{"host":');
    expect(refusal(() => acquireLock(root, 't', 't-new')).message).toMatch(/unreadable.*--force-unlock/);
  });

  it('release leaves a lock that is no longer ours', () => {
    const root = tempDir();
    const mine = acquireLock(root, 't', 't-mine');
    forceUnlock(root, 't');
    const theirs = acquireLock(root, 't', 't-theirs');
    mine.release();
    expect(readLock(root, 't')?.runId).toBe('t-theirs');
    theirs.release();
  });

  it('keeps runbooks apart and refuses ids that are not runbook ids', () => {
    const root = tempDir();
    const a = acquireLock(root, 'a', 'a-1');
    const b = acquireLock(root, 'b', 'b-1');
    expect(refusal(() => acquireLock(root, '../a', 'x')).exitCode).toBe(EXIT.invalid);
    a.release();
    b.release();
  });
});

describe('forceUnlock', () => {
  it('removes any lock and a cut-off takeover claim, and returns what it held', () => {
    const root = tempDir();
    const held = acquireLock(root, 't', 't-1');
    writeFileSync(`${lockFile(root)}.takeover-0123456789abcdef`, '');
    writeFileSync(`${lockFile(root)}.${deadPid()}-abcd.tmp`, '');
    writeFileSync(`${lockFile(root)}.${process.pid}-abcd.tmp`, ''); // a live acquirer's: left alone
    expect(forceUnlock(root, 't')?.runId).toBe('t-1');
    expect(readdirSync(join(root, 'locks'))).toEqual([`t.lock.${process.pid}-abcd.tmp`]);
    expect(forceUnlock(root, 't')).toBeUndefined();
    expect(forceUnlock(join(root, 'missing'), 't')).toBeUndefined();
    held.release();
  });

  it('a claim that cannot be read (no taker named) makes acquire refuse, pointing at --force-unlock', () => {
    const root = tempDir();
    plantLock(root, {});
    const raw = readFileSync(lockFile(root), 'utf8');
    writeFileSync(`${lockFile(root)}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`, '');
    const e = refusal(() => acquireLock(root, 't', 't-new'));
    expect(e.message).toMatch(/being taken over .*cut off.*--force-unlock/);
    forceUnlock(root, 't');
    acquireLock(root, 't', 't-new').release();
  });

  it('a claim whose taker died (killed mid-takeover) is passed over, and cleaned up by the winner', () => {
    const root = tempDir();
    plantLock(root, {});
    const raw = readFileSync(lockFile(root), 'utf8');
    const claim = `${lockFile(root)}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
    const deadTaker: LockInfo = { host: hostname(), user: 'someone', pid: deadPid(), bootId: currentBootId(), started: '2025-01-01T00:00:01.000Z', runId: 't-20250101-000001-dead' };
    writeFileSync(claim, `${JSON.stringify(deadTaker)}\n`);
    writeFileSync(`${claim}-1`, `${JSON.stringify(deadTaker)}\n`);
    const lock = acquireLock(root, 't', 't-new');
    expect(lock.tookOver?.runId).toBe('t-20250101-000000-dead');
    expect(readLock(root, 't')?.runId).toBe('t-new');
    expect(readdirSync(join(root, 'locks'))).toEqual(['t.lock']);
    lock.release();
  });

  it('a claim whose taker is alive is waited for, then refused', () => {
    const root = tempDir();
    plantLock(root, {});
    const raw = readFileSync(lockFile(root), 'utf8');
    const claim = `${lockFile(root)}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
    const liveTaker: LockInfo = { host: hostname(), user: 'someone', pid: process.pid, bootId: currentBootId(), started: '2025-01-01T00:00:01.000Z', runId: 't-20250101-000001-live' };
    writeFileSync(claim, `${JSON.stringify(liveTaker)}\n`);
    expect(refusal(() => acquireLock(root, 't', 't-new')).message).toMatch(/being taken over/);
  });
});
