/** `runbook import RUN --from DIR`: copy a run from a state directory into the database. */
import { importRun } from '../../app/import.js';
import { openStore } from '../../app/store.js';

export interface ImportOptions {
  readonly from: string;
  readonly state?: string;
  readonly stateDir?: string;
}

export async function main(run: string, opts: ImportOptions): Promise<number> {
  process.stdout.write(`${await importRun(await openStore(opts), run, opts.from)}\n`);
  return 0;
}
