/** At a terminal: an ora spinner on the running step (n/N, elapsed, time left in the window), chalk colours. */
import chalk from 'chalk';
import ora, { type Ora } from 'ora';
import type { EngineEvent } from '../../engine/events.js';
import { formatDuration } from '../../model/duration.js';
import { write } from './plain.js';
import type { Renderer } from './renderer.js';
import { describe, stepTitle } from './words.js';

export class TtyRenderer implements Renderer {
  private spinner: Ora | undefined;
  private timer: NodeJS.Timeout | undefined;
  private title = '';
  private started = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly windowEnd?: number,
  ) {}

  handle(e: EngineEvent): void {
    switch (e.type) {
      case 'step_started':
        if (e.ref.step.kind === 'manual') return this.print(chalk.yellow(describe(e)!));
        this.title = stepTitle(e.ref);
        this.started = Date.now();
        this.print(chalk.cyan(describe(e)!));
        return this.spin();
      case 'step_output': {
        const bar = chalk.dim('  │ ');
        return this.print(bar + e.lines.replace(/\n/g, `\n${bar}`));
      }
      case 'step_finished': {
        this.stopSpin();
        const text = describe(e)!;
        return this.print(e.status === 'succeeded' ? chalk.green(text) : e.status === 'failed' ? chalk.red(text) : chalk.yellow(text));
      }
      case 'rollback_started':
      case 'escalated':
        this.stopSpin();
        return this.print(chalk.bold.red(describe(e)!));
      case 'run_finished':
        this.stopSpin();
        return this.print(chalk.bold(e.exitCode === 0 ? chalk.green(describe(e)!) : chalk.red(describe(e)!)));
      default: {
        const text = describe(e);
        if (text) this.print(e.type === 'warning' || e.type === 'window_warning' ? chalk.yellow(text) : text);
      }
    }
  }

  info(message: string): void {
    this.print(chalk.bold(message));
  }
  /** Nothing is held back at a terminal. */
  flush(): void {}
  pause(): void {
    this.spinner?.stop();
  }
  resume(): void {
    if (this.spinner) this.spinner.start();
  }
  close(): void {
    this.stopSpin();
  }

  private print(text: string): void {
    const running = this.spinner?.isSpinning;
    if (running) this.spinner!.clear();
    write(this.out, `${text}\n`);
    if (running) this.spinner!.render();
  }

  private spin(): void {
    this.spinner ??= ora({ stream: this.out, discardStdin: false });
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

  private label(): string {
    const elapsed = formatDuration(Date.now() - this.started);
    const left = this.windowEnd !== undefined ? ` · window: ${this.windowEnd > Date.now() ? `${formatDuration(this.windowEnd - Date.now())} left` : 'overrun'}` : '';
    return `${this.title} · ${elapsed}${left}`;
  }
}
