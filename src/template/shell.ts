/**
 * Inserting values into shell text so that no value can change the command's structure.
 *
 * A small lexer follows the command up to each `${{ }}` to know where it stands (unquoted, in
 * single quotes, in `$'…'`, in double quotes, in a comment, in a here-document) and quotes the
 * value for exactly that place: `'…'` words when unquoted (a list becomes several words), `'\''`
 * inside single quotes, backslash escapes inside `$'…'`, double quotes and here-documents.
 * Backquotes are refused (use `$(…)`), as is a value that would end a here-document.
 *
 * A value that must not appear in the command text (a secret: the text becomes an argument of
 * the shell, readable by every user in /proc/PID/cmdline) is passed in the step's environment
 * instead, and the text refers to that variable, quoted so that the shell sees the same string
 * as if the value stood there: `"${V}"` unquoted, `${V}` in double quotes and here-documents,
 * `'"${V}"'` in single quotes. A here-document with a quoted delimiter expands nothing, so a
 * reference there is refused (as is one in backquotes).
 */
import { parseTemplate, type Ref } from './parse.js';

/**
 * What a reference resolves to: a value; an environment variable that holds the value (the
 * command refers to it, the value stays out of the text); or (plans only) text shown as is,
 * e.g. `***`.
 */
export type Resolved = { readonly value: unknown } | { readonly env: string } | { readonly display: string };
export type Resolver = (ref: Ref) => Resolved;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export type Mode = 'plain' | 'subshell' | 'backquote' | 'single' | 'ansi' | 'double' | 'comment' | 'heredoc';
export interface Heredoc {
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
      } else if (mode === 'ansi') {
        if (c === '\\' && next !== undefined) i++;
        else if (c === "'") this.stack.pop();
      } else if (mode === 'comment') {
        if (c === '\n') this.stack.pop();
      } else if (c === '\\' && next !== undefined) {
        i++;
      } else if (mode === 'double') {
        if (c === '"') this.stack.pop();
        else if (c === '$' && next === '(') this.stack.push('subshell'), i++;
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
    } else if (c === '$' && next === "'") {
      this.stack.push('ansi');
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
    case 'ansi':
      return list.join(' ').replace(/[\\']/g, '\\$&');
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

/** A reference to environment variable `name`, standing for its value exactly, where the lexer is. */
function referenceFor(lexer: ShellLexer, name: string, raw: string): string {
  const ref = `\${${name}}`;
  switch (lexer.mode) {
    case 'plain':
    case 'subshell':
      // Double quotes: one word, exactly the value (no splitting, no globbing), like '…' was.
      return `"${ref}"`;
    case 'single':
      return `'"${ref}"'`;
    case 'ansi':
      return `'"${ref}"$'`;
    case 'double':
    case 'comment':
      return ref;
    case 'backquote':
      throw new TemplateError(`\${{ ${raw} }} is inside backquotes: use $(…) instead`);
    case 'heredoc':
      if (!lexer.currentHeredoc!.expands) throw new TemplateError(quotedHeredocMessage(raw));
      return ref;
  }
}

export function quotedHeredocMessage(raw: string): string {
  return `\${{ ${raw} }} is in a here-document with a quoted delimiter (<<'EOF'), which expands nothing: a secret reaches the command only through its environment, so use an unquoted delimiter (<<EOF)`;
}

/** Where each reference of a command stands (validation reports the places a reference cannot be). */
export function contextsOf(template: string): { readonly ref: Ref; readonly mode: Mode; readonly heredoc: Heredoc | undefined }[] {
  const parsed = parseTemplate(template);
  const lexer = new ShellLexer();
  const out: { ref: Ref; mode: Mode; heredoc: Heredoc | undefined }[] = [];
  for (const seg of parsed.segments) {
    if ('text' in seg) lexer.feed(seg.text);
    else out.push({ ref: seg.ref, mode: lexer.mode, heredoc: lexer.currentHeredoc });
  }
  return out;
}

/**
 * Shell text with every value quoted for where it stands, and every `{ env }` reference as a
 * reference to that variable. Throws TemplateError on bad syntax or a place a value cannot go.
 */
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
    out += 'env' in resolved ? referenceFor(lexer, resolved.env, seg.ref.raw) : quoteFor(lexer, resolved.value, seg.ref.raw);
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
      if ('env' in r) throw new TemplateError(`\${{ ${seg.ref.raw} }} can only be used in a command`);
      return 'display' in r ? r.display : words(r.value).join(', ');
    })
    .join('');
}
