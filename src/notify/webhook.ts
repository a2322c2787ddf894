/**
 * One POST to a webhook, its answer classified: 429, a 5xx or a network error is worth retrying,
 * any other 4xx is not. The URL and headers come filled in (secrets included): they are never
 * part of a reason, which names the host only, as the runbook spells it.
 */
import type { Outcome } from './outcome.js';

/**
 * Whether a filled-in URL may be sent, and the host its reasons name. It must keep the origin its
 * template spells out: a value holding `/`, `@` or `:` could otherwise move the request, headers
 * and all, to another host (and a reason naming that host would show part of the value). It
 * carries no user or password: fetch sends none from a URL and refuses it with the whole URL in
 * its message. A template whose host is itself a reference, or the whole URL one, is meant to be
 * filled in so: its host is named "the webhook".
 */
export function checkWebhookUrl(template: string, url: string): { readonly host: string } | { readonly reason: string } {
  let filled: URL;
  try {
    filled = new URL(url);
  } catch {
    return { reason: 'the url is not a valid URL once filled in' };
  }
  if (filled.username !== '' || filled.password !== '') return { reason: 'the url holds a user or password, which is never sent from a url: put it in a header (Authorization)' };
  let spelled: URL | undefined;
  try {
    spelled = new URL(template);
  } catch {
    /* the host is a reference: not known before it is filled in */
  }
  if (spelled === undefined || spelled.host.includes('{')) return { host: 'the webhook' };
  if (spelled.origin !== filled.origin) return { reason: `the url no longer goes to ${spelled.host} once its values are filled in (a value holds "/", "@" or ":"): not sent` };
  return { host: spelled.host };
}

/** `host`: as checkWebhookUrl named it. */
export async function postWebhook(url: string, host: string, headers: Readonly<Record<string, string>>, body: unknown, timeoutMs: number): Promise<Outcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await res.body?.cancel().catch(() => {});
    if (res.ok) return { ok: true, response: `HTTP ${res.status}` };
    return { ok: false, reason: `${host} answered HTTP ${res.status}`, transient: res.status === 429 || res.status >= 500 };
  } catch (err) {
    // Words of our own or an error code only: fetch's messages may quote the url or a header.
    const e = err as Error & { cause?: { code?: unknown } };
    if (e.name === 'TimeoutError') return { ok: false, reason: `${host}: no answer within ${timeoutMs / 1000}s`, transient: true };
    // No cause: fetch refused the request itself (a header value with a line break, say).
    if (e.cause === undefined) return { ok: false, reason: `${host}: the request could not be made: a header is not valid once filled in`, transient: false };
    const code = typeof e.cause.code === 'string' && /^[A-Z0-9_]+$/.test(e.cause.code) ? e.cause.code : 'the request failed';
    return { ok: false, reason: `${host}: ${code}`, transient: true };
  }
}
