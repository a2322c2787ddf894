/** Plain timestamped lines: for CI, pipes and dumb terminals. Writes never wait for the reader (./out.ts). */
import type { EngineEvent } from '../../engine/events.js';
import { consoleOut } from './out.js';
import type { Renderer } from './renderer.js';
import { describe, OUTPUT_BAR } from './words.js';

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

export class PlainRenderer implements Renderer {
  private readonly held: HeldLines;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.held = new HeldLines(out);
  }

  handle(e: EngineEvent): void {
    if (e.type === 'step_finished' && e.replayed) return this.held.hold(this.format(describe(e)!));
    this.held.flush();
    if (e.type === 'step_output') {
      // The hot path of a chatty step: one pass over the block, one write.
      const prefix = `${stamp()} ${OUTPUT_BAR}`;
      return write(this.out, `${prefix}${e.lines.replace(/\n/g, `\n${prefix}`)}\n`, true);
    }
    const text = describe(e);
    if (text !== undefined) write(this.out, this.format(text));
  }
  info(message: string): void {
    this.held.flush();
    write(this.out, this.format(message));
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
export function write(stream: NodeJS.WriteStream, text: string, droppable = false): void {
  consoleOut(stream).write(text, droppable);
}
