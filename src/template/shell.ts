/**
 * Inserting values into shell text so that no value can change the command's structure.
 *
 * A small lexer follows the command up to each `${{ }}` to know where it stands (unquoted, in
 * single quotes, in double quotes, in a comment, in a here-document) and quotes the value for
 * exactly that place: `'…'` words when unquoted (a list becomes several words), `'\''` inside
 * single quotes, backslash escapes inside double quotes and here-documents. Backquotes are
 * refused (use `$(…)`), as is a value that would end a here-document.
 */
import { parseTemplate, type Ref } from './parse.js';

/** What a reference resolves to: a value, or (plans only) text shown as is, e.g. `***`. */
export type Resolved = { readonly value: unknown } | { readonly display: string };
export type Resolver = (ref: Ref) => Resolved;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Mode = 'plain' | 'subshell' | 'backquote' | 'single' | 'double' | 'comment' | 'heredoc';
interface Heredoc {
  readonly delimiter: string;
  readonly expands: boolean;
  readonly stripTabs: boolean;
}

/** Tracks the quoting context of shell text, one character at a time. */
class ShellLexer {
  private stack: Mode[] = ['plain'];
  private pending: Heredoc[] = [];
  private heredoc: Heredoc | undefined;
  private line = '';
  private prev = '\n';

  get mode(): Mode {
    return this.heredoc ? 'heredoc' : (this.stack[this.stack.length - 1] ?? 'plain');
  }
  get currentHeredoc(): Heredoc | undefined {
    return this.heredoc;
  }

  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      const next = text[i + 1];
      if (this.heredoc) {
        this.feedHeredoc(c);
        continue;
      }
      const mode = this.mode;
      if (mode === 'single') {
        if (c === "'") this.stack.pop();
      } else if (mode === 'comment') {
        if (c === '\n') this.stack.pop();
      } else if (c === '\\' && next !== undefined) {
        i++;
      } else if (mode === 'double') {
        if (c === '"') this.stack.pop();
        else if (c === '$' && next === '(') (this.stack.push('subshell'), i++);
        else if (c === '`') this.stack.push('backquote');
      } else {
        i = this.feedCode(text, i, c, next);
      }
      // Outside a here-document the line's text is never read: only its end matters.
      if (c === '\n') this.startLine();
      this.prev = c;
    }
  }

  /** Unquoted code (top level, `$(…)`, backquotes). Returns the index of the last character used. */
  private feedCode(text: string, i: number, c: string, next: string | undefined): number {
    const mode = this.mode;
    if (c === "'") this.stack.push('single');
    else if (c === '"') this.stack.push('double');
    else if (c === '`') {
      if (mode === 'backquote') this.stack.pop();
      else this.stack.push('backquote');
    } else if (c === '$' && next === '(') {
      this.stack.push('subshell');
      return i + 1;
    } else if (c === '(' && mode === 'subshell') this.stack.push('subshell');
    else if (c === ')' && mode === 'subshell') this.stack.pop();
    else if (c === '#' && /[\s;&|()]/.test(this.prev)) this.stack.push('comment');
    else if (c === '<' && next === '<' && text[i + 2] !== '<') {
      const m = /^<<(-?)[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([A-Za-z0-9_.-]+))/.exec(text.slice(i));
      if (m) {
        const delimiter = m[2] ?? m[3] ?? m[4] ?? '';
        this.pending.push({ delimiter, expands: m[2] === undefined && m[3] === undefined && !m[0].includes('\\'), stripTabs: m[1] === '-' });
        return i + m[0].length - 1;
      }
    }
    return i;
  }

  private startLine(): void {
    this.line = '';
    if (!this.heredoc && this.pending.length > 0 && this.mode !== 'comment') this.heredoc = this.pending.shift();
  }

  private feedHeredoc(c: string): void {
    if (c !== '\n') {
      this.line += c;
      return;
    }
    const h = this.heredoc!;
    const line = h.stripTabs ? this.line.replace(/^\t+/, '') : this.line;
    this.line = '';
    if (line === h.delimiter) this.heredoc = this.pending.shift();
  }
}

const singleQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(scalar);
  return [scalar(value)];
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function quoteFor(lexer: ShellLexer, value: unknown, raw: string): string {
  const list = words(value);
  switch (lexer.mode) {
    case 'plain':
    case 'subshell':
      return list.map(singleQuote).join(' ');
    case 'single':
      return list.join(' ').replace(/'/g, `'\\''`);
    case 'double':
      return list.join(' ').replace(/[\\$`"]/g, '\\$&');
    case 'comment':
      return list.join(' ').replace(/[\r\n]+/g, ' ');
    case 'backquote':
      throw new TemplateError(`\${{ ${raw} }} is inside backquotes: use $(…) instead`);
    case 'heredoc': {
      const h = lexer.currentHeredoc!;
      const text = list.join(' ');
      const lines = text.split('\n').map((l) => (h.stripTabs ? l.replace(/^\t+/, '') : l));
      if (lines.some((l) => l === h.delimiter)) throw new TemplateError(`the value of \${{ ${raw} }} contains a line that would end the here-document`);
      return h.expands ? text.replace(/[\\$`]/g, '\\$&') : text;
    }
  }
}

/** Shell text with every value quoted for where it stands. Throws TemplateError on bad syntax. */
export function renderShell(template: string, resolve: Resolver): string {
  const parsed = parseTemplate(template);
  if (parsed.errors.length > 0) throw new TemplateError(parsed.errors[0]!.message);
  const lexer = new ShellLexer();
  let out = '';
  for (const seg of parsed.segments) {
    if ('text' in seg) {
      lexer.feed(seg.text);
      out += seg.text;
      continue;
    }
    const resolved = resolve(seg.ref);
    if ('display' in resolved) {
      // A plan shows a placeholder; the lexer is not fed, as a real value would not be either.
      out += resolved.display;
      continue;
    }
    out += quoteFor(lexer, resolved.value, seg.ref.raw);
  }
  return out;
}

/** Plain text (messages, manual instructions): values as text, lists joined with ", ". */
export function renderText(template: string, resolve: Resolver): string {
  const parsed = parseTemplate(template);
  if (parsed.errors.length > 0) throw new TemplateError(parsed.errors[0]!.message);
  return parsed.segments
    .map((seg) => {
      if ('text' in seg) return seg.text;
      const r = resolve(seg.ref);
      return 'display' in r ? r.display : words(r.value).join(', ');
    })
    .join('');
}
