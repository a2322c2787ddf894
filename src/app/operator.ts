/**
 * The operator: questions at a terminal (readline), or the flags that answer for them
 * (--yes, --rerun-in-flight, --skip-in-flight, --fail-in-flight). Every answer says who gave it.
 */
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { StepRef } from '../engine/events.js';
import type { ExecRequest, FailureChoice, InFlightChoice, Operator } from '../engine/ports.js';
import type { ManualAnswer } from '../executors/real.js';
import { formatDuration } from '../model/duration.js';
import { drainConsole } from '../render/console/out.js';
import type { Renderer } from '../render/console/renderer.js';
import { currentUser } from '../state/lock-holder.js';

export interface OperatorOptions {
  readonly interactive: boolean;
  readonly yes: boolean;
  readonly inFlight?: InFlightChoice | undefined;
  readonly renderer: Renderer;
  /** What `ask` means without a terminal. */
  readonly defaultFailure: 'rollback' | 'abort';
}

/** Who is at the console: the person behind sudo, else the user; with the host. */
export function whoAmI(): string {
  return `${process.env.SUDO_USER || currentUser()}@${hostname()}`;
}

/** The question again, after saying why the answer was not taken. */
function unclear(answer: string, expected: string, question: string): string {
  const said = answer.trim() === '' ? 'an empty answer' : `"${answer.trim()}"`;
  return `${said} is not understood: answer ${expected}.\n${question}`;
}

export class ConsoleOperator implements Operator {
  readonly user = whoAmI();
  constructor(private readonly o: OperatorOptions) {}

  async confirm(req: ExecRequest, instruction: string, question: string): Promise<ManualAnswer> {
    if (!this.o.interactive) return { status: 'succeeded', by: `${this.user} (--yes)` };
    const within = req.action.kind === 'manual' && req.action.timeoutMs !== undefined ? ` (answer within ${formatDuration(req.action.timeoutMs)}, else it fails)` : '';
    const text = `\nMANUAL STEP ${req.ref.key}${within}:\n  ${instruction.trim().split('\n').join('\n  ')}\n${question} [y]es done / [n]o, it failed / [s]kip (add ": a note"): `;
    for (let q = text; ; ) {
      const answer = await this.ask(q, req.signal);
      if (answer === undefined) return { status: 'failed', by: this.user, unanswered: true };
      const [word = '', ...rest] = answer.split(':');
      const note = rest.join(':').trim() || undefined;
      const w = word.trim().toLowerCase();
      if (w === 'y' || w === 'yes') return { status: 'succeeded', by: this.user, note };
      if (w === 'n' || w === 'no') return { status: 'failed', by: this.user, note };
      if (w === 's' || w === 'skip') return { status: 'skipped', by: this.user, note };
      q = unclear(answer, 'y (done), n (it failed) or s (skip), with ": a note" after it if you like', `${question} [y/n/s]: `);
    }
  }

  async chooseOnFailure(ref: StepRef, reason: string): Promise<FailureChoice> {
    if (!this.o.interactive) return this.o.defaultFailure;
    const choices: Record<string, FailureChoice> = { r: 'retry', retry: 'retry', s: 'skip', skip: 'skip', b: 'rollback', rollback: 'rollback', a: 'abort', abort: 'abort' };
    for (let q = `\n${ref.key} failed: ${reason}\n[r]etry, [s]kip, roll [b]ack or [a]bort? `; ; ) {
      const a = await this.ask(q);
      if (a === undefined) return 'abort';
      const c = choices[a.trim().toLowerCase()];
      if (c) return c;
      q = unclear(a, 'r (retry), s (skip), b (roll back) or a (abort)', `${ref.key}: [r]etry, [s]kip, roll [b]ack or [a]bort? `);
    }
  }

  async chooseInFlight(ref: StepRef): Promise<InFlightChoice> {
    if (this.o.inFlight) return this.o.inFlight;
    const choices: Record<string, InFlightChoice> = { r: 'rerun', d: 'done', f: 'failed' };
    const why = ref.step.reboots ? 'it reboots the machine, but the machine has not restarted since' : 'it is not marked idempotent';
    for (let q = `\n${ref.key} was running when the run stopped; ${why}.\nDid it take effect? [r]e-run it, count it [d]one, count it [f]ailed: `; ; ) {
      const a = await this.ask(q);
      if (a === undefined) return 'failed';
      const c = choices[a.trim().toLowerCase()[0] ?? ''];
      if (c) return c;
      q = unclear(a, 'r (run it again), d (count it done) or f (count it failed; also --fail-in-flight)', `${ref.key}: [r]e-run, [d]one or [f]ailed? `);
    }
  }

  async chooseOnOverrun(ref: StepRef, message: string): Promise<'rollback' | 'continue'> {
    if (!this.o.interactive) return 'rollback';
    for (let q = `\n${message}. Roll back now, or continue with ${ref.key} anyway? [b]ack / [c]ontinue: `; ; ) {
      const a = (await this.ask(q))?.trim().toLowerCase();
      if (a === undefined || a.startsWith('b')) return 'rollback';
      if (a.startsWith('c')) return 'continue';
      q = unclear(a, 'b (roll back now) or c (continue)', `[b]ack / [c]ontinue: `);
    }
  }

  private async ask(question: string, signal?: AbortSignal): Promise<string | undefined> {
    this.o.renderer.pause();
    // What the console still holds (a terminal that was stopped, a slow one) comes out first: the
    // question follows the output it is about, and nothing written later erases it.
    await drainConsole();
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    try {
      return await rl.question(question, signal ? { signal } : {});
    } catch {
      if (signal?.aborted) process.stderr.write('\n'); // the abandoned prompt's line
      return undefined;
    } finally {
      rl.close();
      this.o.renderer.resume();
    }
  }
}
