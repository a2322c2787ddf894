/** Finding runs in the state directory: unfinished ones, and the one `resume` means. */
import { existsSync, statSync } from 'node:fs';
import { invalid } from '../errors.js';
import { loadRunbookFile } from '../load/load.js';
import { inspectRun } from '../state/inspect.js';
import { listRunDirs, openRunDir, type RunDir } from '../state/run-dir.js';

/** 'running' (its lock holder is alive), 'interrupted', a finished state, or undefined (no records). */
function stateOf(root: string, run: RunDir): string | undefined {
  const view = inspectRun(root, run);
  if (view.corrupt || view.records.length === 0) return undefined;
  return view.summary?.state;
}

/** A run id is `<runbook id>-<yyyyMMdd-HHmmss>-<hex>` (src/state/run-dir.ts). */
export const runbookIdOf = (runId: string) => runId.replace(/-\d{8}-\d{6}-[0-9a-f]+$/, '');

const UNFINISHED = ['interrupted', 'running'];

/** The newest run (of one runbook, or of any) whose state is one of `states`. */
function newest(root: string, runbookId: string | undefined, states: readonly string[]): RunDir | undefined {
  return listRunDirs(root).find((r) => (runbookId === undefined || runbookIdOf(r.runId) === runbookId) && states.includes(stateOf(root, r) ?? ''));
}

/** The newest interrupted run of a runbook (a running one is refused by its lock instead). */
export function findInterrupted(root: string, runbookId: string): string | undefined {
  return newest(root, runbookId, ['interrupted'])?.runId;
}

/** `resume` with a run id, a runbook file, or nothing (the newest unfinished run). */
export async function pickRunToResume(root: string, arg: string | undefined): Promise<RunDir> {
  if (arg !== undefined && existsSync(arg) && statSync(arg).isFile()) {
    const loaded = loadRunbookFile(arg);
    const id = loaded.runbook?.id;
    if (!id) throw invalid(`${arg}: not a valid runbook (run \`runbook validate ${arg}\`)`);
    const run = newest(root, id, UNFINISHED);
    if (!run) throw invalid(`no unfinished run of ${id} in ${root}`);
    return run;
  }
  if (arg !== undefined) return openRunDir(root, arg);
  const run = newest(root, undefined, UNFINISHED);
  if (!run) throw invalid(`no unfinished run in ${root}`);
  return run;
}
