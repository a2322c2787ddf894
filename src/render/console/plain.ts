/** Plain timestamped lines: for CI, pipes and NO_COLOR. Writes are synchronous, so output never piles up in memory. */
import { writeSync } from 'node:fs';
import type { EngineEvent } from '../../engine/events.js';
import type { Renderer } from './renderer.js';
import { describe, OUTPUT_BAR } from './words.js';

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class PlainRenderer implements Renderer {
  constructor(private readonly out: NodeJS.WriteStream) {}

  handle(e: EngineEvent): void {
    if (e.type === 'step_output') {
      // The hot path of a chatty step: one pass over the block, one write.
      const prefix = `${stamp()} ${OUTPUT_BAR}`;
      return write(this.out, `${prefix}${e.lines.replace(/\n/g, `\n${prefix}`)}\n`);
    }
    const text = describe(e);
    if (text !== undefined) this.line(text);
  }
  info(message: string): void {
    this.line(message);
  }
  pause(): void {}
  resume(): void {}
  close(): void {}

  private line(text: string): void {
    const prefix = `${stamp()} `;
    write(this.out, `${prefix}${text.replace(/\n/g, `\n${prefix}`)}\n`);
  }
}

/** A synchronous write to stdout/stderr (a closed pipe is ignored). */
export function write(stream: NodeJS.WriteStream, text: string): void {
  const fd = (stream as unknown as { fd?: number }).fd;
  try {
    if (typeof fd === 'number') writeSync(fd, text);
    else stream.write(text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
  }
}
