/**
 * Markdown escaping (CommonMark and GitHub flavour): text from a runbook or a run can never
 * become markup, a link, an HTML tag, a table cell boundary or a code fence.
 */
import { cleanText, paragraphsOf } from './sanitize.js';

/** One line of text: punctuation that means something is backslash-escaped, `<>&` are entities. */
export function mdInline(line: string, lineStart = true): string {
  const escaped = cleanText(line)
    .replace(/\n/g, ' ')
    .replace(/[\\`*_[\]|~$]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/:\/\//g, ':\\/\\/')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`);
  // What only means something at the start of a line: lists, headings, setext underlines.
  if (!lineStart) return escaped;
  return escaped.replace(/^(\s*)(\d+)([.)])/, '$1$2\\$3').replace(/^(\s*)([-=+#])/, '$1\\$2');
}

/** Prose that may span lines (./sanitize.ts paragraphsOf): paragraphs, and breaks before list items. */
export function mdText(text: string): string {
  return paragraphsOf(text)
    .map((lines) => lines.map((l) => mdInline(l)).join('  \n'))
    .join('\n\n');
}

/** A table cell: one line, `|` escaped, breaks as `<br>`. */
export function mdCell(text: string): string {
  const lines = paragraphsOf(text).flatMap((lines) => lines.map((l) => mdInline(l)));
  return lines.length === 0 ? ' ' : lines.join('<br>');
}

/** Inline code that no backtick in the text can close early. */
export function mdCodeSpan(text: string, inTable = false): string {
  let body = cleanText(text).replace(/\n/g, ' ');
  if (inTable) body = body.replace(/\|/g, '\\|');
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any run of backticks in the text. */
export function mdFence(text: string): string {
  const body = cleanText(text).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}text\n${body}\n${fence}`;
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
