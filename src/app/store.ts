/** The state a command works on: `--state-dir`, else $RUNBOOK_STATE_DIR, else ./.runbook. */
import { DirStore } from '../state/dir-store.js';
import { stateRoot } from '../state/paths.js';
import type { Storage } from '../state/storage.js';

export interface StateOptions {
  readonly stateDir?: string | undefined;
}

export function openStore(opts: StateOptions): Storage {
  // A resume hint names the directory unless $RUNBOOK_STATE_DIR does: the default ./.runbook
  // means another directory when the command is pasted elsewhere.
  return new DirStore(stateRoot(opts.stateDir), Boolean(opts.stateDir) || !process.env.RUNBOOK_STATE_DIR);
}

/** `runbook resume RUN` with the option that finds the same state again. */
export function resumeHint(store: Storage, runId: string): string {
  return ['runbook resume', runId, ...store.option.map(shellQuote)].join(' ');
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_/.,:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
