/**
 * The console's writer: it never makes the run wait for whoever reads the console. A write goes
 * straight to the descriptor when it can; what a full pipe refuses (`runbook exec … | less`, or a
 * pipe nobody reads) waits in a bounded queue written as the reader drains. When a step prints
 * faster than the reader reads and the queue is full, its output lines are dropped and counted,
 * and one note says so where the gap is: the step's log has every line (the journal and the logs
 * are written by the executor, never through here). The run's own lines (a step started, ended,
 * the result) are never dropped: there are few of them.
 */
import { writeSync } from 'node:fs';
import { isConsoleGone } from './hangup.js';

/**
 * What may wait for a slow reader; beyond it, step output is dropped. A reader that lags (a
 * pager, a busy terminal multiplexer) loses nothing unless it falls this far behind; a reader
 * that is stuck costs this much memory at most.
 */
const QUEUE_CAP = 8 * 1024 * 1024;
/** How often a full pipe is tried again (a pipe gives no readiness signal to a plain descriptor). */
const RETRY_MS = 10;

export class ConsoleOut {
  private queue: Buffer[] = [];
  private queued = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private gone = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly fd: number,
    /** The note that stands for dropped lines: `… 12 lines not shown: <hint>`. */
    private readonly hint: () => string = () => 'see `runbook log`',
  ) {}

  /** Writes `text` (whole lines), or queues it; `droppable` text (step output) may be dropped instead. */
  write(text: string | Buffer, droppable = false): void {
    if (this.gone || text === '') return;
    // A busy step writes often: each write first tries what waits, so a reader that keeps up
    // (`| cat`, `| tee`) loses nothing to the retry timer's pace.
    if (this.queued > 0) this.pump();
    if (droppable && (this.dropped > 0 ? this.queued > QUEUE_CAP / 2 : this.queued + text.length > QUEUE_CAP)) {
      this.dropped += countLines(text);
      return;
    }
    this.note();
    if (this.queued > 0) return this.enqueue(typeof text === 'string' ? Buffer.from(text) : text);
    const written = this.tryWrite(text);
    if (written === true) return;
    this.enqueue(written);
  }

  /** True when nothing waits to be written. */
  get idle(): boolean {
    return this.queued === 0;
  }

  /** Resolves once the queue is written (or the reader has gone): before the process exits. */
  drained(): Promise<void> {
    this.note();
    if (this.queued === 0 || this.gone) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The note that stands where dropped lines were. */
  private note(): void {
    if (this.dropped === 0) return;
    const n = this.dropped;
    this.dropped = 0;
    this.write(this.noteAs(n, `… ${n} line${n === 1 ? '' : 's'} not shown (the console could not keep up): ${this.hint()}`));
  }

  /** How the note is written: a plain line, or (`--format json`) a JSON object of its own. */
  noteAs: (lines: number, text: string) => string = (_lines, text) => `${text}\n`;

  /** True when all of it went out; else what is left of it. */
  private tryWrite(text: string | Buffer): true | Buffer {
    let buf: Buffer | undefined = typeof text === 'string' ? undefined : text;
    try {
      // The common case: all of it at once, without encoding it here first.
      const n = buf ? writeSync(this.fd, buf) : writeSync(this.fd, text as string);
      const length = buf ? buf.length : Buffer.byteLength(text as string);
      if (n === length) return true;
      buf ??= Buffer.from(text as string);
      return buf.subarray(n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return buf ?? Buffer.from(text as string);
      // The reader went away, or the console is a file on a full disk: the run goes on without
      // its console (the journal and the logs are written elsewhere), and says so once.
      if (!isConsoleGone(err)) this.sayGone(err as Error);
      return this.giveUp();
    }
  }

  private enqueue(buf: Buffer): void {
    this.queue.push(buf);
    this.queued += buf.length;
    this.timer ??= setTimeout(() => this.pump(), RETRY_MS);
  }

  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const rest = this.tryWrite(head);
      if (this.gone) return;
      if (rest !== true) {
        this.queued -= head.length - rest.length;
        this.queue[0] = rest;
        this.timer = setTimeout(() => this.pump(), RETRY_MS);
        return;
      }
      this.queue.shift();
      this.queued -= head.length;
    }
    for (const w of this.waiters.splice(0)) w();
  }

  private sayGone(err: Error): void {
    try {
      writeSync(this.fd === 2 ? 1 : 2, `runbook: the console cannot be written (${err.message}): the run goes on; ${this.hint()}\n`);
    } catch {
      /* no console at all: the journal says what happened */
    }
  }

  private giveUp(): true {
    this.gone = true;
    this.queue = [];
    this.queued = 0;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.waiters.splice(0)) w();
    return true;
  }
}

function countLines(text: string | Buffer): number {
  let n = 0;
  if (typeof text === 'string') for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  else for (let i = text.indexOf(NL); i >= 0; i = text.indexOf(NL, i + 1)) n++;
  return n;
}

const NL = 0x0a;

/**
 * `lines` with `prefix` before each line and a newline after the last, as bytes: the hot path of
 * a step printing a lot (its output is encoded once, and copied, rather than rebuilt as a string
 * and encoded again on write).
 */
export function prefixLines(prefix: Buffer, lines: string): Buffer {
  const src = Buffer.from(lines, 'utf8');
  let count = 1;
  for (let i = src.indexOf(NL); i >= 0; i = src.indexOf(NL, i + 1)) count++;
  const out = Buffer.allocUnsafe(src.length + count * prefix.length + 1);
  let o = 0;
  let s = 0;
  for (;;) {
    o += prefix.copy(out, o);
    const nl = src.indexOf(NL, s);
    if (nl < 0) {
      o += src.copy(out, o, s);
      break;
    }
    o += src.copy(out, o, s, nl + 1);
    s = nl + 1;
  }
  out[o++] = NL;
  return out.subarray(0, o);
}

const outs = new Map<number, ConsoleOut>();

/** The one writer of a descriptor (stdout, stderr), so that lines keep their order. */
export function consoleOut(stream: NodeJS.WriteStream): ConsoleOut {
  const fd = (stream as unknown as { fd?: number }).fd ?? 1;
  let out = outs.get(fd);
  if (!out) {
    if (stream.isTTY) nonBlocking(stream);
    outs.set(fd, (out = new ConsoleOut(fd, () => logHint)));
  }
  return out;
}

/**
 * A terminal whose output is stopped (Ctrl-S, a multiplexer in copy mode) would block every
 * write, and the whole run with it: its timers, its lease, its step timeouts. Node writes to a
 * terminal blocking on purpose; made non-blocking, the terminal's writes wait in the queue above
 * as a pipe's do (and ora's, through the stream, in libuv's). Node opened the terminal anew for
 * itself (libuv's uv_tty_init), so the shell's descriptor stays as it was.
 */
function nonBlocking(stream: NodeJS.WriteStream): void {
  (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => void } })._handle?.setBlocking?.(false);
}

let logHint = 'see `runbook log`';
/** Names the command that prints what the console dropped: `runbook log RUN --state-dir …`. */
export function setLogHint(hint: string): void {
  logHint = hint;
}

/** Every console writer's queue written (or its reader gone): the CLI awaits this before it exits. */
export async function drainConsole(): Promise<void> {
  await Promise.all([...outs.values()].map((o) => o.drained()));
}
