/**
 * Notifications: engine events and notify steps, sent to the runbook's channels (a JSON-lines
 * file, or a webhook in JSON or Slack form) with a timeout and one retry. A failed notification
 * is reported as a warning and never fails or blocks the change; `flush` waits for deliveries
 * in progress (bounded by their timeouts) before the CLI exits.
 */
import { appendFileSync } from 'node:fs';
import type { EngineEvent } from '../engine/events.js';
import type { NotifyEvent } from '../model/schema.js';
import type { Channel, Runbook } from '../model/types.js';

export interface Notice {
  readonly event: NotifyEvent | 'message';
  readonly text: string;
  readonly step?: string | undefined;
}

export class Notifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly runbook: Runbook,
    private readonly runId: string,
    private readonly mask: (text: string) => string,
    private readonly warn: (message: string) => void,
  ) {}

  /** A notify step: to the named channels, or all of them. */
  send(text: string, to: readonly string[] | undefined): Promise<void> {
    const names = to ?? Object.keys(this.runbook.channels);
    return this.deliver(names, { event: 'message', text });
  }

  /** An engine event, to the channels its `notify.events` entry names. */
  onEvent(e: EngineEvent): void {
    const notice = toNotice(e);
    if (!notice || notice.event === 'message') return;
    const names = this.runbook.events[notice.event];
    if (names && names.length > 0) void this.deliver(names, notice);
    // A rolled-back run has finished too.
    if (notice.event === 'rollback_finished' && e.type === 'run_finished') {
      const finished = this.runbook.events.run_finished;
      if (finished && finished.length > 0) void this.deliver(finished, { event: 'run_finished', text: `${e.outcome}: ${e.message}` });
    }
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private deliver(names: readonly string[], notice: Notice): Promise<void> {
    const payload = {
      runbook: this.runbook.id,
      title: this.runbook.title,
      change: this.runbook.change,
      run: this.runId,
      event: notice.event,
      step: notice.step,
      text: this.mask(notice.text),
      at: new Date().toISOString(),
    };
    const all = Promise.all(
      names.map(async (name) => {
        const channel = this.runbook.channels[name];
        if (!channel) return this.warn(`notification channel ${name} is not defined`);
        try {
          await sendTo(channel, payload);
        } catch (err) {
          this.warn(`notification to ${name} failed: ${(err as Error).message}`);
        }
      }),
    ).then(() => undefined);
    this.pending.add(all);
    void all.finally(() => this.pending.delete(all));
    return all;
  }
}

type Payload = { readonly text: string; readonly title: string; readonly event: string; readonly [k: string]: unknown };

async function sendTo(channel: Channel, payload: Payload): Promise<void> {
  if (channel.type === 'file') {
    appendFileSync(channel.path, `${JSON.stringify(payload)}\n`, { mode: 0o600 });
    return;
  }
  const body = channel.format === 'slack' ? { text: `*${payload.title}*: ${payload.text}` } : payload;
  let lastError: unknown;
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const res = await fetch(channel.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...channel.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(channel.timeoutMs),
      });
      if (res.ok) return;
      lastError = new Error(`HTTP ${res.status}`);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function toNotice(e: EngineEvent): Notice | undefined {
  switch (e.type) {
    case 'run_started':
      return { event: 'run_started', text: e.resumed ? 'run resumed' : 'run started' };
    case 'step_started':
      if (e.attempt > 1) return undefined;
      if (e.ref.step.kind === 'manual') return { event: 'manual_step', text: `manual step ${e.ref.key}: ${e.detail ?? ''}`, step: e.ref.key };
      return { event: 'step_started', text: `step ${e.ref.key} started`, step: e.ref.key };
    case 'step_finished':
      if (e.replayed) return undefined;
      if (e.status === 'failed') return { event: 'step_failed', text: `step ${e.ref.key} failed: ${e.reason ?? ''}`, step: e.ref.key };
      return { event: 'step_succeeded', text: `step ${e.ref.key} ${e.status}`, step: e.ref.key };
    case 'rollback_started':
      return { event: 'rollback_started', text: `rollback started: ${e.reason}` };
    case 'escalated':
      return { event: 'escalated', text: `rollback failed: ${e.reason}. ${e.escalate ?? ''}`.trim() };
    case 'run_interrupted':
      return { event: 'run_interrupted', text: `run interrupted (${e.signal}): resumable` };
    case 'run_finished':
      return e.outcome === 'rolled_back' ? { event: 'rollback_finished', text: e.message } : { event: 'run_finished', text: `${e.outcome}: ${e.message}` };
    case 'window_warning':
      return { event: 'window_overrun', text: e.message, step: e.ref.key };
    case 'decision':
      return e.key.startsWith('window:') ? { event: 'window_overrun', text: `past the point of no return: ${e.decision}` } : undefined;
    default:
      return undefined;
  }
}
