/**
 * `status` and `runs`: runs as their journals tell, read from the state and never changed. Kept
 * apart from ./inspect.ts so that these commands load no runbook parser or document renderer.
 */
import { inspectAllRuns, inspectRun, type RunView } from '../state/inspect.js';
import type { Storage } from '../state/storage.js';

/** One run (default: the newest); undefined when there are none. */
export async function viewRun(store: Storage, runArg: string | undefined): Promise<RunView | undefined> {
  const run = runArg === undefined ? (await store.listRuns())[0] : await store.findRun(runArg);
  return run && inspectRun(store, run);
}

/** Every run, newest first, for its summary (its `records` may be only those a summary reads). */
export async function viewRuns(store: Storage): Promise<RunView[]> {
  return inspectAllRuns(store);
}
