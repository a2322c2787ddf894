/**
 * The change record's Notifications section: which notifications were sent and which failed.
 * The journal's delivery records (notify_queued, notify_sent, notify_failed) are read here;
 * Pure.
 */
import { type Block, text } from './document.js';
import type { Report } from './report-model.js';
import { when } from './report-words.js';

export function notificationBlocks(r: Report, zone: string | undefined): Block[] {
  if (r.notifications.length === 0) return [text('No notification was sent.')];
  const rows = r.notifications.map((n) => [
    when(n.at, zone),
    `${n.event}${n.step ? ` ${n.step}` : ''}${n.references ? ' (sent again by hand)' : ''}`,
    n.channel,
    n.to.join(', '),
    n.status === 'queued' ? 'not answered (resume sends it)' : n.status,
    [n.detail, ...(n.refused.length ? [`REFUSED: ${n.refused.join(', ')}`] : [])].filter(Boolean).join('; '),
  ]);
  return [{ kind: 'table', head: ['When', 'Event', 'Channel', 'To', 'Status', 'Answer'], rows }];
}
