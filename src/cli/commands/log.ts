/**
 * `runbook log RUN [STEP]`: a run's step logs in the order the steps ran, each under a header;
 * with STEP (a step id, or an instance key like `deploy[web2]`) only that step's. The files are
 * streamed, never read whole. A step that printed nothing has no log: asked for by name, it is
 * shown as `(no output)`.
 */
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { invalid, RunbookError } from '../../errors.js';
import { readJournal } from '../../state/journal.js';
import { stateRoot } from '../../state/paths.js';
import type { JournalRecord, StepFinishedRecord, StepStartedRecord } from '../../state/records.js';
import { openRunDir, parseStepLogName, type RunDir } from '../../state/run-dir.js';

export interface LogOptions {
  readonly stateDir?: string;
}

interface StepLog {
  readonly path: string;
  readonly seq: number;
  readonly key: string;
}

export async function main(runArg: string, step: string | undefined, opts: LogOptions = {}): Promise<number> {
  const run = openRunDir(stateRoot(opts.stateDir), runArg);
  const all = stepLogs(run);
  const logs = step === undefined ? all : all.filter((l) => matches(l.key, step));
  if (logs.length === 0) {
    if (step !== undefined) {
      // A step that printed nothing has no log file; the journal says whether it ran.
      const { started, finished } = journalIndex(run);
      const silent = [...started.values()].filter((s) => matches(s.key, step));
      if (silent.length > 0) {
        for (const s of silent) process.stdout.write(`==> ${s.key} #${s.seq}${describeStep(s, finished.get(s.seq))} <==\n(no output)\n`);
        return 0;
      }
      const keys = [...new Set(all.map((l) => l.key))];
      throw invalid(`no logs of step ${step} in run ${run.runId}${keys.length ? ` (steps with logs: ${keys.join(', ')})` : ''}`);
    }
    process.stderr.write(`run ${run.runId} has no step logs\n`);
    return 0;
  }
  const journal = journalIndex(run);
  const out = new Output();
  for (const [i, log] of logs.entries()) {
    const started = journal.started.get(log.seq);
    const details = started?.key === log.key ? describeStep(started, journal.finished.get(log.seq)) : '';
    const header = `${i > 0 ? '\n' : ''}==> ${log.key} #${log.seq}${details} <==\n`;
    if (!(await out.write(header)) || !(await out.file(log.path))) break;
  }
  return 0;
}

/** A step id selects all its loop items and their undo; a key selects itself and its undo/verify. */
function matches(key: string, step: string): boolean {
  return key === step || key.startsWith(`${step}:`) || key.split(/[[:]/)[0] === step;
}

function stepLogs(run: RunDir): StepLog[] {
  let names: string[];
  try {
    names = readdirSync(run.logsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const logs = names.flatMap((name) => {
    const parsed = parseStepLogName(name);
    return parsed ? [{ path: join(run.logsDir, name), ...parsed }] : [];
  });
  return logs.sort((a, b) => a.seq - b.seq || a.path.localeCompare(b.path));
}

/** Step records by seq, for the headers; a journal that cannot be read only costs the details. */
function journalIndex(run: RunDir) {
  let records: JournalRecord[] = [];
  try {
    records = readJournal(run.journalPath).records;
  } catch (err) {
    if (!(err instanceof RunbookError)) throw err;
  }
  const started = new Map<number, StepStartedRecord>();
  const finished = new Map<number, StepFinishedRecord>();
  for (const r of records) {
    if (r.type === 'step_started') started.set(r.seq, r);
    else if (r.type === 'step_finished') finished.set(r.seq, r);
  }
  return { started, finished };
}

function describeStep(s: StepStartedRecord, f: StepFinishedRecord | undefined): string {
  const end = f ? `${f.status}${f.exitCode !== undefined ? ` (exit ${f.exitCode})` : ''}` : 'did not finish';
  return ` (${s.phase}, attempt ${s.attempt}, started ${s.at}, ${end})`;
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

  async file(path: string): Promise<boolean> {
    for await (const chunk of createReadStream(path)) if (!(await this.write(chunk as Buffer))) return false;
    return this.lastByte === 0x0a || this.write('\n');
  }
}
