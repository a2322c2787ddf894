/**
 * The directory store: `<root>/runs/<runId>/` per run (./run-dir.ts) and `<root>/locks/` for the
 * locks (./lock.ts). Files are written synchronously: a local disk answers in microseconds, and
 * a record that is on disk when the call returns is the simplest guarantee to reason about.
 */
import { closeSync, createReadStream, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';
import { DIR_MODE } from './durable.js';
import { FileLog } from './file-log.js';
import { JournalWriter, type ReadResult, readJournal } from './journal.js';
import { acquireLock, forceUnlock, readLock } from './lock.js';
import { isHolderAlive } from './lock-holder.js';
import { createRunDir, listRunDirs, openRunDir, parseStepLogName, type RunDir, runDirOf, stepLogPath } from './run-dir.js';
import type { JournalSink, LogSink, RunRef, StepLogRef, Storage } from './storage.js';

export class DirStore implements Storage {
  readonly where: string;

  constructor(
    readonly root: string,
    /** Whether a command pasted elsewhere must name the directory (`option`). */
    readonly named: boolean,
  ) {
    this.where = root;
  }

  get option(): readonly string[] {
    return this.named ? ['--state-dir', this.root] : [];
  }

  private dir(run: RunRef): RunDir {
    return runDirOf(this.root, run.runId);
  }

  private ref(run: RunDir): RunRef {
    return { runId: run.runId, where: run.dir };
  }

  async createRun(runbookId: string, runbookText: string): Promise<RunRef> {
    return this.ref(createRunDir(this.root, runbookId, runbookText));
  }

  async removeRun(run: RunRef): Promise<void> {
    rmSync(this.dir(run).dir, { recursive: true, force: true });
  }

  async listRuns(): Promise<RunRef[]> {
    return listRunDirs(this.root).map((r) => this.ref(r));
  }

  async findRun(idOrPrefix: string): Promise<RunRef> {
    return this.ref(openRunDir(this.root, idOrPrefix));
  }

  async readRunbookCopy(run: RunRef): Promise<string> {
    return readFileSync(this.dir(run).runbookCopyPath, 'utf8');
  }

  async scratchDir(run: RunRef): Promise<string> {
    const dir = join(this.dir(run).dir, 'outputs');
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }

  async readJournal(run: RunRef, opts: { repair?: boolean } = {}) {
    return readJournal(this.dir(run).journalPath, opts);
  }

  async readJournals(runs: readonly RunRef[]) {
    const out = new Map<string, ReadResult | RunbookError>();
    for (const run of runs) {
      try {
        out.set(run.runId, readJournal(this.dir(run).journalPath));
      } catch (err) {
        if (!(err instanceof RunbookError)) throw err;
        out.set(run.runId, err);
      }
    }
    return out;
  }

  async readRunsForSummary() {
    const runs = await this.listRuns();
    const reads = await this.readJournals(runs);
    return runs.map((run) => ({ run, read: reads.get(run.runId)! }));
  }

  async createJournal(run: RunRef): Promise<JournalSink> {
    return sink(JournalWriter.create(this.dir(run).journalPath));
  }

  async openJournal(run: RunRef): Promise<JournalSink> {
    return sink(JournalWriter.openForAppend(this.dir(run).journalPath));
  }

  openStepLog(run: RunRef, seq: number, key: string): LogSink {
    return new FileLog(stepLogPath(this.dir(run), seq, key), false);
  }

  async listStepLogs(run: RunRef): Promise<StepLogRef[]> {
    const { logsDir } = this.dir(run);
    let names: string[];
    try {
      names = readdirSync(logsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const logs = names.flatMap((name) => {
      const parsed = parseStepLogName(name);
      return parsed ? [{ id: join(logsDir, name), ...parsed }] : [];
    });
    return logs.sort((a, b) => a.seq - b.seq || a.id.localeCompare(b.id));
  }

  readStepLog(_run: RunRef, log: StepLogRef, from = 0): AsyncIterable<Buffer> {
    return createReadStream(log.id, { start: from });
  }

  async stepLogTail(_run: RunRef, log: StepLogRef, bytes: number): Promise<string> {
    const fd = openSync(log.id, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, bytes);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      const text = buf.toString('utf8');
      // A cut in the middle of a line (or a character): start at the next whole line.
      return length < size ? text.slice(text.indexOf('\n') + 1) : text;
    } finally {
      closeSync(fd);
    }
  }

  async acquireLock(runbookId: string, runId: string) {
    const lock = acquireLock(this.root, runbookId, runId);
    return { tookOver: lock.tookOver, release: async () => lock.release() };
  }

  async readLock(runbookId: string) {
    return readLock(this.root, runbookId);
  }

  async isHolderAlive(info: Parameters<typeof isHolderAlive>[0]) {
    return isHolderAlive(info);
  }

  async forceUnlock(runbookId: string) {
    return forceUnlock(this.root, runbookId);
  }
}

function sink(writer: JournalWriter): JournalSink {
  return {
    append: async (record, opts) => writer.append(record, opts),
    close: async () => writer.close(),
  };
}
