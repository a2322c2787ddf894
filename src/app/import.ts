/**
 * `runbook import RUN --from DIR`: a finished or interrupted run copied from a state directory
 * into the database (--state), whole (runbook copy, journal, logs up to the cap) or not at all,
 * so a team that started local can resume it, or keep its record, in the shared state.
 */
import { invalid, refused } from '../errors.js';
import { DirStore } from '../state/dir-store.js';
import { inspectRun } from '../state/inspect.js';
import { stateRoot } from '../state/paths.js';
import type { Storage } from '../state/storage.js';
import { runbookIdOf } from './runs.js';

export async function importRun(target: Storage, runArg: string, fromDir: string): Promise<string> {
  if (!target.importRun) throw invalid(`import copies a run into a database state: give --state postgres://… (the state now is ${target.where})`);
  const source = new DirStore(stateRoot(fromDir), true);
  const run = await source.findRun(runArg);
  const view = await inspectRun(source, run);
  if (view.corrupt) throw invalid(`run ${run.runId}: ${view.corrupt}`);
  if (!view.summary) throw invalid(`run ${run.runId} has no journal records: there is nothing to import`);
  if (view.summary.state === 'running') throw refused(`run ${run.runId} is still running (pid ${view.holder?.pid} on ${view.holder?.host}): import it once it has finished or stopped`);
  const logs = (await source.listStepLogs(run)).map((log) => ({ seq: log.seq, key: log.key, text: () => source.readStepLog(run, log) }));
  const runbookId = view.summary.runbookId || runbookIdOf(run.runId);
  await target.importRun({ runId: run.runId, runbookId, runbookText: await source.readRunbookCopy(run), records: view.records, logs });
  const moved = `imported run ${run.runId} (${view.summary.state.replace('_', ' ')}, ${view.records.length} records, ${logs.length} log${logs.length === 1 ? '' : 's'}) from ${source.where} into ${target.where}`;
  // The directory's copy is left as it was (not marked as moved): resuming both would run steps twice.
  return view.summary.state === 'interrupted' ? `${moved}; resume it from the database only, not from ${source.where}` : moved;
}
