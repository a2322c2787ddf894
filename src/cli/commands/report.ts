/** `runbook report RUN [--format md|html|json]`: the executed change record of a run. */
import { reportRun } from '../../app/inspect.js';
import { openStore } from '../../app/store.js';
import type { ReportFormat } from '../../render/document/report-render.js';

interface ReportOptions {
  readonly format?: string;
  readonly stateDir?: string;
  readonly state?: string;
}

export async function main(runId: string, opts: ReportOptions = {}): Promise<number> {
  const format: ReportFormat = opts.format === 'html' || opts.format === 'json' ? opts.format : 'md';
  process.stdout.write(await reportRun(await openStore(opts), runId, format));
  return 0;
}
