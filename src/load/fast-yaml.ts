/**
 * A fast reader for the plain subset of YAML that runbooks are written in: block mappings and
 * sequences, single-line flow collections, single-line plain and quoted scalars, literal block
 * scalars (`|`, `|-`) and comments. It returns the same value as the yaml library's
 * `doc.toJS()` (core schema), or undefined as soon as the text steps outside that subset, or
 * holds anything the library or ./yaml.ts would report (tags, anchors, aliases, duplicate keys,
 * odd indentation, tabs, ...): the caller then parses with the library, which reports it.
 *
 * Why: the library builds a full syntax tree and document for every node (about 50 µs per
 * step of a runbook); this reads the text once. Positions are only needed for problems, and a
 * runbook with problems is located through the library's document, parsed on demand.
 * test/load-fast-yaml.test.ts checks it against the library.
 */

/** Thrown (and caught in fastParseYaml) when the text leaves the subset. */
const BAIL: unique symbol = Symbol('bail');

/** Deeper than this, let the library (and its depth check) decide. */
const MAX_FAST_DEPTH = 48;

/** The YAML spec limits implicit keys to 1024 characters; stay well clear of it. */
const MAX_KEY_LENGTH = 512;

/**
 * Any character that needs the library's judgement: controls (tab and CR included), DEL and
 * C1, the BOM, line and paragraph separators, non-characters and lone surrogates.
 */
const UNUSUAL = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;

/** Plain keys read as strings by the core schema and by the library's toJS. */
const KEY_WORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);

/** Double-quoted escapes that stand for one fixed character (yaml's escapeCodes, without tab). */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
};

const NL = 10;
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/** `[A-Za-z_]`: the first character of a key. */
const isKeyStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
/** `[A-Za-z0-9_-]`: the rest of a key. */
const isKeyChar = (c: number): boolean => isKeyStart(c) || (c >= 48 && c <= 57) || c === DASH;

