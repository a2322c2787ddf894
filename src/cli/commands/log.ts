/**
 * `runbook log RUN [STEP]`: a run's step logs in the order the steps ran, each under a header;
 * with STEP (a step id, or an instance key like `deploy[web2]`) only that step's. The files are
 * streamed, never read whole. A step that printed nothing has no log: asked for by name, it is
 * shown as `(no output)`.
 */
import { selectLogs } from '../../app/inspect.js';
import { openStore } from '../../app/store.js';

export interface LogOptions {
  readonly stateDir?: string;
  readonly state?: string;
}

export async function main(runArg: string, step: string | undefined, opts: LogOptions = {}): Promise<number> {
  const store = await openStore(opts);
  const { run, entries } = await selectLogs(store, runArg, step);
  if (entries.length === 0) {
    process.stderr.write(`run ${run.runId} has no step logs\n`);
    return 0;
  }
  const out = new Output();
  for (const [i, e] of entries.entries()) {
    const header = `${i > 0 ? '\n' : ''}==> ${e.key} #${e.seq}${e.details} <==\n`;
    if (!(await out.write(header))) break;
    if (e.log ? !(await out.stream(store.readStepLog(run, e.log))) : !(await out.write('(no output)\n'))) break;
  }
  return 0;
}

function drainOrError(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off('drain', done).off('error', done);
      resolve();
    };
    process.stdout.once('drain', done).once('error', done);
  });
}

/** stdout with backpressure; stops quietly when the reader goes away (`runbook log RUN | head`). */
class Output {
  private closed = false;
  private lastByte = 0x0a;

  constructor() {
    process.stdout.on('error', () => (this.closed = true));
  }

  async write(chunk: string | Buffer): Promise<boolean> {
    if (this.closed) return false;
    if (chunk.length > 0) this.lastByte = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1]!;
    if (!process.stdout.write(chunk)) await drainOrError();
    return !this.closed;
  }

  async stream(chunks: AsyncIterable<Buffer>): Promise<boolean> {
    for await (const chunk of chunks) if (!(await this.write(chunk))) return false;
    return this.lastByte === 0x0a || this.write('\n');
  }
}
