/**
 * The normalised runbook a run started with, kept as JSON beside its YAML copy so that resume
 * does not parse and check a large runbook again. Used only while its hash matches the copy's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runbook } from '../model/types.js';
import { writeNewFile } from './durable.js';
import type { RunDir } from './run-dir.js';

const file = (run: RunDir) => join(run.dir, 'runbook.json');

export function saveNormalized(run: RunDir, hash: string, runbook: Runbook): void {
  writeNewFile(file(run), JSON.stringify({ hash, runbook }));
}

/** The saved runbook, if it was saved for the copy with this hash. */
export function loadNormalized(run: RunDir, hash: string): Runbook | undefined {
  if (!existsSync(file(run))) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file(run), 'utf8')) as { hash?: string; runbook?: Runbook };
    return saved.hash === hash ? saved.runbook : undefined;
  } catch {
    return undefined;
  }
}
