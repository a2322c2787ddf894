/** HTML escaping: text from a runbook or a run is always text, never markup. */
import { cleanText, paragraphsOf } from './sanitize.js';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Prose (./sanitize.ts paragraphsOf) as escaped lines joined with `<br>`, paragraphs too. */
export function htmlLines(text: string): string {
  return paragraphsOf(text)
    .map((lines) => lines.map(escapeHtml).join('<br>\n'))
    .join('<br>\n');
}

/** Prose as `<p>` paragraphs. */
export function htmlParagraphs(text: string): string {
  return paragraphsOf(text)
    .map((lines) => `<p>${lines.map(escapeHtml).join('<br>\n')}</p>`)
    .join('\n');
}

/** An id attribute value: lowercase letters, digits and dashes only. */
export function htmlId(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'section'
  );
}
