/** The change record in each format: Markdown, one self-contained HTML file, or JSON. */
import { docToHtml } from './doc-html.js';
import { docToMarkdown } from './doc-md.js';
import { reportDoc } from './report-doc.js';
import type { Report } from './report-model.js';

export type ReportFormat = 'md' | 'html' | 'json';

export function renderReport(report: Report, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const doc = reportDoc(report);
  return format === 'html' ? docToHtml(doc) : docToMarkdown(doc);
}
