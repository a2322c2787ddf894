/**
 * Where the state lives: `<root>/runs/<runId>/` (one directory per run) and
 * `<root>/locks/<runbookId>.lock` (one run per runbook id at a time).
 */
import { join, resolve } from 'node:path';

/** The state directory: `--state-dir`, else $RUNBOOK_STATE_DIR, else ./.runbook; absolute. */
export function stateRoot(option?: string): string {
  return resolve(option || process.env.RUNBOOK_STATE_DIR || './.runbook');
}

export const runsDir = (root: string): string => join(root, 'runs');
export const locksDir = (root: string): string => join(root, 'locks');
