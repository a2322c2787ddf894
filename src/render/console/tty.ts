/**
 * At a terminal: a spinner on the running step (where it is, elapsed, time left in the window),
 * colours (unless NO_COLOR), and every line fitted to the terminal's width: wrapped at word
 * boundaries, continuation lines indented, the spinner's one line cut with an ellipsis.
 */
import ora, { type Ora } from 'ora';
import wrapAnsi from 'wrap-ansi';
import type { EngineEvent } from '../../engine/events.js';
import { formatDuration } from '../../model/duration.js';
import { CauseWatch, hostOf } from './cause.js';
import { Paint } from './paint.js';
import { write } from './plain.js';
import type { Renderer, Style } from './renderer.js';
import { shown } from './verbosity.js';
import { describe, stepTitle } from './words.js';

/** Wide enough to say something on a terminal that reports a silly width. */
const MIN_WIDTH = 20;

export class TtyRenderer implements Renderer {
  private spinner: Ora | undefined;
  private timer: NodeJS.Timeout | undefined;
  private title = '';
  private started = 0;
  private readonly cause = new CauseWatch();
  private readonly paint: Paint;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly style: Style,
    private readonly windowEnd?: number,
  ) {
    this.paint = new Paint(style);
  }

  handle(e: EngineEvent): void {
    this.cause.see(e);
    if (!shown(e, this.style.verbosity)) return;
    switch (e.type) {
      case 'step_started':
        if (e.ref.step.kind === 'manual') return this.line(e);
        this.title = stepTitle(e.ref, this.style.symbols, hostOf(e));
        this.started = Date.now();
        this.line(e);
        return this.spin();
      case 'step_output': {
        const bar = this.paint.bar(e.stream);
        const cont = `${bar}  `;
        return this.print(
          e.lines
            .split('\n')
            .map((l) => this.fit(bar + l, cont))
            .join('\n'),
          true,
        );
      }
      case 'step_finished':
      case 'rollback_started':
      case 'escalated':
      case 'run_finished':
        this.stopSpin();
        return this.line(e);
      default:
        return this.line(e);
    }
  }

  info(message: string): void {
    this.print(this.fit(message, '    ', (part) => this.paint.info(part)));
  }
  /** Nothing is held back at a terminal. */
  flush(): void {}
  pause(): void {
    this.spinner?.stop();
  }
  resume(): void {
    if (this.spinner && this.timer) this.spinner.start();
  }
  close(): void {
    this.stopSpin();
  }

  private line(e: EngineEvent): void {
    const text = describe(e, this.style.symbols, this.cause.cause, this.style.verbosity === 'verbose');
    if (text === undefined) return;
    this.print(
      text
        .split('\n')
        .map((l) => this.fit(l, '    ', (part) => this.paint.event(e, part)))
        .join('\n'),
    );
  }

  private get width(): number {
    return Math.max(MIN_WIDTH, this.out.columns || 80);
  }

  /**
   * One logical line as terminal lines, each within the width: wrapped at words (a word longer
   * than a line is cut), `indent` before each continuation line. Colour goes on afterwards, line
   * by line (`paint`), so that a wrapped line keeps it.
   */
  private fit(text: string, indent: string, paint: (line: string) => string = (l) => l): string {
    const width = this.width - 1; // a line that fills the last column wraps early on some terminals
    if (text.length < width && !text.includes('\t')) return paint(text); // the common case: short, no need to measure
    const lines = wrapAnsi(text, width - indent.length, { hard: true, trim: false }).split('\n');
    return lines.map((l, i) => (i === 0 ? paint(l.trimEnd()) : indent + paint(l.trim()))).join('\n');
  }

  private print(text: string, droppable = false): void {
    const running = this.spinner?.isSpinning;
    if (running) this.spinner!.clear();
    write(this.out, `${text}\n`, droppable);
    if (running) this.spinner!.render();
  }

  private spin(): void {
    this.spinner ??= ora({ stream: this.out, discardStdin: false, isEnabled: true, color: this.style.colour ? 'cyan' : false });
    this.spinner.text = this.label();
    this.spinner.start();
    this.timer ??= setInterval(() => this.spinner && (this.spinner.text = this.label()), 1000);
    this.timer.unref();
  }

  private stopSpin(): void {
    this.spinner?.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The spinner's text, cut to one line: ora redraws one line, and a wrapped one leaves debris. */
  private label(): string {
    const elapsed = formatDuration(Date.now() - this.started);
    const left = this.windowEnd !== undefined ? ` · window: ${this.windowEnd > Date.now() ? `${formatDuration(this.windowEnd - Date.now())} left` : 'overrun'}` : '';
    const status = ` · ${elapsed}${left}`;
    const room = this.width - 3 - status.length; // the spinner's frame and a space, and the margin
    const { ellipsis } = this.style.symbols;
    const title = [...this.title].length > room ? `${[...this.title].slice(0, Math.max(1, room - ellipsis.length)).join('')}${ellipsis}` : this.title;
    return `${title}${status}`;
  }
}
