/**
 * The change record's Notifications section: which notifications were sent and which failed.
 * The journal's delivery records (notify_queued, notify_sent, notify_failed) are read here;
 * until a run journals them, the section says so. Pure.
 */
import { type Block, text } from './document.js';
import type { Report } from './report-model.js';

export function notificationBlocks(_report: Report, _zone: string | undefined): Block[] {
  return [text('No notification deliveries are recorded in the journal.')];
}
