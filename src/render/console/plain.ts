/** Plain timestamped lines: for CI, pipes and dumb terminals. Writes never wait for the reader (./out.ts). */
import type { EngineEvent } from '../../engine/events.js';
import { CauseWatch } from './cause.js';
import { consoleOut, prefixLines } from './out.js';
import { Paint } from './paint.js';
import type { Renderer, Style } from './renderer.js';
import { UNICODE } from './symbols.js';
import { shown } from './verbosity.js';
import { describe } from './words.js';

/** `2026-11-23T11:27:10Z`: UTC to the second, made once per second (a resume replays thousands of steps). */
let stampSecond = NaN;
let stampText = '';
function stamp(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stampText = new Date(second * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return stampText;
}

const PLAIN: Style = { symbols: UNICODE, colour: 0, verbosity: 'normal' };

export class PlainRenderer implements Renderer {
  private readonly held: HeldLines;
  private readonly cause = new CauseWatch();
  private readonly paint: Paint;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly style: Style = PLAIN,
  ) {
    this.held = new HeldLines(out);
    this.paint = new Paint(style);
  }

  handle(e: EngineEvent): void {
    this.cause.see(e);
    if (!shown(e, this.style.verbosity)) return;
    if (e.type === 'step_finished' && e.replayed) return this.held.hold(this.format(this.text(e)!));
    this.held.flush();
    if (e.type === 'step_output') {
      // The hot path of a chatty step: one pass over the block, one write.
      return write(this.out, prefixLines(this.prefix(e.stream), e.lines), true);
    }
    const text = this.text(e);
    if (text !== undefined) write(this.out, this.format(text));
  }
  info(message: string): void {
    this.held.flush();
    write(this.out, this.format(this.paint.info(message)));
  }
  flush(): void {
    this.held.flush();
  }
  pause(): void {
    this.held.flush();
  }
  resume(): void {}
  close(): void {
    this.held.flush();
  }

  /** `2026-11-23T11:27:10Z   │ ` as bytes, made once a second per stream. */
  private prefixes = { second: '', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private prefix(stream: 'stdout' | 'stderr'): Buffer {
    const now = stamp();
    if (this.prefixes.second !== now) {
      this.prefixes = { second: now, stdout: Buffer.from(`${now} ${this.paint.bar('stdout')}`), stderr: Buffer.from(`${now} ${this.paint.bar('stderr')}`) };
    }
    return this.prefixes[stream];
  }

  private text(e: EngineEvent): string | undefined {
    const text = describe(e, this.style.symbols, this.cause.cause, this.style.verbosity === 'verbose');
    return text === undefined ? undefined : this.paint.event(e, text);
  }

  private format(text: string): string {
    const prefix = `${stamp()} `;
    return `${prefix}${text.includes('\n') ? text.replace(/\n/g, `\n${prefix}`) : text}\n`;
  }
}

/**
 * The lines of the steps a resume replays (done before the interruption), held back and written
 * together: thousands of writes otherwise. They are written before any other line, before the
 * session journals a record or starts a process (src/app/session.ts calls flush()), and at the
 * latest when the event loop turns; so nothing that happens after a line is shown before it.
 */
export class HeldLines {
  private text = '';
  private scheduled = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  hold(text: string): void {
    this.text += text;
    if (this.text.length >= 64 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.text === '') return;
    const text = this.text;
    this.text = '';
    write(this.out, text);
  }
}

/** Writes to the console without ever waiting for its reader (./out.ts); step output may be dropped. */
export function write(stream: NodeJS.WriteStream, text: string | Buffer, droppable = false): void {
  consoleOut(stream).write(text, droppable);
}
