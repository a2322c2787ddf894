/**
 * The `pg` driver, loaded at its first use. It stays outside the bundle (a dependency), and a
 * static import of it anywhere would be hoisted to the bundle's top and load it at every
 * command's start, database or not; a require at first use keeps a directory state's commands
 * free of it.
 *
 * Before it loads, on Node 20: pg's stream module asks whether it runs in a Cloudflare Worker by
 * reading `navigator.userAgent`, and where there is no `navigator` by making a `new Response()`,
 * which loads Node's whole fetch implementation (about 40 ms of every database command). Node 21
 * and later define `navigator` with this user agent; on Node 20 it is defined here the same way.
 */
import { createRequire as requireFrom } from 'node:module';
import type Pg from 'pg';

export type PgDriver = typeof Pg;

let driver: PgDriver | undefined;

export function pgDriver(): PgDriver {
  if (driver) return driver;
  if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true, writable: true });
  }
  driver = requireFrom(import.meta.url)('pg') as PgDriver;
  return driver;
}
