/** `runbook watch [RUN]`: follow a run (default: the newest) until it ends; exits with its exit code. */
import { openStore } from '../../app/store.js';
import { watchRun } from '../../app/watch.js';

export interface WatchOptions {
  readonly state?: string;
  readonly stateDir?: string;
}

export async function main(run: string | undefined, opts: WatchOptions = {}): Promise<number> {
  const store = await openStore(opts);
  const ref = run === undefined ? (await store.listRuns())[0] : await store.findRun(run);
  if (!ref) {
    process.stdout.write(`no runs in ${store.where}\n`);
    return 0;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return watchRun(store, ref, { line: (text) => process.stdout.write(`${text}\n`), output: (text) => process.stdout.write(indent(text)) }, controller.signal);
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  | ');
}
