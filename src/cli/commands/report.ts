/**
 * `runbook report RUN [--format md|html|json]`: the executed change record of a run, from its
 * journal, the runbook copy it ran with, and the end of each step's log.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../../errors.js';
import { loadRunbookFile } from '../../load/load.js';
import { buildReport } from '../../render/document/report-model.js';
import { renderReport, type ReportFormat } from '../../render/document/report-render.js';
import { inspectRun } from '../../state/inspect.js';
import { stateRoot } from '../../state/paths.js';
import { openRunDir, parseStepLogName, type RunDir } from '../../state/run-dir.js';

interface ReportOptions {
  readonly format?: string;
  readonly stateDir?: string;
}

const TAIL_BYTES = 16_384;

export async function main(runId: string, opts: ReportOptions = {}): Promise<number> {
  const root = stateRoot(opts.stateDir);
  const run = openRunDir(root, runId);
  const view = inspectRun(root, run);
  if (view.corrupt) throw invalid(`run ${run.runId}: ${view.corrupt}`);
  if (!view.summary) throw invalid(`run ${run.runId} has no journal records: no step ran, so there is nothing to report`);
  const loaded = loadRunbookFile(run.runbookCopyPath);
  if (!loaded.runbook) {
    const first = loaded.problems[0];
    throw invalid(`run ${run.runId}: the runbook copy it ran with cannot be read${first ? `: ${first.message}` : ''}`, run.runbookCopyPath);
  }
  const report = buildReport(loaded.runbook, view.records, logTails(run), { running: view.summary.state === 'running' });
  const format: ReportFormat = opts.format === 'html' || opts.format === 'json' ? opts.format : 'md';
  process.stdout.write(renderReport(report, format));
  return 0;
}

/** The last bytes of each step log, by seq. */
function logTails(run: RunDir): Map<number, string> {
  const tails = new Map<number, string>();
  let names: string[];
  try {
    names = readdirSync(run.logsDir);
  } catch {
    return tails;
  }
  for (const name of names) {
    const parsed = parseStepLogName(name);
    if (parsed) tails.set(parsed.seq, (tails.get(parsed.seq) ?? '') + readTail(join(run.logsDir, name)));
  }
  return tails;
}

function readTail(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const text = buf.toString('utf8');
    // A cut in the middle of a line (or a character): start at the next whole line.
    return length < size ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}
