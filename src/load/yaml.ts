/**
 * Untrusted YAML to a plain value, with every problem at its line and column. Refused: aliases
 * and anchors, duplicate keys, several documents, unknown tags, non-string keys, deep nesting,
 * oversized or binary text, an empty file.
 */
import { type Document, isAlias, isCollection, isMap, isNode, isPair, isScalar, type Node, parseAllDocuments } from 'yaml';
import { MAX_DEPTH, MAX_FILE_BYTES } from './limits.js';
import { type Position, positionsIn } from './locate.js';
import { decodeText, tooLarge } from './read.js';

/** A problem before it has a file name. */
export interface RawProblem {
  readonly code: string;
  readonly message: string;
  /** Offset in the text (after a leading BOM). */
  readonly offset: number;
}

export interface ParsedYaml {
  /** The text parsed: without a leading byte order mark. */
  readonly source: string;
  /** The library's document; undefined when the text was refused before parsing. */
  readonly doc: Document | undefined;
  readonly problems: readonly RawProblem[];
  /** The plain value, when there are no problems. */
  readonly value: unknown;
}

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false, keepSourceTokens: false } as const;

/** `what` names the input in messages: "runbook", "vars file". */
export function parseUntrustedYaml(text: string, what: string): ParsedYaml {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const done = (problems: RawProblem[], doc?: Document, value?: unknown): ParsedYaml => ({ source, doc, problems: problems.sort((a, b) => a.offset - b.offset), value });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) return done([{ code: 'too-large', message: tooLarge(bytes), offset: 0 }]);
  if (source.includes('\0')) {
    const decoded = decodeText(Buffer.from(source, 'utf8'));
    return done([{ code: 'binary', message: decoded.ok ? 'not a text file' : decoded.message, offset: source.indexOf('\0') }]);
  }
  const deep = flowDepthOver(source, FLOW_DEPTH_GUARD);
  if (deep >= 0) return done([{ code: 'too-deep', message: `nested too deeply (the limit is ${MAX_DEPTH} levels)`, offset: deep }]);
  let docs: Document[];
  try {
    docs = parseAllDocuments(source, PARSE_OPTIONS) as Document[];
  } catch (err) {
    // The parser recurses: absurd nesting overflows the stack before our depth check can run.
    const message = err instanceof RangeError ? `nested too deeply (the limit is ${MAX_DEPTH} levels)` : `not YAML: ${String(err)}`;
    return done([{ code: 'yaml', message, offset: 0 }]);
  }
  const doc = docs[0];
  if (!doc || doc.contents === null) return done([{ code: 'empty', message: `the ${what} is empty`, offset: 0 }], doc);
  const overflow = doc.errors.find((e) => /call stack/i.test(e.message));
  if (overflow) return done([{ code: 'too-deep', message: `nested too deeply (the limit is ${MAX_DEPTH} levels)`, offset: overflow.pos[0] }], doc);
  const problems: RawProblem[] = [];
  for (const e of doc.errors) problems.push({ code: 'yaml', message: yamlMessage(e.message, e.code), offset: e.pos[0] });
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') problems.push({ code: 'yaml', message: yamlMessage(w.message, w.code), offset: w.pos[0] });
  }
  for (const extra of docs.slice(1)) {
    const from = extra.range?.[0] ?? 0;
    const marker = source.indexOf('---', from);
    problems.push({
      code: 'multiple-documents',
      message: `a ${what} is one YAML document: remove this second one (or the "---" before it)`,
      offset: marker >= 0 && marker <= (extra.contents?.range?.[0] ?? marker) ? marker : from,
    });
    break;
  }
  problems.push(...checkNodes(doc.contents as Node, positionsIn(source), source));
  if (!isMap(doc.contents)) {
    const found = isCollection(doc.contents) ? 'a list' : 'a single value';
    problems.push({ code: 'not-a-mapping', message: `the top level of a ${what} must be a mapping of keys to values, found ${found}`, offset: doc.contents.range?.[0] ?? 0 });
  }
  if (problems.length > 0) return done(problems, doc);
  try {
    return done([], doc, doc.toJS({ maxAliasCount: 0 }));
  } catch (err) {
    return done([{ code: 'yaml', message: `cannot read the value: ${err instanceof Error ? err.message : String(err)}`, offset: 0 }], doc);
  }
}

