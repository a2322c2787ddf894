/**
 * The run's watchdog (see ./watchdog.ts): reads "add <pgid>" / "remove <pgid>" lines from its
 * stdin, the CLI's pipe; when that ends (the CLI exited or was killed), sends SIGTERM and
 * SIGCONT (a stopped step would not act on SIGTERM) to every group still held, SIGKILL after the
 * grace period (argv[2], ms) to what is left, and exits. It never signals group 1, its own group
 * (the CLI's) or anything that is not a whole number. The terminal's signals do not end it: the
 * CLI handles those and stops its steps itself.
 */
import { procStat } from '../state/processes.js';

const grace = Number(process.argv[2]) || 5_000;
const own = procStat('self')?.pgid;
const held = new Set<number>();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGTSTP'] as const) process.on(sig, () => {});

let rest = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop()!;
  for (const line of lines) {
    const m = /^(add|remove) ([0-9]{1,9})$/.exec(line);
    const pgid = Number(m?.[2]);
    if (!m || pgid <= 1 || pgid === own || pgid === process.pid) continue;
    if (m[1] === 'add') held.add(pgid);
    else held.delete(pgid);
  }
});
process.stdin.on('error', stopAll);
process.stdin.on('end', stopAll);

function signalAll(sig: NodeJS.Signals | 0): void {
  for (const pgid of held) {
    try {
      process.kill(-pgid, sig);
    } catch {
      held.delete(pgid); // gone
    }
  }
}

function stopAll(): void {
  if (held.size === 0) process.exit(0);
  signalAll('SIGTERM');
  signalAll('SIGCONT');
  const end = Date.now() + grace;
  setInterval(() => {
    signalAll(Date.now() < end ? 0 : 'SIGKILL');
    if (held.size === 0 || Date.now() >= end) process.exit(0);
  }, 100);
}