/** The value of `source` (a mapping at the top level), or undefined: use the library. */
export function fastParseYaml(source: string): Record<string, unknown> | undefined {
  if (UNUSUAL.test(source)) return undefined;
  try {
    return new Reader(source).document();
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

function bail(): never {
  throw BAIL;
}

/** Core schema resolution of a plain scalar, in the library's order (yaml/dist/schema/core). */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Everything that is not a string starts with one of these: ~ n N t T f F + - . 0-9
  if (!(c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57))) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

/** As the library's toJS adds a pair to a plain object (addPairToJSMap); duplicates bail. */
function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (Object.hasOwn(map, key)) bail();
  if (key in map) Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

class Reader {
  /** Start of the line the reader stands at. */
  private pos = 0;
  /** Set by peek(): where the next line with content starts, and its indentation. */
  private line = 0;
  private indent = 0;
  /** Set by the scalar and flow readers: the offset just after what they read. */
  private end = 0;

  constructor(private readonly src: string) {}

  document(): Record<string, unknown> {
    if (!this.peek() || this.indent !== 0) bail();
    const value = this.blockMap(0, 1, undefined);
    if (this.peek()) bail();
    return value;
  }

  /**
   * Finds the next line with content (blank and comment lines skipped) without moving past it:
   * true and `line`/`indent` set, or false at the end of the text.
   */
  private peek(): boolean {
    const src = this.src;
    let start = this.pos;
    while (start < src.length) {
      let i = start;
      while (src.charCodeAt(i) === SPACE) i++;
      if (i >= src.length) break;
      const c = src.charCodeAt(i);
      if (c === NL || c === HASH) {
        const nl = src.indexOf('\n', i);
        if (nl < 0) break;
        start = nl + 1;
        continue;
      }
      this.pos = this.line = start;
      this.indent = i - start;
      return true;
    }
    this.pos = src.length;
    return false;
  }

  /** The end of a key (`name:` followed by a space or the line's end) starting at i, or -1. */
  private keyEnd(i: number): number {
    const src = this.src;
    if (!isKeyStart(src.charCodeAt(i))) return -1;
    let j = i + 1;
    while (isKeyChar(src.charCodeAt(j))) j++;
    if (src.charCodeAt(j) !== COLON) return -1;
    const after = src.charCodeAt(j + 1);
    return after === SPACE || after === NL || j + 1 >= src.length ? j : -1;
  }

  private isSeqItem(i: number): boolean {
    const src = this.src;
    if (src.charCodeAt(i) !== DASH) return false;
    const after = src.charCodeAt(i + 1);
    return after === SPACE || after === NL || i + 1 >= src.length;
  }

  /**
   * A block mapping whose keys start in column `indent`. `first`: the offset of its first key
   * when that is not at the start of a line (`- key: value` in a sequence).
   */
  private blockMap(indent: number, depth: number, first: number | undefined): Record<string, unknown> {
    if (depth > MAX_FAST_DEPTH) bail();
    const src = this.src;
    const map: Record<string, unknown> = {};
    let at = first;
    for (;;) {
      if (at === undefined) {
        if (!this.peek() || this.indent < indent) break;
        if (this.indent > indent) bail();
        at = this.line + indent;
        // A sequence at the mapping's own indentation ends it (`key:` then `- item` lines).
        if (this.isSeqItem(at)) break;
      }
      const end = this.keyEnd(at);
      if (end < 0 || end - at > MAX_KEY_LENGTH) bail();
      const key = src.slice(at, end);
      if (KEY_WORDS.has(key)) bail();
      let i = end + 1;
      while (src.charCodeAt(i) === SPACE) i++;
      const c = src.charCodeAt(i);
      let value: unknown;
      if (i >= src.length || c === NL || c === HASH) {
        this.nextLine(i);
        value = this.nested(indent, depth, true);
      } else {
        value = this.inline(i, indent, depth);
      }
      setKey(map, key, value);
      at = undefined;
    }
    return map;
  }

  /** A block sequence whose dashes are in column `indent`. */
  private blockSeq(indent: number, depth: number): unknown[] {
    if (depth > MAX_FAST_DEPTH) bail();
    const src = this.src;
    const seq: unknown[] = [];
    for (;;) {
      if (!this.peek() || this.indent < indent) break;
      if (this.indent > indent) bail();
      const line = this.line;
      const dash = line + indent;
      if (src.charCodeAt(dash) !== DASH) break;
      if (!this.isSeqItem(dash)) bail();
      let i = dash + 1;
      while (src.charCodeAt(i) === SPACE) i++;
      const c = src.charCodeAt(i);
      if (i >= src.length || c === NL || c === HASH) {
        this.nextLine(i);
        seq.push(this.nested(indent, depth, false));
      } else if (this.isSeqItem(i)) {
        bail(); // `- - x`
      } else if (this.keyEnd(i) >= 0) {
        seq.push(this.blockMap(i - line, depth + 1, i));
      } else {
        seq.push(this.inline(i, indent, depth));
      }
    }
    return seq;
  }

  /** The block value on the lines after `key:` or `-` (null when there is none). */
  private nested(parent: number, depth: number, seqAtSameIndent: boolean): unknown {
    if (!this.peek()) return null;
    const indent = this.indent;
    const at = this.line + indent;
    if (indent > parent) {
      if (this.isSeqItem(at)) return this.blockSeq(indent, depth + 1);
      if (this.keyEnd(at) >= 0) return this.blockMap(indent, depth + 1, undefined);
      bail(); // a scalar on its own line, a flow collection, ...
    }
    if (indent === parent && seqAtSameIndent && this.isSeqItem(at)) return this.blockSeq(parent, depth + 1);
    return null;
  }

  /** Move to the line after the one holding offset i. */
  private nextLine(i: number): void {
    const nl = this.src.indexOf('\n', i);
    this.pos = nl < 0 ? this.src.length : nl + 1;
  }

  /** After a value on its line: spaces, then the end of the line or a comment. */
  private endLine(i: number): void {
    const src = this.src;
    let j = i;
    while (src.charCodeAt(j) === SPACE) j++;
    if (j >= src.length) {
      this.pos = src.length;
      return;
    }
    const c = src.charCodeAt(j);
    if (c === NL) this.pos = j + 1;
    else if (c === HASH && j > i) this.nextLine(j);
    else bail();
  }

  /** A value that starts on the line of its key or dash, at offset i. */
  private inline(i: number, parent: number, depth: number): unknown {
    const src = this.src;
    const c = src[i];
    switch (c) {
      case '{':
      case '[': {
        const value = this.flow(i, depth + 1);
        this.endLine(this.end);
        return value;
      }
      case '"': {
        const value = this.doubleQuoted(i);
        this.endLine(this.end);
        return value;
      }
      case "'": {
        const value = this.singleQuoted(i);
        this.endLine(this.end);
        return value;
      }
      case '|':
        return this.literal(i, parent);
      case '-': {
        // `-1`, `--flag`: a plain scalar. `- x` here would be a sequence: not allowed.
        const next = src.charCodeAt(i + 1);
        if (!((next >= 48 && next <= 57) || next === DASH || next === 46 || isKeyStart(next))) bail();
        break;
      }
      case '>': case '?': case ':': case ',': case ']': case '}': case '#': case '&': case '*': case '!': case '%': case '@': case '`':
        bail();
    }
    // A plain scalar: to the end of the line or a comment.
    let nl = src.indexOf('\n', i);
    if (nl < 0) nl = src.length;
    let end = nl;
    for (let j = i + 1; j < nl; j++) {
      if (src.charCodeAt(j) === HASH && src.charCodeAt(j - 1) === SPACE) {
        end = j - 1;
        break;
      }
    }
    while (src.charCodeAt(end - 1) === SPACE) end--;
    const text = src.slice(i, end);
    if (text.includes(': ') || text.endsWith(':')) bail();
    this.pos = nl < src.length ? nl + 1 : src.length;
    return resolvePlain(text);
  }

  /** `"…"` on one line, with single-character escapes. */
  private doubleQuoted(i: number): string {
    const src = this.src;
    let out = '';
    let from = i + 1;
    for (let j = from; ; j++) {
      if (j >= src.length) bail();
      const c = src.charCodeAt(j);
      if (c === 34) {
        this.end = j + 1;
        return out + src.slice(from, j);
      }
      if (c === NL) bail();
      if (c === 92) {
        const e = ESCAPES[src[j + 1] ?? ''];
        if (e === undefined) bail();
        out += src.slice(from, j) + e;
        j++;
        from = j + 1;
      }
    }
  }

  /** `'…'` on one line (`''` is a quote). */
  private singleQuoted(i: number): string {
    const src = this.src;
    let out = '';
    let from = i + 1;
    for (let j = from; ; j++) {
      if (j >= src.length) bail();
      const c = src.charCodeAt(j);
      if (c === NL) bail();
      if (c === 39) {
        if (src.charCodeAt(j + 1) !== 39) {
          this.end = j + 1;
          return out + src.slice(from, j);
        }
        out += src.slice(from, j + 1);
        j++;
        from = j + 1;
      }
    }
  }

  /** A flow collection or scalar inside one, all on one line; sets `end`. */
  private flow(i: number, depth: number): unknown {
    if (depth > MAX_FAST_DEPTH) bail();
    const src = this.src;
    const c = src[i];
    if (c === '{') {
      const map: Record<string, unknown> = {};
      let j = this.skipSpaces(i + 1);
      for (;;) {
        if (src.charCodeAt(j) === 125) { // }
          this.end = j + 1;
          return map;
        }
        const end = this.keyEnd(j);
        if (end < 0 || end - j > MAX_KEY_LENGTH || src.charCodeAt(end + 1) !== SPACE) bail();
        const key = src.slice(j, end);
        if (KEY_WORDS.has(key)) bail();
        setKey(map, key, this.flow(this.skipSpaces(end + 1), depth + 1));
        j = this.skipSpaces(this.end);
        if (src.charCodeAt(j) === 125) continue;
        if (src.charCodeAt(j) !== 44) bail(); // ,
        j = this.skipSpaces(j + 1);
        if (src.charCodeAt(j) === 125) bail(); // a trailing comma
      }
    }
    if (c === '[') {
      const seq: unknown[] = [];
      let j = this.skipSpaces(i + 1);
      for (;;) {
        if (src.charCodeAt(j) === 93) { // ]
          this.end = j + 1;
          return seq;
        }
        seq.push(this.flow(j, depth + 1));
        j = this.skipSpaces(this.end);
        if (src.charCodeAt(j) === 93) continue;
        if (src.charCodeAt(j) !== 44) bail(); // ,
        j = this.skipSpaces(j + 1);
        if (src.charCodeAt(j) === 93) bail(); // a trailing comma
      }
    }
    if (c === '"') return this.doubleQuoted(i);
    if (c === "'") return this.singleQuoted(i);
    // A plain scalar: up to the next flow indicator, no `:` or `#` inside.
    const first = src.charCodeAt(i);
    if (!(isKeyChar(first) && first !== DASH) && !(first === 46 || first === 47 || first === 126 || first === 43 || first === 36 || first === 40)) bail();
    let j = i;
    for (;;) {
      const d = src.charCodeAt(j);
      if (d === 44 || d === 93 || d === 125) break; // , ] }
      if (d === NL || d === COLON || d === HASH || d === 91 || d === 123 || d === 34 || d === 39 || j >= src.length) bail();
      j++;
    }
    let end = j;
    while (src.charCodeAt(end - 1) === SPACE) end--;
    this.end = end;
    return resolvePlain(src.slice(i, end));
  }

  private skipSpaces(i: number): number {
    while (this.src.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /** `|` or `|-` at offset i: the lines below, indented more than `parent`. */
  private literal(i: number, parent: number): string {
    const src = this.src;
    let j = i + 1;
    const strip = src[j] === '-';
    if (strip) j++;
    const h = j;
    while (src.charCodeAt(j) === SPACE) j++;
    const c = src.charCodeAt(j);
    if (c === HASH && j > h) j = src.indexOf('\n', j);
    else if (c !== NL) bail(); // `|+`, `|2`, text after the header, the end of the text
    if (j < 0) bail();
    let pos = j + 1;
    const lines: string[] = [];
    let indent = -1;
    let blanks = 0;
    for (;;) {
      if (pos >= src.length) break;
      let k = pos;
      while (src.charCodeAt(k) === SPACE) k++;
      const spaces = k - pos;
      const d = src.charCodeAt(k);
      if (k >= src.length) bail(); // spaces at the very end of the text: let the library decide
      if (d === NL) {
        // An empty line: part of the scalar (its trailing ones dropped by chomping).
        if (indent >= 0 ? spaces > indent : spaces > parent) bail();
        lines.push('');
        blanks++;
        pos = k + 1;
        continue;
      }
      if (indent < 0) {
        if (spaces <= parent) bail(); // an empty block scalar
        indent = spaces;
      }
      if (spaces < indent) break;
      const nl = src.indexOf('\n', k);
      if (nl < 0) bail(); // the last line has no line break: let the library decide
      lines.push(src.slice(pos + indent, nl));
      blanks = 0;
      pos = nl + 1;
    }
    if (indent < 0) bail();
    this.pos = pos;
    lines.length -= blanks;
    const text = lines.join('\n');
    return strip ? text : `${text}\n`;
  }
}
