/**
 * Notifications: the journal's records (and notify steps) become notices, sent to the channels
 * `notify.events` names (a JSON-lines file, a webhook, an email). Each is journaled queued before
 * it goes out and sent or failed once answered, under a Message-ID derived from the record it
 * comes from: a resumed session reading the same journal sends what was never queued, resends a
 * queued one never answered (same Message-ID), and nothing else. A failed notification is a
 * warning and never fails or blocks the change; `flush` waits for deliveries in progress.
 */
import type { EngineEvent } from '../engine/events.js';
import { failpoint } from '../engine/failpoint.js';
import type { JournalPort } from '../engine/ports.js';
import type { Channel, Runbook } from '../model/types.js';
import type { JournalRecord, NotifyQueuedRecord } from '../state/records.js';
import { Ledger, messageIdOf } from './ledger.js';
import { type Notice, NoticeDeriver } from './notices.js';
import { DEFAULT_RETRY, type RetryPolicy } from './outcome.js';
import { type Progress, ProgressTracker } from './progress.js';
import { type Attachments, sendToChannel } from './send.js';

export interface NotifierOptions {
  readonly runbook: Runbook;
  readonly runId: string;
  /** The journal so far: what was sent, and the records whose notices may never have been queued. */
  readonly records: readonly JournalRecord[];
  readonly journal: JournalPort;
  readonly secrets: Readonly<Record<string, string>>;
  /** A webhook url or header with its templates filled in (secrets as their value). */
  readonly fill: (template: string, what: string) => string;
  readonly mask: (text: string) => string;
  readonly warn: (message: string) => void;
  readonly windowEnd?: number | undefined;
  readonly resumeHint?: string | undefined;
  readonly attachments?: Attachments | undefined;
  readonly retry?: RetryPolicy | undefined;
  /** A journal append failed (a full disk): the session stops the run, as for any record. */
  readonly onJournalError?: ((err: unknown) => void) | undefined;
}

const now = () => new Date().toISOString();

