/**
 * The database's tables, made and migrated by the CLI itself. Each migration is applied once,
 * in order, under an advisory lock (two CLIs starting at once on an empty database both wait for
 * one to make it); a database whose schema is newer than this CLI is refused, since this CLI
 * cannot know what the newer one relies on.
 */
import type { PoolClient } from 'pg';
import { refused } from '../errors.js';

const MIGRATIONS: readonly string[] = [
  // 1: runs, their journals, locks (leases with a fencing epoch), and capped step logs.
  `CREATE TABLE runbook_runs (
     run_id text PRIMARY KEY,
     runbook_id text NOT NULL,
     created timestamptz NOT NULL DEFAULT now(),
     runbook_text text NOT NULL
   );
   CREATE TABLE runbook_journal (
     run_id text NOT NULL REFERENCES runbook_runs ON DELETE CASCADE,
     n integer NOT NULL,
     type text NOT NULL,
     key text,
     visit integer,
     attempt integer,
     epoch bigint NOT NULL,
     body text NOT NULL,
     PRIMARY KEY (run_id, n)
   );
   -- No machine can start the same step instance, visit and attempt twice.
   CREATE UNIQUE INDEX runbook_journal_started ON runbook_journal (run_id, key, visit, attempt) WHERE type = 'step_started';
   CREATE TABLE runbook_locks (
     runbook_id text PRIMARY KEY,
     epoch bigint NOT NULL DEFAULT 0,
     run_id text,
     holder text,
     renewed timestamptz,
     expires timestamptz
   );
   CREATE TABLE runbook_lock_events (
     at timestamptz NOT NULL DEFAULT now(),
     runbook_id text NOT NULL,
     event text NOT NULL,
     by_whom text NOT NULL,
     holder text
   );
   CREATE TABLE runbook_logs (
     run_id text NOT NULL REFERENCES runbook_runs ON DELETE CASCADE,
     seq integer NOT NULL,
     key text NOT NULL,
     host text NOT NULL,
     path text NOT NULL,
     PRIMARY KEY (run_id, seq, key)
   );
   CREATE TABLE runbook_log_chunks (
     run_id text NOT NULL,
     seq integer NOT NULL,
     key text NOT NULL,
     off bigint NOT NULL,
     data bytea NOT NULL,
     PRIMARY KEY (run_id, seq, key, off),
     FOREIGN KEY (run_id, seq, key) REFERENCES runbook_logs ON DELETE CASCADE
   );`,
  // 2: each run's summary (./summary.ts's JournalSummary, JSON), written in the statement that
  // appends each record, so \`runs\` reads a row per run; NULL for a run whose journal was begun
  // before this migration, summarised from its records instead.
  'ALTER TABLE runbook_runs ADD COLUMN summary text;',
];

export const SCHEMA_VERSION = MIGRATIONS.length;
const ADVISORY_KEY = 0x72756e62; // 'runb'

/** The schema at this CLI's version: one query when it already is. */
export async function ensureSchema(client: PoolClient, where: string): Promise<void> {
  const current = await readVersion(client);
  if (current === SCHEMA_VERSION) return;
  if (current !== undefined && current > SCHEMA_VERSION) throw newer(current, where);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS runbook_schema (version integer NOT NULL)');
    const r = await client.query<{ version: number }>('SELECT version FROM runbook_schema');
    const at = r.rows[0]?.version ?? 0;
    if (at > SCHEMA_VERSION) throw newer(at, where);
    for (let v = at; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
    if (r.rows.length === 0) await client.query('INSERT INTO runbook_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
    else await client.query('UPDATE runbook_schema SET version = $1', [SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

async function readVersion(client: PoolClient): Promise<number | undefined> {
  try {
    const r = await client.query<{ version: number }>('SELECT version FROM runbook_schema');
    return r.rows[0]?.version;
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return undefined; // no such table: a new database
    throw err;
  }
}

function newer(version: number, where: string) {
  return refused(`the runbook schema in ${where} is version ${version}, newer than this runbook CLI knows (${SCHEMA_VERSION}): upgrade runbook to use this database`);
}
