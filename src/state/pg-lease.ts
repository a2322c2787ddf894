/**
 * The lock of a runbook id in the database: a lease on the database's clock with a fencing
 * epoch. Taking it (free, or lapsed, or held by a dead process on this very machine) bumps the
 * epoch; the holder renews it at a third of its length; every journal write renews it in the
 * same statement that checks the epoch (./pg-journal.ts), so a holder that was paused or cut off
 * writes nothing once another has taken over. A holder that has not been able to renew for half
 * the lease says it is lost, and the run stops its step while the lease still covers it.
 */
import { hostname } from 'node:os';
import { refused } from '../errors.js';
import { parseDuration } from '../model/duration.js';
import { currentUser, describeHolder, isHolderAlive, type LockInfo, myLockInfo, parseLockInfo } from './lock-holder.js';
import type { PgConnection } from './pg-connect.js';
import { type HeldLock, StateUnavailable } from './storage.js';

/** RUNBOOK_LEASE (a duration), default 30 s, at least 2 s. */
export function leaseMs(): number {
  const raw = process.env.RUNBOOK_LEASE;
  const ms = raw ? parseDuration(raw) : undefined;
  return Math.max(2000, ms ?? 30_000);
}

interface LockRow {
  epoch: string;
  run_id: string | null;
  holder: string | null;
  renewed: Date | null;
  live: boolean | null;
}

/** The holder a row names, with its lease as the database sees it now. */
export function holderOf(row: LockRow): LockInfo | undefined {
  if (!row.run_id || !row.holder) return undefined;
  const info = parseLockInfo(row.holder);
  return info && { ...info, lease: { live: Boolean(row.live), lastSeen: row.renewed?.toISOString() ?? '?' } };
}

/** Alive by its lease; on this machine also by its pid (a holder killed here is known dead at once). */
export function leaseHolderAlive(info: LockInfo): boolean {
  if (info.lease && !info.lease.live) return false;
  return info.host !== hostname() || isHolderAlive(info);
}

const SELECT = 'SELECT epoch, run_id, holder, renewed, expires > now() AS live FROM runbook_locks WHERE runbook_id = $1';

export async function readLease(db: PgConnection, runbookId: string): Promise<LockInfo | undefined> {
  const r = await db.query<LockRow>(SELECT, [runbookId]);
  return r.rows[0] && holderOf(r.rows[0]);
}

export async function acquireLease(db: PgConnection, runbookId: string, runId: string): Promise<Lease> {
  const ms = leaseMs();
  const mine = myLockInfo(runId);
  const sent = performance.now();
  const { epoch, tookOver } = await db.transaction(async (c) => {
    await c.query('INSERT INTO runbook_locks (runbook_id) VALUES ($1) ON CONFLICT DO NOTHING', [runbookId]);
    const row = (await c.query<LockRow>(`${SELECT} FOR UPDATE`, [runbookId])).rows[0]!;
    const old = holderOf(row);
    if (old && leaseHolderAlive(old)) {
      throw refused(`${runbookId} is locked by ${describeHolder(old)} (its lease is live in ${db.where}); wait for it to end, or if you are sure it is gone, use --force-unlock`);
    }
    if (row.run_id && !old) throw refused(`the lock of ${runbookId} in ${db.where} is unreadable; if no run of ${runbookId} is going on, remove it with --force-unlock`);
    const taken = await c.query<{ epoch: string }>(
      `UPDATE runbook_locks SET epoch = epoch + 1, run_id = $2, holder = $3, renewed = now(), expires = now() + make_interval(secs => $4)
       WHERE runbook_id = $1 RETURNING epoch`,
      [runbookId, runId, JSON.stringify(mine), ms / 1000],
    );
    if (old) await c.query('INSERT INTO runbook_lock_events (runbook_id, event, by_whom, holder) VALUES ($1, $2, $3, $4)', [runbookId, 'takeover', `${currentUser()}@${hostname()}`, row.holder]);
    return { epoch: Number(taken.rows[0]!.epoch), tookOver: old };
  });
  return new Lease(db, runbookId, runId, epoch, ms, sent, tookOver);
}

/** Remove the lock whoever holds it, bumping the epoch so its holder can write nothing more; journaled in the database. */
export async function forceUnlockLease(db: PgConnection, runbookId: string): Promise<LockInfo | undefined> {
  return db.transaction(async (c) => {
    const row = (await c.query<LockRow>(`${SELECT} FOR UPDATE`, [runbookId])).rows[0];
    if (!row?.run_id) return undefined;
    await c.query('UPDATE runbook_locks SET epoch = epoch + 1, run_id = NULL, holder = NULL, renewed = NULL, expires = NULL WHERE runbook_id = $1', [runbookId]);
    await c.query('INSERT INTO runbook_lock_events (runbook_id, event, by_whom, holder) VALUES ($1, $2, $3, $4)', [runbookId, 'force-unlock', `${currentUser()}@${hostname()}`, row.holder]);
    return holderOf(row);
  });
}

