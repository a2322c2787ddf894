/** Plain timestamped lines: for CI, pipes and NO_COLOR. Writes are synchronous, so output never piles up in memory. */
import { writeSync } from 'node:fs';
import type { EngineEvent } from '../../engine/events.js';
import type { Renderer } from './renderer.js';
import { describe } from './words.js';

export class PlainRenderer implements Renderer {
  constructor(private readonly out: NodeJS.WriteStream) {}

  handle(e: EngineEvent): void {
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
    const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    write(this.out, text.split('\n').map((l) => `${stamp} ${l}\n`).join(''));
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
