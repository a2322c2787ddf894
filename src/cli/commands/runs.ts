/** `runbook runs`: every run in the state, newest first, one line each. */

import { openStore } from '../../app/store.js';
import { viewRuns } from '../../app/views.js';
import type { RunView } from '../../state/inspect.js';
import { stateWords, stepCounts, time, viewJson } from './status.js';

export interface RunsOptions {
  readonly stateDir?: string;
  readonly state?: string;
  readonly format?: string;
}

export async function main(opts: RunsOptions = {}): Promise<number> {
  const store = await openStore(opts);
  const views = await viewRuns(store);
  if (opts.format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        views.map((v) => viewJson(v)),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (views.length === 0) {
    process.stdout.write(`no runs in ${store.where}\n`);
    return 0;
  }
  const rows = [['RUN', 'RUNBOOK', 'STATE', 'STARTED', 'BY', 'STEPS'], ...views.map(row)];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const text = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  process.stdout.write(`${text.join('\n')}\n`);
  return 0;
}

function row(view: RunView): string[] {
  const s = view.summary;
  if (!s) return [view.run.runId, '-', view.corrupt ? 'corrupt journal' : 'not started', '-', '-', '-'];
  const state = stateWords(s.state) + (view.tornTail ? ' (torn tail)' : '');
  return [view.run.runId, s.runbookId, state, time(s.started), `${s.user}@${s.host}`, stepCounts(s)];
}
