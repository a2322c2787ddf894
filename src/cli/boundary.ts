/**
 * The single error boundary. A command module exports `main(...args): Promise<number>` and
 * returns its exit code; a RunbookError it throws prints as one line (with its location) and
 * exits with its code; anything else is a bug: its stack is printed and the exit code is 70.
 */
import { RunbookError } from '../errors.js';
import { isConsoleGone } from '../render/console/hangup.js';
import { drainConsole } from '../render/console/out.js';

export interface CommandModule {
  main(...args: never[]): Promise<number>;
}

export async function runCommand(load: () => Promise<CommandModule>, ...args: unknown[]): Promise<void> {
  // `runbook plan | head`, or a terminal that hung up: the reader went away. Output is no longer
  // wanted, but the command carries on (a run in progress must not stop because its console
  // did): no stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (!isConsoleGone(err)) throw err;
    });
  }
  let code: number;
  try {
    const mod = await load();
    code = await (mod.main as (...a: unknown[]) => Promise<number>)(...args);
  } catch (err) {
    code = report(err);
  }
  // The run is over (its journal closed, its lock released): now the console may catch up.
  await drainConsole();
  await flush();
  process.exit(code);
}

function report(err: unknown): number {
  if (err instanceof RunbookError) {
    process.stderr.write(`runbook: ${err.location ? `${err.location}: ` : ''}${err.message}\n`);
    return err.exitCode;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`runbook: internal error (a bug; please report it):\n${text}\n`);
  return 70;
}

/** Let piped stdout drain before exiting, so `runbook plan | head` and files get everything. */
function flush(): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.writableLength === 0 || process.stdout.destroyed) return resolve();
    process.stdout.once('drain', () => resolve());
    process.stdout.once('close', () => resolve());
  });
}