/** Brackets nested this deep are refused before parsing: the parser recurses and slows down. */
const FLOW_DEPTH_GUARD = 256;

/** Where flow brackets first nest deeper than `limit` (a rough count: quotes ignored), or -1. */
function flowDepthOver(text: string, limit: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return -1;
}

/** yaml's messages end with " at line L, column C" and a code excerpt: keep the reason. */
function yamlMessage(message: string, code: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  return `YAML: ${first}${HINTS[code] ?? hintFor(first)}`;
}

const HINTS: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: ': a value that contains ": " must be quoted or written as a block (run: |)',
  MULTILINE_IMPLICIT_KEY: ': check the indentation, or quote a value that contains ": "',
  BAD_INDENT: ' (check the indentation of this line and the ones above)',
};

/** Messages that need a hint whatever their code. */
function hintFor(message: string): string {
  return /without - indicator/.test(message) ? ': check the indentation (keys of one mapping start in the same column)' : '';
}

/** Aliases, anchors, tags, keys and depth: one iterative walk (no recursion on deep input). */
function checkNodes(root: Node, lines: (offset: number) => Position, source: string): RawProblem[] {
  const problems: RawProblem[] = [];
  const stack: Array<[Node, number]> = [[root, 1]];
  let tooDeep = false;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    const at = node.range?.[0] ?? 0;
    if (isAlias(node)) {
      problems.push({ code: 'alias', message: `YAML aliases (*${node.source}) are not allowed: write the value out in full`, offset: at });
      continue;
    }
    if (node.anchor) {
      const mark = source.lastIndexOf(`&${node.anchor}`, at);
      problems.push({ code: 'alias', message: `YAML anchors (&${node.anchor}) are not allowed: write the value out where it is used`, offset: mark >= 0 ? mark : at });
    }
    if (node.tag && !CORE_TAGS.has(node.tag)) problems.push({ code: 'yaml', message: `YAML tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed`, offset: tagStart(source, at) });
    if (!isCollection(node)) continue;
    if (depth > MAX_DEPTH) {
      if (!tooDeep) problems.push({ code: 'too-deep', message: `nested too deeply (the limit is ${MAX_DEPTH} levels)`, offset: at });
      tooDeep = true;
      continue;
    }
    if (isMap(node)) problems.push(...checkKeys(node.items, lines));
    for (const item of node.items) {
      if (isPair(item)) {
        if (isNode(item.value)) stack.push([item.value, depth + 1]);
        if (isNode(item.key)) stack.push([item.key, depth + 1]);
      } else if (isNode(item)) stack.push([item, depth + 1]);
    }
  }
  return problems;
}

/** A node's range starts after its tag (`!!binary x`): the offset of the tag just before it. */
function tagStart(source: string, at: number): number {
  for (let i = Math.min(at, source.length) - 1, end = -1; i >= 0; i--) {
    const c = source[i] as string;
    if (c === '\n') return at;
    if (/\s/.test(c)) {
      if (end >= 0) return source[i + 1] === '!' ? i + 1 : at;
      continue;
    }
    if (end < 0) end = i;
    if (i === 0) return c === '!' ? 0 : at;
  }
  return at;
}

/** Keys are plain scalars (strings, or numbers and booleans read as strings) and unique. */
function checkKeys(pairs: readonly unknown[], lines: (offset: number) => Position): RawProblem[] {
  const problems: RawProblem[] = [];
  const seen = new Map<string, number>();
  for (const pair of pairs) {
    if (!isPair(pair)) continue;
    const key = pair.key;
    if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
      const at = isNode(key) ? (key.range?.[0] ?? 0) : 0;
      problems.push({ code: 'yaml', message: 'a key must be a plain name, not a list, a mapping or nothing', offset: at });
      continue;
    }
    const name = String(key.value);
    const at = key.range?.[0] ?? 0;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, at);
    else problems.push({ code: 'duplicate-key', message: `duplicate key "${name}" (first at line ${lines(first).line})`, offset: at });
  }
  return problems;
}
