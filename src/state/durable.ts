/**
 * The few file-system moves that make state survive a crash or a power cut: private modes set
 * explicitly (never trusting the umask), files written with O_EXCL and fsynced, directories
 * fsynced after an entry is added or removed.
 */
import { chmodSync, closeSync, constants, fchmodSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** fsync a directory, so that the names created or removed in it survive a power cut. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** mkdir -p with 0700 on every directory it creates; returns whether `dir` itself was created. */
export function mkdirPrivate(dir: string): boolean {
  const first = mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return false;
  chmodSync(dir, DIR_MODE);
  return true;
}

/** Create `path` (it must not exist), 0600, write it whole and fsync it. The caller fsyncs the directory. */
export function writeNewFile(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, FILE_MODE);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fchmodSync(fd, FILE_MODE);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Block the thread for a few milliseconds (lock contention only). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
