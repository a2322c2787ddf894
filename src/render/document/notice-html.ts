/** The change notification as one self-contained HTML file. */
import type { Runbook } from '../../model/types.js';
import { docToHtml } from './doc-html.js';
import { buildNotice, type NoticeOptions } from './notice-model.js';

export function renderNoticeHtml(runbook: Runbook, opts: NoticeOptions): string {
  return docToHtml(buildNotice(runbook, opts));
}
