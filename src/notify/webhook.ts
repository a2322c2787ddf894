/**
 * One POST to a webhook, its answer classified: 429, a 5xx or a network error is worth retrying,
 * any other 4xx is not. The URL and headers come filled in (secrets included): they are never
 * part of a reason, which names the host only.
 */
import type { Outcome } from './outcome.js';

export async function postWebhook(url: string, headers: Readonly<Record<string, string>>, body: unknown, timeoutMs: number): Promise<Outcome> {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return { ok: false, reason: 'the url is not a valid URL once filled in', transient: false };
  }
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
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, reason: `${host}: ${why}`, transient: true };
  }
}
