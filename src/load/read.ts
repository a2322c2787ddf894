/**
 * Reading an untrusted text file: a missing file, a directory, an oversized file or binary
 * junk becomes one Problem, never an exception.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { MAX_FILE_BYTES } from './limits.js';

export type ReadResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly code: string; readonly message: string; readonly line: number; readonly column: number };

const fail = (code: string, message: string, line = 1, column = 1): ReadResult => ({ ok: false, code, message, line, column });

export function readTextFile(file: string): ReadResult {
  let fd: number;
  try {
    // stat first: opening a FIFO would block.
    const found = statSync(file);
    if (found.isDirectory()) return fail('read', 'is a directory, not a file');
    if (!found.isFile()) return fail('read', 'not a regular file');
    fd = openSync(file, 'r');
  } catch (err) {
    return fail('read', describeFsError(err));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return fail('read', 'not a regular file');
    if (stat.size > MAX_FILE_BYTES) return fail('too-large', tooLarge(stat.size));
    // Read at most one byte past the cap: the size may change between fstat and read.
    const buf = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buf.length; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    if (length > MAX_FILE_BYTES) return fail('too-large', tooLarge(length));
    return decodeText(buf.subarray(0, length));
  } catch (err) {
    return fail('read', describeFsError(err));
  } finally {
    closeSync(fd);
  }
}

export const tooLarge = (bytes: number): string => `file is too large (${bytes} bytes): the limit is ${MAX_FILE_BYTES} bytes (1 MiB)`;

/** UTF-8 text without NUL bytes, or where the binary junk starts. */
export function decodeText(bytes: Uint8Array): ReadResult {
  const bad = firstInvalidUtf8(bytes);
  const nul = bytes.indexOf(0);
  const at = nul >= 0 && (bad < 0 || nul < bad) ? nul : bad;
  if (at < 0) return { ok: true, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, at));
  const lines = before.split('\n');
  const what = at === nul ? 'a NUL byte' : 'bytes that are not UTF-8';
  return fail('binary', `not a text file: ${what} at byte ${at}`, lines.length, (lines.at(-1)?.length ?? 0) + 1);
}

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i] as number;
    let need: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cont = b[i + k];
      if (cont === undefined || (cont & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cont & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function describeFsError(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
      return 'no such file (a parent is not a directory)';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the file: permission denied';
    default:
      return `cannot read the file: ${err instanceof Error ? err.message : String(err)}`;
  }
}
