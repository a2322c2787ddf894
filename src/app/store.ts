/** The state a command works on: `--state-dir`, else $RUNBOOK_STATE_DIR, else ./.runbook. */
import { isAbsolute } from 'node:path';
import { DirStore } from '../state/dir-store.js';
import { stateRoot } from '../state/paths.js';
import type { Storage } from '../state/storage.js';

export interface StateOptions {
  readonly stateDir?: string | undefined;
}

export function openStore(opts: StateOptions): Storage {
  // A resume hint names the directory unless an absolute $RUNBOOK_STATE_DIR does: the default
  // ./.runbook (or a relative one) means another directory when the command is pasted elsewhere.
  const env = process.env.RUNBOOK_STATE_DIR;
  return new DirStore(stateRoot(opts.stateDir), Boolean(opts.stateDir) || !env || !isAbsolute(env));
}

/** `runbook resume RUN` with the option that finds the same state again, from any directory. */
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
