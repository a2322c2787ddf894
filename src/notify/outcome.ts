/** What one attempt to hand a notification over came to, whatever the channel. */
export type Outcome =
  | {
      readonly ok: true;
      /** The server's answer, for the journal. */
      readonly response: string;
      readonly accepted?: readonly string[] | undefined;
      readonly rejected?: readonly { readonly address: string; readonly response: string }[] | undefined;
    }
  | { readonly ok: false; readonly reason: string; readonly transient: boolean };

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The delay before the second attempt; doubled after each. */
  readonly baseMs: number;
  /** No attempt starts after this much time from the first (the CLI waits for deliveries at exit). */
  readonly budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 1_000, budgetMs: 60_000 };

/** Retries transient failures with backoff; a permanent one, or success, ends it. */
export async function withRetries(send: () => Promise<Outcome>, policy: RetryPolicy, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<Outcome & { attempts: number }> {
  const start = Date.now();
  let delay = policy.baseMs;
  for (let attempt = 1; ; attempt++) {
    const out = await send();
    if (out.ok || !out.transient || attempt >= policy.attempts || Date.now() - start + delay > policy.budgetMs) return { ...out, attempts: attempt };
    await sleep(delay);
    delay *= 2;
  }
}
