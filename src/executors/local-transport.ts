/**
 * Processes on this machine: one spawn of the command (`bash -eo pipefail -c <command>`: ps,
 * /proc/PID/cmdline and $BASH_EXECUTION_STRING show just that), in a process group of its own
 * (detached: a new session), output on two pipes, stdin /dev/null unless given. Each group is
 * held by the run's watchdog (./watchdog.ts) while it runs, so that it dies with the CLI.
 *
 * node:child_process rather than execa (no longer a dependency): what execa adds (buffered
 * output, its promise, killing the child when the CLI exits) is turned off or done otherwise
 * here (streamed output, the whole group signalled, the watchdog), so it would be one more
 * package to load for an options object passed through to the same spawn.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { currentBootId, procStat } from '../state/processes.js';
import type { Exit, ProcessHandle, Transport } from './transport.js';
import { readyWatchdog, unwatchGroup, watchGroup } from './watchdog.js';

/** After the shell exits, how long to wait for background children that still hold its output. */
const DRAIN_AFTER_EXIT_MS = 250;
/** This machine's name, for each step's process record (read once: it is a system call). */
const HOST = hostname();

export const localTransport: Transport = {
  async start(req, onOutput): Promise<ProcessHandle> {
    readyWatchdog();
    const child = spawn(req.argv[0]!, req.argv.slice(1), {
      cwd: req.cwd,
      env: { ...process.env, ...req.env },
      stdio: [req.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const pgid = child.pid; // detached: it leads its own group
    if (pgid !== undefined) watchGroup(pgid);
    if (req.stdin !== undefined) child.stdin?.on('error', () => {}).end(req.stdin);
    const [stdout, stderr] = [child.stdout!, child.stderr!];
    stdout.on('data', (chunk: Buffer) => onOutput('stdout', chunk));
    stderr.on('data', (chunk: Buffer) => onOutput('stderr', chunk));

    const ended = new Promise<Exit>((resolve) => {
      let exit: Exit = {};
      const done = (error?: string) => {
        if (pgid !== undefined) unwatchGroup(pgid);
        resolve({ ...exit, error });
      };
      child.on('error', (err) => done(`could not start ${req.argv[0]}: ${err.message}`));
      child.on('exit', (code, signal) => {
        exit = { code: code ?? undefined, signal: signal ?? undefined };
        // Background children may keep the pipes open; do not wait for them forever.
        setTimeout(() => {
          stdout.destroy();
          stderr.destroy();
          done();
        }, DRAIN_AFTER_EXIT_MS).unref();
      });
      child.on('close', () => done());
    });
    return {
      identity: pgid === undefined ? undefined : { pgid, host: HOST, bootId: currentBootId(), startTime: procStat(pgid)?.startTime },
      wait: () => ended,
      signal(sig) {
        try {
          if (pgid !== undefined) process.kill(-pgid, sig);
        } catch {
          /* already gone */
        }
      },
    };
  },
};
