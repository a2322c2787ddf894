/**
 * The state a command works on: `--state` (a directory or a postgres:// URL), else
 * `--state-dir`, else $RUNBOOK_STATE, else $RUNBOOK_STATE_DIR, else ./.runbook. With a database,
 * the directory (`--state-dir`, $RUNBOOK_STATE_DIR, ./.runbook) holds this machine's own part:
 * the full step logs and scratch files.
 */
import { DirStore } from '../state/dir-store.js';
import { stateRoot } from '../state/paths.js';
import { isPostgresUrl, redactUrl, urlPassword } from '../state/pg-url.js';
import type { Storage } from '../state/storage.js';

export interface StateOptions {
  readonly state?: string | undefined;
  readonly stateDir?: string | undefined;
}

export async function openStore(opts: StateOptions): Promise<Storage> {
  const named = opts.state ?? opts.stateDir;
  const state = named ?? process.env.RUNBOOK_STATE;
  if (state && isPostgresUrl(state)) {
    // Loaded only for a database: the driver is not needed by a directory state's commands.
    const { PgStore } = await import('../state/pg-store.js');
    // The steps this process starts inherit its environment: a password in $RUNBOOK_STATE must
    // not reach them (a step that prints its environment would put it in its log).
    if (named === undefined && urlPassword(state)) process.env.RUNBOOK_STATE = redactUrl(state);
    return new PgStore(state, stateRoot(opts.stateDir), opts.state !== undefined).open();
  }
  if (opts.state !== undefined) return new DirStore(stateRoot(opts.state), true);
  if (state && opts.stateDir === undefined) return new DirStore(stateRoot(state), false);
  // A resume hint names the directory unless $RUNBOOK_STATE_DIR does: the default ./.runbook
  // means another directory when the command is pasted elsewhere.
  return new DirStore(stateRoot(opts.stateDir), Boolean(opts.stateDir) || !process.env.RUNBOOK_STATE_DIR);
}

/** `runbook resume RUN` with the option that finds the same state again (never a password). */
export function resumeHint(store: Storage, runId: string): string {
  return ['runbook resume', runId, ...store.option.map(shellQuote)].join(' ');
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_/.,:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
