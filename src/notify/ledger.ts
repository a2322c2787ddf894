/**
 * What the journal says about each notification: queued, then sent or failed. A queued one
 * without either was cut off (a kill between queueing and the answer being journaled): it is
 * sent again with the same Message-ID.
 */
import type { JournalRecord, NotifyFailedRecord, NotifyQueuedRecord, NotifySentRecord } from '../state/records.js';

export interface Delivery {
  readonly queued: NotifyQueuedRecord;
  sent?: NotifySentRecord | undefined;
  failed?: NotifyFailedRecord | undefined;
}

export class Ledger {
  private readonly byId = new Map<string, Delivery>();

  constructor(records: readonly JournalRecord[] = []) {
    for (const r of records) this.add(r);
  }

  add(r: JournalRecord): void {
    if (r.type === 'notify_queued') this.byId.set(r.messageId, { queued: r });
    else if (r.type === 'notify_sent' || r.type === 'notify_failed') {
      const d = this.byId.get(r.messageId);
      if (!d) return;
      if (r.type === 'notify_sent') d.sent = r;
      else d.failed = r;
    }
  }

  has(messageId: string): boolean {
    return this.byId.has(messageId);
  }

  /** Queued and never answered, oldest first. */
  unanswered(): NotifyQueuedRecord[] {
    return [...this.byId.values()].filter((d) => !d.sent && !d.failed).map((d) => d.queued);
  }

  all(): Delivery[] {
    return [...this.byId.values()];
  }
}

/**
 * A notification's Message-ID: the run, the event, what it is about and the channel. A resend
 * of the same notification keeps it; `runbook notify` makes a new one that refers to it.
 */
export function messageIdOf(runId: string, event: string, about: string, channel: string, domain = 'runbook.invalid'): string {
  const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '');
  return `<${slug(runId)}.${slug(event)}.${slug(about)}-${fnv(`${about}\n${channel}`)}.${slug(channel)}@${domain}>`;
}

/** A short hash, so that two abouts that slug alike (`a[b]`, `a-b`) stay apart. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}
