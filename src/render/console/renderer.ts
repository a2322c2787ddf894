/**
 * How a run shows on the console. One small interface, three renderers chosen by whether
 * stdout is a terminal: tty (spinner, lines fitted to the width), plain (timestamped lines: CI,
 * pipes, TERM=dumb) and json (one event per line, for machines). Colour is decided apart from
 * the layout: NO_COLOR drops the colour only, FORCE_COLOR forces it (also into a pipe).
 */
import type { EngineEvent } from '../../engine/events.js';
import { type Symbols, symbolsFor } from './symbols.js';
import type { Verbosity } from './verbosity.js';

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

export interface ConsoleOptions {
  readonly windowEnd?: number | undefined;
  readonly verbosity?: Verbosity | undefined;
}

/** What the text renderers share: the marks, the colour level, how much to say. */
export interface Style {
  readonly symbols: Symbols;
  /** 0 = none; 1-3 as chalk counts them. */
  readonly colour: 0 | 1 | 2 | 3;
  readonly verbosity: Verbosity;
}

/** A terminal with a size (a serial console may report 0x0, where a spinner cannot redraw), not CI, not dumb. */
export function isInteractive(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && !env.CI && env.TERM !== 'dumb';
}

/** FORCE_COLOR (chalk's reading: '', 'true', 1-3; '0' or 'false' for none) wins; then NO_COLOR; then a colour terminal. */
export function colourLevel(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, terminalLevel: 0 | 1 | 2 | 3): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === 'false' || force === '0') return 0;
    const n = Number.parseInt(force, 10);
    return Number.isNaN(n) ? 1 : (Math.min(Math.max(n, 1), 3) as 1 | 2 | 3);
  }
  if (env.NO_COLOR) return 0;
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  return terminalLevel || 1;
}

export async function chooseRenderer(format: ConsoleFormat, o: ConsoleOptions = {}): Promise<Renderer> {
  const out = process.stdout;
  if (format === 'json') return new (await import('./json.js')).JsonRenderer(out);
  const { supportsColor } = await import('chalk');
  const level = supportsColor ? supportsColor.level : 0;
  const style: Style = { symbols: symbolsFor(), colour: colourLevel(out, process.env, level), verbosity: o.verbosity ?? 'normal' };
  if (isInteractive(out)) return new (await import('./tty.js')).TtyRenderer(out, style, o.windowEnd);
  return new (await import('./plain.js')).PlainRenderer(out, style);
}
