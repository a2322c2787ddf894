/**
 * A PostgreSQL state URL (`postgres://user@host:port/db`): how it is told from a directory, and
 * how it is shown. The password may come in the URL (then it is dropped from everything shown:
 * messages, the journal, resume hints), else from PGPASSWORD or ~/.pgpass, as libpq does.
 */

export function isPostgresUrl(state: string): boolean {
  return /^postgres(ql)?:\/\//i.test(state);
}

/** The URL without its password (in the authority or as ?password=), for people. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.searchParams.delete('password');
    return u.toString().replace(/\?$/, '');
  } catch {
    // Not parsable: show only the scheme and what follows the last '@' (never the userinfo).
    const at = url.lastIndexOf('@');
    return at < 0 ? url.replace(/:[^/:@]*$/, '') : `${url.slice(0, url.indexOf('//') + 2)}…${url.slice(at)}`;
  }
}

/** The password the URL carries, to mask it in anything that quotes a driver's message. */
export function urlPassword(url: string): string | undefined {
  try {
    const u = new URL(url);
    return decodeURIComponent(u.password) || u.searchParams.get('password') || undefined;
  } catch {
    return undefined;
  }
}
