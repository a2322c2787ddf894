/** From a path in the document (keys and list indices) to a 1-based line and column. */
import { type Document, isMap, isNode, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { Path } from '../model/types.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface Locator {
  /** The value at `path`; where the path stops existing, the deepest node that does. */
  locate(path: Path): Position;
  /** The key of the last segment (for unknown and duplicate keys); else as `locate`. */
  locateKey(path: Path): Position;
  /**
   * Where `needle` occurs (its `nth` occurrence, 0-based) in the source of the value at `path`:
   * a `${{ ... }}` reference inside a command. Else as `locate`.
   */
  locateText(path: Path, needle: string, nth?: number): Position;
  /** An offset in the parsed source. */
  at(offset: number): Position;
  /** True when the whole path exists in the document (the key was written). */
  has(path: Path): boolean;
}

interface Found {
  readonly node: Node | undefined;
  readonly key: Node | undefined;
  /** True when the whole path exists. */
  readonly complete: boolean;
}

export function createLocator(doc: Document | undefined, source: string): Locator {
  const at = positionsIn(source);
  const start = (node: Node | undefined): number | undefined => node?.range?.[0];
  const find = (path: Path): Found => {
    let node: Node | undefined = isNode(doc?.contents) ? (doc?.contents as Node) : undefined;
    let key: Node | undefined;
    for (const segment of path) {
      let next: Node | undefined;
      let nextKey: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair) {
          nextKey = isNode(pair.key) ? pair.key : undefined;
          // `key:` with nothing after it: the key is the best place.
          next = isNode(pair.value) && pair.value.range && pair.value.range[0] < pair.value.range[1] ? pair.value : nextKey;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        next = isNode(item) ? item : undefined;
      }
      if (!next) return { node, key, complete: false };
      [node, key] = [next, nextKey];
    }
    return { node, key, complete: true };
  };
  const locate = (path: Path): Position => at(start(find(path).node) ?? 0);
  return {
    at,
    locate,
    has: (path) => find(path).complete,
    locateKey(path) {
      const found = find(path);
      return at(start(found.complete ? (found.key ?? found.node) : found.node) ?? 0);
    },
    locateText(path, needle, nth = 0) {
      const found = find(path);
      const range = found.complete ? found.node?.range : undefined;
      if (!range || needle === '') return locate(path);
      let from = range[0];
      for (let i = 0; ; i++) {
        const hit = source.indexOf(needle, from);
        if (hit < 0 || hit >= range[1]) return locate(path);
        if (i === nth) return at(hit);
        from = hit + needle.length;
      }
    },
  };
}

/** Offset to 1-based line and column (columns count UTF-16 units, as editors mostly do). */
export function positionsIn(source: string): (offset: number) => Position {
  const starts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const o = Math.min(Math.max(0, offset), source.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (starts[lo] as number) + 1 };
  };
}
