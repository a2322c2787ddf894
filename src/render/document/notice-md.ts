/** The change notification as Markdown. */
import type { Runbook } from '../../model/types.js';
import { docToMarkdown } from './doc-md.js';
import { buildNotice, type NoticeOptions } from './notice-model.js';

export function renderNoticeMarkdown(runbook: Runbook, opts: NoticeOptions): string {
  return docToMarkdown(buildNotice(runbook, opts));
}
