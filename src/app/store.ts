/**
 * The state a command works on: `--state` (a directory or a postgres:// URL), else
 * `--state-dir`, else $RUNBOOK_STATE, else $RUNBOOK_STATE_DIR, else ./.runbook. With a database,
 * the directory (`--state-dir`, $RUNBOOK_STATE_DIR, ./.runbook) holds this machine's own part:
 * the full step logs and scratch files.
 */
import { isAbsolute } from 'node:path';
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
  // The steps this process starts inherit its environment: a password in $RUNBOOK_STATE must not
  // reach them (a step that prints its environment would put it in its log), whichever state
  // this command uses.
  const fromEnv = process.env.RUNBOOK_STATE;
  if (fromEnv && urlPassword(fromEnv)) process.env.RUNBOOK_STATE = redactUrl(fromEnv);
  if (state && isPostgresUrl(state)) {
    // Loaded only for a database: the driver is not needed by a directory state's commands.
    const { PgStore } = await import('../state/pg-store.js');
    return new PgStore(state, stateRoot(opts.stateDir), opts.state !== undefined).open();
  }
  if (opts.state !== undefined) return new DirStore(stateRoot(opts.state), true);
  if (state && opts.stateDir === undefined) return new DirStore(stateRoot(state), false);
  // A resume hint names the directory unless an absolute $RUNBOOK_STATE_DIR does: the default
  // ./.runbook (or a relative one) means another directory when the command is pasted elsewhere.
  const env = process.env.RUNBOOK_STATE_DIR;
  return new DirStore(stateRoot(opts.stateDir), Boolean(opts.stateDir) || !env || !isAbsolute(env));
}

/** `runbook resume RUN` with the option that finds the same state again (never a password). */
export function resumeHint(store: Storage, runId: string): string {
  return runCommandHint(store, 'resume', runId);
}

/** `runbook VERB RUN` (log, report, rollback) that finds the same state again. */
export function runCommandHint(store: Storage, verb: string, runId: string): string {
  return [`runbook ${verb}`, runId, ...store.option.map(shellQuote)].join(' ');
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_/.,:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
