/**
 * The connection to the database: a small pool for reads and lock work, with the schema made
 * or checked once per process, and the one place where a driver's error becomes ours: the
 * database unreachable is StateUnavailable (a run stops as interrupted), never a stack trace,
 * and never with the URL's password in it.
 */
import type pg from 'pg';
import { pgDriver } from './pg-driver.js';
import { ensureSchema } from './pg-schema.js';
import { redactUrl, urlPassword } from './pg-url.js';
import { StateUnavailable } from './storage.js';

/** Errors of the connection, not of a statement: the server gone, refusing, restarting. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (typeof e.code === 'string' && (/^E[A-Z]+$/.test(e.code) || /^(08|57P)/.test(e.code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|Query read timeout/i.test(e.message ?? '');
}

/**
 * $PGPASSWORD is the database's, not the steps': they inherit this process's environment (a step
 * printing it would put it in its log, the journal and the database). Taken out of the
 * environment once, at the first connection, and given to the driver from here.
 */
let envPassword: { readonly value: string | undefined } | undefined;
function takeEnvPassword(): string | undefined {
  if (!envPassword) {
    envPassword = { value: process.env.PGPASSWORD };
    delete process.env.PGPASSWORD;
  }
  return envPassword.value;
}

/** `url` with `password` in it (the driver lets the URL's fields override its own options). */
function withPassword(url: string, password: string): string {
  try {
    const u = new URL(url);
    u.password = encodeURIComponent(password);
    return u.toString();
  } catch {
    return url;
  }
}

export class PgConnection {
  readonly where: string;
  readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;
  private readonly password: string | undefined;
  private readonly envPassword: string | undefined;
  /** What the driver connects with: the URL, with $PGPASSWORD in it when it has none. */
  private readonly connectionString: string;

  constructor(readonly url: string) {
    this.where = redactUrl(url);
    this.password = urlPassword(url);
    this.envPassword = takeEnvPassword();
    this.connectionString = this.password || this.envPassword === undefined ? url : withPassword(url, this.envPassword);
    this.pool = new (pgDriver().Pool)(this.config({ max: 4, idleTimeoutMillis: 10_000 }));
    // An idle connection that breaks (the server restarted) is dropped; the next query makes a new one.
    this.pool.on('error', () => {});
  }

  /** The driver's settings, for the pool and for the journal's own connections. */
  config(extra: pg.ClientConfig & pg.PoolConfig = {}): pg.PoolConfig {
    const timeout = Number(process.env.RUNBOOK_DB_TIMEOUT_MS ?? 10_000);
    // No JIT: our statements are small, and a plan the server cannot estimate well (a database
    // not yet analysed) costs enough to be compiled by LLVM first: `runs` over 1,000 runs took
    // 0.4 s more. Set at connection (no round trip); PGOPTIONS is kept, the URL's `options` win.
    const options = [process.env.PGOPTIONS, '-c jit=off'].filter(Boolean).join(' ');
    return { connectionString: this.connectionString, connectionTimeoutMillis: timeout, query_timeout: timeout, application_name: 'runbook', options, ...extra };
  }

  /** Connect and make or check the schema; the first failure is the caller's (exit 5 at start). */
  open(): Promise<void> {
    this.ready ??= (async () => {
      const client = await this.pool.connect();
      try {
        await ensureSchema(client, this.where);
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw this.translate(err);
    });
    return this.ready;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    await this.open();
    try {
      return await this.pool.query<R>(text, params);
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** Several statements in one transaction on one connection. */
  async transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.open();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const value = await body(client);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      broken = isConnectionError(err);
      if (!broken) await client.query('ROLLBACK').catch(() => {});
      throw this.translate(err);
    } finally {
      client.release(broken);
    }
  }

  /** A connection error as one line naming the database (no password); other errors as they are. */
  translate(err: unknown): unknown {
    if (err instanceof StateUnavailable || !isConnectionError(err)) return err;
    return new StateUnavailable(`the database ${this.where} is unreachable (${this.mask(describe(err))})`);
  }

  mask(text: string): string {
    let out = text;
    for (const p of [this.password, this.envPassword]) if (p) out = out.split(p).join('***');
    return out;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e.message ?? String(err)).split('\n')[0]!;
  return e.code && /^E[A-Z]+$/.test(e.code) && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
