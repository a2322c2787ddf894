/**
 * A real PostgreSQL server per test file (./pg-server.mjs): `const pg = usePostgres()` inside a
 * describeWith(pgMissing, …) starts it before the file's tests and stops it after; `pg.db()` is a
 * fresh database per call.
 */
import { afterAll, beforeAll } from 'vitest';
import { type PostgresServer, postgresMissing, startPostgres } from './pg-server.mjs';

export { PASSWORD } from './pg-server.mjs';

/** Why the PostgreSQL tests cannot run here, or undefined. */
export const pgMissing = postgresMissing();

let dbs = 0;

export function usePostgres(): { server: () => PostgresServer; db: () => Promise<string> } {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
  }, 60_000);
  return {
    server: () => server!,
    db: () => server!.createDatabase(`t${process.pid}_${++dbs}`),
  };
}
