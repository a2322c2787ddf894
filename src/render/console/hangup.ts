/**
 * The terminal went away (a dropped SSH session closes the pty): what the CLI writes from now on
 * is for nobody, and Node itself aborts at exit when it tries to restore a terminal that is gone
 * (nodejs/node#51519, fixed after Node 20). Pointing fds 0-2 at /dev/null keeps writes harmless
 * and makes Node's exit skip them: it restores only the files it saw at start.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';

export function detachFromTerminal(): void {
  for (const fd of [1, 2, 0]) {
    try {
      // Not isatty(): on a hung-up terminal it fails (EIO), as if it were no terminal.
      if (!fstatSync(fd).isCharacterDevice()) continue;
      closeSync(fd);
      // The lowest free descriptor: the one just closed.
      openSync('/dev/null', fd === 0 ? 'r' : 'w');
    } catch {
      /* nothing better to do with a descriptor we cannot reopen */
    }
  }
}

/** A write error that only means nobody reads the console any more. */
export function isConsoleGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'EIO';
}
