/** Finding runs in the state: unfinished ones, and the one `resume` means. */
import { existsSync, statSync } from 'node:fs';
import { invalid } from '../errors.js';
import { loadRunbookFile } from '../load/load.js';
import { inspectRuns } from '../state/inspect.js';
import type { RunRef, Storage } from '../state/storage.js';

/** A run id is `<runbook id>-<yyyyMMdd-HHmmss>-<hex>` (src/state/run-dir.ts). */
export const runbookIdOf = (runId: string) => runId.replace(/-\d{8}-\d{6}-[0-9a-f]+$/, '');

const UNFINISHED = ['interrupted', 'running'];

/** The newest run (of one runbook, or of any) whose state is one of `states`. */
async function newest(store: Storage, runbookId: string | undefined, states: readonly string[]): Promise<RunRef | undefined> {
  const runs = (await store.listRuns()).filter((run) => runbookId === undefined || runbookIdOf(run.runId) === runbookId);
  // 'running' (its lock holder is alive), 'interrupted', a finished state; none without records.
  const views = await inspectRuns(store, runs);
  return views.find((v) => !v.corrupt && v.records.length > 0 && states.includes(v.summary?.state ?? ''))?.run;
}

/** The newest interrupted run of a runbook (a running one is refused by its lock instead). */
export async function findInterrupted(store: Storage, runbookId: string): Promise<string | undefined> {
  return (await newest(store, runbookId, ['interrupted']))?.runId;
}

/** `resume` with a run id, a runbook file, or nothing (the newest unfinished run). */
export async function pickRunToResume(store: Storage, arg: string | undefined): Promise<RunRef> {
  if (arg !== undefined && existsSync(arg) && statSync(arg).isFile()) {
    const loaded = loadRunbookFile(arg);
    const id = loaded.runbook?.id;
    if (!id) throw invalid(`${arg}: not a valid runbook (run \`runbook validate ${arg}\`)`);
    const run = await newest(store, id, UNFINISHED);
    if (!run) throw invalid(`no unfinished run of ${id} in ${store.where}`);
    return run;
  }
  if (arg !== undefined) return store.findRun(arg);
  const run = await newest(store, undefined, UNFINISHED);
  if (!run) throw invalid(`no unfinished run in ${store.where}`);
  return run;
}
