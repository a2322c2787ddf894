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

function unfinished(root: string, run: RunDir): boolean {
  const state = stateOf(root, run);
  return state === 'interrupted' || state === 'running';
}

/** The newest interrupted run of a runbook (a running one is refused by its lock instead). */
export function findInterrupted(root: string, runbookId: string): string | undefined {
  return listRunDirs(root).find((r) => r.runId.startsWith(`${runbookId}-`) && stateOf(root, r) === 'interrupted')?.runId;
}

/** The newest unfinished run of a runbook, if any. */
export function findUnfinished(root: string, runbookId: string): string | undefined {
  return listRunDirs(root).find((r) => r.runId.startsWith(`${runbookId}-`) && unfinished(root, r))?.runId;
}

/** `resume` with a run id, a runbook file, or nothing (the newest unfinished run). */
export function pickRunToResume(root: string, arg: string | undefined): RunDir {
  if (arg !== undefined && existsSync(arg) && statSync(arg).isFile()) {
    const loaded = loadRunbookFile(arg);
    const id = loaded.runbook?.id;
    if (!id) throw invalid(`${arg}: not a valid runbook (run \`runbook validate ${arg}\`)`);
    const runId = findUnfinished(root, id);
    if (!runId) throw invalid(`no unfinished run of ${id} in ${root}`);
    return openRunDir(root, runId);
  }
  if (arg !== undefined) return openRunDir(root, arg);
  const run = listRunDirs(root).find((r) => unfinished(root, r));
  if (!run) throw invalid(`no unfinished run in ${root}`);
  return run;
}
