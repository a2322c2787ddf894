/** What a run's journal says was notified: each notification, to whom, and how it ended. Pure. */
import type { JournalRecord } from './records.js';

export interface NotificationEntry {
  readonly at: string;
  readonly messageId: string;
  readonly event: string;
  readonly step?: string | undefined;
  readonly channel: string;
  readonly to: readonly string[];
  /** `queued`: never answered (the CLI stopped before; a resume sends it again). */
  readonly status: 'sent' | 'failed' | 'queued';
  /** The server's answer, or why it failed. */
  readonly detail: string;
  readonly attempts?: number | undefined;
  /** Recipients the server refused (the others got it). */
  readonly refused: readonly string[];
  /** A resend by hand: the Message-ID it refers to. */
  readonly references?: string | undefined;
}

export function notificationsOf(records: readonly JournalRecord[]): NotificationEntry[] {
  const byId = new Map<string, NotificationEntry>();
  for (const r of records) {
    if (r.type === 'notify_queued') {
      byId.set(r.messageId, {
        at: r.at,
        messageId: r.messageId,
        event: r.event,
        step: r.step,
        channel: r.channel,
        to: r.to ?? [],
        status: 'queued',
        detail: '',
        refused: [],
        references: r.references,
      });
    } else if (r.type === 'notify_sent' || r.type === 'notify_failed') {
      const q = byId.get(r.messageId);
      if (!q) continue;
      byId.set(
        r.messageId,
        r.type === 'notify_sent'
          ? { ...q, at: r.at, status: 'sent', detail: r.response, attempts: r.attempts, refused: (r.rejected ?? []).map((x) => `${x.address} (${x.response})`) }
          : { ...q, at: r.at, status: 'failed', detail: `${r.reason}${r.permanent ? '' : ' (after retries)'}`, attempts: r.attempts },
      );
    }
  }
  return [...byId.values()];
}
