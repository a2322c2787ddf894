/**
 * The run's watchdog, the CLI's side. A step runs in a process group of its own, so a CLI killed
 * with SIGKILL would leave it running, and a resume would start a second copy beside it. The
 * watchdog (./watchdog-main.ts, dist/watchdog.js) is a small separate process, started at the
 * first step: the CLI tells it over a pipe which groups are in flight ("add <pgid>", "remove
 * <pgid>"), and when that pipe ends, whatever ended the CLI, it stops the groups still held.
 * It holds no step's output and does not keep the CLI alive. Without it (no dist/watchdog.js:
 * the sources run in tests), steps run as before, unguarded.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** How long a stopped group gets between SIGTERM and SIGKILL, here and in the watchdog. */
export const KILL_GRACE_MS = Number(process.env.RUNBOOK_KILL_GRACE_MS ?? 5_000);

let pipe: Writable | undefined | null;

function watchdog(): Writable | undefined {
  if (pipe !== undefined) return pipe ?? undefined;
  pipe = null;
  const program = fileURLToPath(new URL('./watchdog.js', import.meta.url));
  if (!existsSync(program)) return undefined;
  // In the CLI's process group (it ignores the terminal's signals): killing that group takes both.
  const child = spawn(process.execPath, [program, String(KILL_GRACE_MS)], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => {});
  child.stdin.on('error', () => {}); // it died: steps run on unguarded, as without it
  child.unref();
  (child.stdin as Writable & { unref?: () => void }).unref?.();
  return (pipe = child.stdin);
}

/**
 * Starts the watchdog if it is not running yet. Called before a step is spawned: started after
 * it, a CLI killed while the watchdog was still being forked (a few ms) left that step unguarded.
 */
export function readyWatchdog(): void {
  watchdog();
}

export function watchGroup(pgid: number): void {
  watchdog()?.write(`add ${pgid}\n`);
}

export function unwatchGroup(pgid: number): void {
  pipe?.write(`remove ${pgid}\n`);
}