export class Lease implements HeldLock {
  private lost: string | undefined;
  private released = false;
  private readonly listeners: Array<(reason: string) => void> = [];
  private readonly timer: NodeJS.Timeout;
  /** performance.now() when the last renewal that succeeded was sent: the lease runs from no earlier. */
  private confirmedAt: number;
  /** The same moment by the wall clock: the monotonic clock stands still while the machine is suspended. */
  private confirmedWall: number;
  private renewing = false;
  /** Why the last renewal failed (the database unreachable), for the message if the lease is given up. */
  private lastError: string | undefined;

  constructor(
    private readonly db: PgConnection,
    readonly runbookId: string,
    readonly runId: string,
    readonly epoch: number,
    readonly ms: number,
    sent: number,
    readonly tookOver: LockInfo | undefined,
  ) {
    this.confirmedAt = sent;
    this.confirmedWall = Date.now() - (performance.now() - sent);
    // Checked ten times a lease: renewed from a third of it on, given up at half of it.
    this.timer = setInterval(() => this.tick(), Math.max(100, Math.floor(ms / 10)));
    this.timer.unref();
  }

  onLost(listener: (reason: string) => void): void {
    if (this.lost) listener(this.lost);
    else this.listeners.push(listener);
  }

  lostNow(): string | undefined {
    return this.lostReason;
  }

  /** Why the lease is no longer ours, or undefined while it is. */
  get lostReason(): string | undefined {
    if (!this.lost && !this.released && this.unconfirmedMs() > this.ms / 2) this.lose(this.silence());
    return this.lost;
  }

  /** A write that renewed the lease (sent at `sent`) succeeded. */
  confirmed(sent: number): void {
    if (sent <= this.confirmedAt) return;
    this.confirmedWall = Date.now() - (performance.now() - sent);
    this.confirmedAt = sent;
  }

  /** A write found the lease gone: say who has it now. */
  async takenOver(): Promise<string> {
    const now = await readLease(this.db, this.runbookId).catch(() => undefined);
    this.lose(
      now
        ? `the lease of ${this.runbookId} was taken over by ${describeHolder(now)}: this process starts nothing more`
        : `the lease of ${this.runbookId} lapsed or was removed (--force-unlock): this process starts nothing more`,
    );
    return this.lost!;
  }

  private silence(): string {
    const s = Math.round(this.unconfirmedMs() / 1000);
    if (this.lastError)
      return `${this.lastError}: the lease of ${this.runbookId} has not been renewed for ${s} s (the lease is ${this.ms / 1000} s), so this run stops before another machine may take it over`;
    return `the lease of ${this.runbookId} has not been confirmed by the database ${this.db.where} for ${s} s (the lease is ${this.ms / 1000} s; the database was unreachable, or this process was paused): stopping before another machine may take it over`;
  }

  private lose(reason: string): void {
    if (this.lost || this.released) return;
    this.lost = reason;
    clearInterval(this.timer);
    for (const l of this.listeners.splice(0)) l(reason);
  }

  private tick(): void {
    if (this.lostReason || this.renewing) return;
    if (this.unconfirmedMs() < this.ms / 3) return;
    this.renewing = true;
    const sent = performance.now();
    this.db
      .query('UPDATE runbook_locks SET renewed = now(), expires = now() + make_interval(secs => $3) WHERE runbook_id = $1 AND epoch = $2 AND expires > now()', [
        this.runbookId,
        this.epoch,
        this.ms / 1000,
      ])
      .then(
        async (r) => {
          this.lastError = undefined;
          if (r.rowCount === 1) this.confirmed(sent);
          else await this.takenOver();
        },
        (err: unknown) => {
          // Unreachable: tried again at the next tick, until half the lease has gone by.
          this.lastError = err instanceof Error ? err.message : String(err);
        },
      )
      .finally(() => {
        this.renewing = false;
      });
  }

  /** Since the database last confirmed the lease, by the longer of the two clocks: a suspend counts (a wall clock set forward errs towards stopping). */
  private unconfirmedMs(): number {
    return Math.max(performance.now() - this.confirmedAt, Date.now() - this.confirmedWall);
  }

  /** Fails with why, once the lease is lost. */
  check(): void {
    const lost = this.lostReason;
    if (lost) throw new StateUnavailable(lost);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    if (this.lost) return;
    // Unreachable: the lease lapses by itself.
    await this.db.query('UPDATE runbook_locks SET run_id = NULL, holder = NULL, renewed = NULL, expires = NULL WHERE runbook_id = $1 AND epoch = $2', [this.runbookId, this.epoch]).catch(() => {});
  }
}
