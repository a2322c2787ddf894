/** A Doc (./document.ts) as Markdown: every piece of text escaped by ./escape-md.ts. */
import type { Block, Doc, Rich, StepBlock } from './document.js';
import { mdCell, mdCodeSpan, mdFence, mdInline, mdText } from './escape-md.js';

function rich(r: Rich): string {
  if (typeof r === 'string') return mdText(r);
  return r.map((s, i) => (typeof s === 'string' ? mdInline(s, i === 0) : mdCodeSpan(s.code))).join('');
}

function cell(r: Rich): string {
  if (typeof r === 'string') return mdCell(r);
  return (
    r
      .map((s) => (typeof s === 'string' ? mdCell(s).trim() : mdCodeSpan(s.code, true)))
      .join(' ')
      .trim() || ' '
  );
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text': {
      const body = rich(b.text);
      if (b.tone === undefined) return body;
      const lead = b.tone === 'alert' ? '**Important:** ' : '';
      return `${lead}${body}`
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n');
    }
    case 'fields':
      return b.rows.map(([label, value]) => `- **${mdInline(label, false)}:** ${rich(value).replace(/\n/g, '\n  ')}`).join('\n');
    case 'table': {
      const head = `| ${b.head.map((h) => mdCell(h)).join(' | ')} |`;
      const rule = `|${b.head.map(() => ' --- ').join('|')}|`;
      const rows = b.rows.map((r) => `| ${b.head.map((_, i) => cell(r[i] ?? '')).join(' | ')} |`);
      return [head, rule, ...rows].join('\n');
    }
    case 'list':
      return b.items.map((item) => `- ${rich(item).replace(/\n/g, '\n  ')}`).join('\n');
    case 'code':
      return `${b.label ? `${mdInline(b.label)}\n\n` : ''}${mdFence(b.text)}`;
    case 'steps':
      return b.steps.map(step).join('\n\n');
    case 'signoff':
      return ['| Role | Name | Date | Signature |', '| --- | --- | --- | --- |', ...b.roles.map((r) => `| ${mdCell(r)} | | | |`)].join('\n');
  }
}

function step(s: StepBlock): string {
  const marks = (s.marks ?? []).map((m) => `**${mdInline(m, false)}**`);
  const tags = s.tags.length ? ` _(${s.tags.map((t) => mdInline(t, false)).join(', ')})_` : '';
  const head = `**${mdInline(`${s.number} ${s.title}`, false)}**${marks.length ? ` ${marks.join(' ')}` : ''}${tags}`;
  return [head, ...s.body.map(block)].join('\n\n');
}

export function docToMarkdown(doc: Doc): string {
  const out = [`# ${mdInline(doc.title)}`, `_${mdInline(doc.kind)}_`];
  for (const section of doc.sections) {
    out.push(`## ${mdInline(section.title)}`);
    for (const b of section.blocks) out.push(block(b));
  }
  return `${out.filter((p) => p !== '').join('\n\n')}\n`;
}
