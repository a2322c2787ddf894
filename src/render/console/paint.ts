/** The colours of the console's lines, one place for tty and plain (plain has them only with FORCE_COLOR). */
import { Chalk, type ChalkInstance } from 'chalk';
import type { EngineEvent } from '../../engine/events.js';
import type { Style } from './renderer.js';

export class Paint {
  readonly c: ChalkInstance;
  constructor(private readonly style: Style) {
    this.c = new Chalk({ level: style.colour });
  }

  /** An event's line(s), coloured by what they say. */
  event(e: EngineEvent, text: string): string {
    const { c } = this;
    if (this.style.colour === 0) return text;
    switch (e.type) {
      case 'step_started':
        return e.ref.step.kind === 'manual' ? c.yellow(text) : c.cyan(text);
      case 'step_finished':
        return e.status === 'succeeded' ? c.green(text) : e.status === 'failed' ? c.red(text) : c.yellow(text);
      case 'rollback_started':
      case 'escalated':
        return c.bold.red(text);
      case 'run_finished':
        return c.bold(e.exitCode === 0 ? c.green(text) : c.red(text));
      case 'warning':
      case 'window_warning':
      case 'step_retry':
        return c.yellow(text);
      default:
        return text;
    }
  }

  /** The mark before a line of a step's output: stderr's differs from stdout's in shape and colour. */
  bar(stream: 'stdout' | 'stderr'): string {
    const { symbols } = this.style;
    if (stream === 'stderr') return this.style.colour ? this.c.red(symbols.errBar) : symbols.errBar;
    return this.style.colour ? this.c.dim(symbols.bar) : symbols.bar;
  }

  info(text: string): string {
    return this.style.colour ? this.c.bold(text) : text;
  }
}
