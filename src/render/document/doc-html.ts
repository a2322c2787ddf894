/**
 * A Doc (./document.ts) as one self-contained HTML file: inline CSS, no scripts, no remote
 * assets (a Content-Security-Policy says so too), every piece of text escaped.
 */
import { type Block, type Doc, plain, type Rich, type StepBlock } from './document.js';
import { escapeHtml, htmlId, htmlLines, htmlParagraphs } from './escape-html.js';
import { DOCUMENT_CSS } from './html-style.js';
import { cleanText } from './sanitize.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'";

function rich(r: Rich): string {
  if (typeof r === 'string') return htmlLines(r);
  return r.map((s) => (typeof s === 'string' ? escapeHtml(s) : `<code>${escapeHtml(s.code)}</code>`)).join('');
}

function paragraphs(r: Rich): string {
  return typeof r === 'string' ? htmlParagraphs(r) : `<p>${rich(r)}</p>`;
}

/**
 * A table cell. One holding a word too long for any column may break anywhere (its table then
 * still fits the page); other cells break only between words, so short columns keep their width.
 */
function cell(r: Rich): string {
  return `<td${/\S{32,}/.test(plain(r)) ? ' class="wrap"' : ''}>${rich(r)}</td>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return b.tone ? `<div class="${b.tone}">${paragraphs(b.text)}</div>` : paragraphs(b.text);
    case 'fields':
      return `<dl class="fields">\n${b.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${rich(v)}</dd>`).join('\n')}\n</dl>`;
    case 'table': {
      const head = `<tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const rows = b.rows.map((r) => `<tr>${b.head.map((_, i) => cell(r[i] ?? '')).join('')}</tr>`);
      return `<table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
    }
    case 'list':
      return `<ul>\n${b.items.map((i) => `<li>${rich(i)}</li>`).join('\n')}\n</ul>`;
    case 'code':
      return `${b.label ? `<p>${escapeHtml(b.label)}</p>\n` : ''}<pre><code>${escapeHtml(b.text.replace(/\n+$/, ''))}</code></pre>`;
    case 'steps':
      return `<div class="steps">\n${b.steps.map(step).join('\n')}\n</div>`;
    case 'signoff': {
      const rows = b.roles.map((r) => `<tr><td>${escapeHtml(r)}</td><td></td><td></td><td></td></tr>`);
      return `<table class="signoff">\n<thead><tr><th>Role</th><th>Name</th><th>Date</th><th>Signature</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
    }
  }
}

/**
 * A CSS string that holds only letters, digits, spaces and safe punctuation; every other
 * character as a CSS escape, so no text can end the string or the style sheet.
 */
function cssString(text: string): string {
  return `"${cleanText(text)
    .replace(/\s+/g, ' ')
    .replace(/[^A-Za-z0-9 .,:()_-]/gu, (c) => `\\${c.codePointAt(0)!.toString(16)} `)}"`;
}

/** Each printed page's margins: what the document is, when and from what, and the page number. */
function pageMargins(doc: Doc): string {
  const m = doc.margins ?? {};
  const box = (where: string, text: string | undefined) => (text ? `@${where} { content: ${cssString(text)}; }` : '');
  return `@page { ${box('top-left', m.topLeft ?? doc.kind)} ${box('top-right', m.topRight)} ${box('bottom-left', m.bottomLeft)}
  @bottom-right { content: "Page " counter(page) " of " counter(pages); } }`;
}

function step(s: StepBlock): string {
  const marks = (s.marks ?? []).map((m) => `<span class="mark ${htmlId(m)}">${escapeHtml(m)}</span>`).join('');
  const tags = s.tags.length ? ` <span class="tag">(${escapeHtml(s.tags.join(', '))})</span>` : '';
  const head = `<div class="step-head"><span class="num">${escapeHtml(s.number)}</span> ${escapeHtml(s.title)}${marks}${tags}</div>`;
  return `<div class="step">\n${head}\n${s.body.map(block).join('\n')}\n</div>`;
}

export function docToHtml(doc: Doc): string {
  const sections = doc.sections.map((s) => `<section id="${htmlId(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(block).join('\n')}\n</section>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${doc.title} (${doc.kind})`)}</title>
<style>${DOCUMENT_CSS}${pageMargins(doc)}
</style>
</head>
<body>
<header>
<p class="kind">${escapeHtml(doc.kind)}</p>
<h1>${escapeHtml(doc.title)}</h1>
</header>
<main>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
