/**
 * How a run shows on the console. One small interface, three renderers chosen by whether
 * stdout is a terminal: tty (ora spinner, colours), plain (timestamped lines: CI, pipes,
 * NO_COLOR) and json (one event per line, for machines).
 */
import type { EngineEvent } from '../../engine/events.js';

export interface Renderer {
  handle(event: EngineEvent): void;
  /** A line from the app itself: the run id, the resume command, advice. */
  info(message: string): void;
  /** Write the lines held back, if any (replayed steps are written in batches). */
  flush(): void;
  /** Stop drawing while the operator answers a prompt. */
  pause(): void;
  resume(): void;
  close(): void;
}

export type ConsoleFormat = 'text' | 'json';

/** A terminal with a size (a serial console may report 0x0, where a spinner cannot redraw). */
export function isInteractive(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && !process.env.CI && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

export async function chooseRenderer(format: ConsoleFormat, windowEnd?: number): Promise<Renderer> {
  if (format === 'json') return new (await import('./json.js')).JsonRenderer(process.stdout);
  if (isInteractive()) return new (await import('./tty.js')).TtyRenderer(process.stdout, windowEnd);
  return new (await import('./plain.js')).PlainRenderer(process.stdout);
}
