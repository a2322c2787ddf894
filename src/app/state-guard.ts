/**
 * A write to the state that failed (a full disk, a read-only or vanished mount): nothing more
 * can be recorded, so nothing more may run. The run stops as interrupted, with the journal as
 * far as it got (a torn last record is repaired on resume), and resumes once the disk is back.
 * The same for a database state that cannot be reached, or a lease that is no longer ours
 * (StateUnavailable): nothing more may run, the step running is stopped.
 */
import { type LogSink, StateUnavailable } from '../state/storage.js';

export class StateGuard {
  private failure: NodeJS.ErrnoException | undefined;

  constructor(
    private readonly where: string,
    /** Stop the run: the running step's group first. */
    private readonly stop: (reason: string) => void,
  ) {}

  /** Whether `err` is the state failing (an error of the system, not of runbook); it stops the run. */
  fail(err: unknown): boolean {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return false;
    if (!this.failure) {
      this.failure = err as NodeJS.ErrnoException;
      this.stop(code);
    }
    return true;
  }

  /** The lock is no longer ours (`HeldLock.onLost`): stop as if the state had failed. */
  lost(reason: string): void {
    this.fail(new StateUnavailable(reason));
  }

  /** A step log that stops the run at its first failed write, and drops what follows. */
  log(sink: LogSink): LogSink {
    return {
      write: (text) => {
        if (this.failure) return;
        try {
          sink.write(text);
        } catch (err) {
          if (!this.fail(err)) throw err;
        }
      },
      close: () => {
        try {
          sink.close();
        } catch (err) {
          if (!this.fail(err)) throw err;
        }
      },
    };
  }

  /** The one line that says what happened, or nothing. */
  message(): string | undefined {
    const f = this.failure;
    if (!f) return undefined;
    if (f instanceof StateUnavailable) return `${f.message}; the run stopped as interrupted`;
    const what = f.code === 'ENOSPC' || f.code === 'EDQUOT' ? 'the disk under it is full' : 'it cannot be written';
    return `the state in ${this.where}: ${what} (${f.code}: ${f.message.replace(/^E[A-Z]+: /, '').split(',')[0]}); the run stopped as interrupted`;
  }
}