export class Notifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly ledger: Ledger;
  private readonly deriver: NoticeDeriver;
  private readonly progress: ProgressTracker;
  private readonly warnings = new Map<string, number>();
  /** The notify step running now (its started record), for its messages' names. */
  private notifyStep: string | undefined;
  /** Queued in an earlier session and never answered: sent again by `start`. */
  resent = 0;

  constructor(private readonly o: NotifierOptions) {
    this.ledger = new Ledger(o.records);
    this.deriver = new NoticeDeriver(o.runbook);
    this.progress = new ProgressTracker(o.runbook);
  }

  /**
   * Catches up with the journal: resends what was queued and never answered, then sends the
   * notices of records whose own were never queued (the CLI died in between).
   */
  async start(): Promise<void> {
    for (const queued of this.ledger.unanswered()) {
      this.resent++;
      this.track(this.deliver(queued));
    }
    for (const r of this.o.records) await this.onRecord(r, false);
  }

  /** A record the engine has just journaled. */
  async onRecord(r: JournalRecord, fresh = true): Promise<void> {
    if (fresh) this.ledger.add(r);
    this.progress.add(r);
    // Named by visit, not attempt: a notify step re-run after a kill (attempt 2) is the same
    // message, so what was sent is not sent again and what was queued goes with its Message-ID.
    if (r.type === 'step_started' && r.kind === 'notify') this.notifyStep = `${r.key}#${r.visit}`;
    for (const notice of this.deriver.of(r)) await this.queue(notice, this.o.runbook.events[notice.event as keyof Runbook['events']] ?? []);
  }

  /** Engine events that no record carries: the point of no return passing while a step runs. */
  onEvent(e: EngineEvent): void {
    if (e.type !== 'window_warning') return;
    const n = (this.warnings.get(e.ref.key) ?? 0) + 1;
    this.warnings.set(e.ref.key, n);
    void this.queue({ event: 'window_overrun', about: `window_warning ${e.ref.key}#${n}`, text: e.message, step: e.ref.key }, this.o.runbook.events.window_overrun ?? []);
  }

  /** A notify step: to the named channels, or all of them; resolves once they answered. */
  async send(text: string, to: readonly string[] | undefined): Promise<void> {
    const names = to ?? Object.keys(this.o.runbook.channels);
    const about = `message ${this.notifyStep ?? 'step'}`;
    const before = new Set(this.pending);
    await this.queue({ event: 'message', about, text, step: this.notifyStep?.split('#')[0] }, names);
    await Promise.allSettled([...this.pending].filter((p) => !before.has(p)));
  }

  /**
   * `runbook notify`: the newest notice of `event` again, as a new message referring to the
   * first one sent to each channel. Returns how many channels it went to.
   */
  async resend(event: string, channels?: readonly string[]): Promise<number> {
    const notices: Notice[] = [];
    const deriver = new NoticeDeriver(this.o.runbook);
    for (const r of this.o.records) {
      this.progress.add(r);
      notices.push(...deriver.of(r).filter((n) => n.event === event));
    }
    const notice = notices[notices.length - 1];
    if (!notice) return -1;
    const names = channels ?? this.o.runbook.events[notice.event as keyof Runbook['events']] ?? [];
    const sent = this.ledger.all().map((d) => d.queued);
    for (const name of names) {
      const first = sent.find((q) => q.about === notice.about && q.event === notice.event && q.channel === name && !q.references);
      const n = sent.filter((q) => q.references !== undefined && q.about.startsWith(`${notice.about} resend`) && q.channel === name).length + 1;
      await this.queue({ ...notice, about: `${notice.about} resend ${n}` }, [name], first?.messageId ?? messageIdOf(this.o.runId, notice.event, notice.about, name));
    }
    return names.length;
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async queue(notice: Notice, names: readonly string[], references?: string): Promise<void> {
    for (const name of names) {
      const channel = this.o.runbook.channels[name];
      if (!channel) {
        this.o.warn(`notification channel ${name} is not defined`);
        continue;
      }
      const messageId = messageIdOf(this.o.runId, notice.event, notice.about, name);
      if (this.ledger.has(messageId)) continue;
      const { mask } = this.o;
      const queued: NotifyQueuedRecord = {
        type: 'notify_queued',
        at: now(),
        messageId,
        channel: name,
        event: notice.event,
        about: notice.about,
        text: mask(notice.text),
        step: notice.step,
        reason: notice.reason === undefined ? undefined : mask(notice.reason),
        to: channel.type === 'email' ? [...channel.to, ...channel.cc] : undefined,
        references,
      };
      this.ledger.add(queued);
      failpoint('notify-before-queued');
      try {
        // Unsynced (flushed by the engine's next synced record): a power cut that loses it only
        // means the notice is queued again under the same Message-ID, and sent again.
        await this.o.journal.append(queued, { sync: false });
      } catch (err) {
        this.o.onJournalError?.(err);
        this.o.warn(`notification to ${name} (${notice.event}) not sent: the journal could not record it (${(err as Error).message})`);
        continue;
      }
      failpoint('notify-after-queued');
      this.track(this.deliver(queued));
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Sends one queued notification and journals the answer; never throws. */
  private async deliver(q: NotifyQueuedRecord): Promise<void> {
    const channel: Channel | undefined = this.o.runbook.channels[q.channel];
    const { mask, warn } = this.o;
    const label = `notification to ${q.channel} (${q.event})`;
    const base = { at: '', messageId: q.messageId, channel: q.channel, event: q.event };
    try {
      const out = channel
        ? await sendToChannel(channel, q, {
            runbook: this.o.runbook,
            runId: this.o.runId,
            progress: this.progressNow(),
            secrets: this.o.secrets,
            fill: this.o.fill,
            attachments: this.o.attachments,
            retry: this.o.retry ?? DEFAULT_RETRY,
            mask,
          })
        : { ok: false as const, reason: `channel ${q.channel} is no longer defined`, transient: false, attempts: 0 };
      if (out.ok) {
        failpoint('notify-after-accepted');
        const rejected = out.rejected?.map((r) => ({ address: r.address, response: mask(r.response) }));
        await this.o.journal.append({ ...base, type: 'notify_sent', at: now(), response: mask(out.response), attempts: out.attempts, accepted: out.accepted, rejected }, { sync: false });
        failpoint('notify-after-sent');
        if (rejected?.length) warn(`${label}: the server REFUSED ${rejected.map((r) => `${r.address} (${r.response})`).join(', ')}; the others got it`);
      } else {
        const reason = mask(out.reason);
        await this.o.journal.append({ ...base, type: 'notify_failed', at: now(), reason, attempts: out.attempts, permanent: !out.transient }, { sync: false });
        warn(`${label} failed${out.attempts > 1 ? ` after ${out.attempts} attempts` : ''}: ${reason}`);
      }
    } catch (err) {
      this.o.onJournalError?.(err);
      warn(`${label}: ${mask((err as Error).message)}`);
    }
  }

  private progressNow(): Progress {
    return { ...this.progress.now(), windowLeftMs: this.o.windowEnd === undefined ? undefined : this.o.windowEnd - Date.now(), resume: this.o.resumeHint };
  }
}
