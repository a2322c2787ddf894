/**
 * The executor of real runs: one function per action kind. Shell commands go through
 * ./process.ts; manual steps and notifications through the functions the app passes in.
 */
import type { EventSink } from '../engine/events.js';
import type { Action, Clock, ExecRequest, ExecResult, StepExecutor } from '../engine/ports.js';
import { formatDuration } from '../model/duration.js';
import type { LogSink } from '../state/storage.js';
import { type ProcessResult, runProcess } from './process.js';
import type { Transport } from './transport.js';

export interface ManualAnswer {
  readonly status: 'succeeded' | 'failed' | 'skipped';
  readonly by: string;
  readonly note?: string | undefined;
  /** Nobody answered: the question was given up (a timeout, an interrupt, the input closed). */
  readonly unanswered?: boolean | undefined;
}

export interface RealExecutorDeps {
  readonly secrets: readonly string[];
  readonly clock: Clock;
  readonly emit: EventSink;
  readonly log: (seq: number, key: string) => LogSink | undefined;
  readonly outputPath: (seq: number) => string | undefined;
  readonly confirm: (request: ExecRequest, instruction: string, question: string) => Promise<ManualAnswer>;
  readonly notify: (message: string, to: readonly string[] | undefined) => Promise<void>;
  /** How to reach a host of the runbook (as root through `sudo -n` with `become`). */
  readonly transportFor?: ((host: string, become: boolean) => Transport) | undefined;
}

type Shell = Extract<Action, { kind: 'shell' }>;

/** A wait that reached its request's stopAt: the engine decides what follows. */
const STOPPED: ExecResult = { status: 'failed', reason: 'stopped at the point of no return', stoppedEarly: true };

export class RealExecutor implements StepExecutor {
  constructor(private readonly d: RealExecutorDeps) {}

  async execute(req: ExecRequest): Promise<ExecResult> {
    const a = req.action;
    switch (a.kind) {
      case 'shell':
        return this.shell(req, a);
      case 'manual':
        return this.manual(req, a);
      case 'sleep': {
        const end = req.startedAt + a.ms;
        const stops = req.stopAt !== undefined && req.stopAt < end;
        await this.d.clock.sleep((stops ? req.stopAt! : end) - this.d.clock.now(), req.signal);
        if (req.signal.aborted) return { status: 'failed', interrupted: true };
        return stops ? STOPPED : { status: 'succeeded' };
      }
      case 'poll':
        return this.poll(req, a);
      case 'monitor':
        return this.monitor(req, a);
      case 'notify':
        await this.d.notify(a.message, a.to);
        return { status: 'succeeded' };
    }
  }

  /** The operator confirms; with a `timeout`, a question nobody answers in time fails the step. */
  private async manual(req: ExecRequest, a: Extract<Action, { kind: 'manual' }>): Promise<ExecResult> {
    const timeout = a.timeoutMs === undefined ? undefined : AbortSignal.timeout(a.timeoutMs);
    const signal = timeout ? AbortSignal.any([req.signal, timeout]) : req.signal;
    const answer = await this.d.confirm({ ...req, signal }, a.instruction, a.question);
    if (req.signal.aborted) return { status: 'failed', interrupted: true };
    if (answer.unanswered && timeout?.aborted) return { status: 'failed', reason: `no answer within ${formatDuration(a.timeoutMs ?? 0)}: the question was abandoned` };
    const reason = answer.status === 'failed' ? `the operator reported failure${answer.note ? `: ${answer.note}` : ''}` : undefined;
    return { status: answer.status, by: answer.by, note: answer.note, reason };
  }

  private run(req: ExecRequest, command: string, shell: readonly string[], timeoutMs: number | undefined): Promise<ProcessResult> {
    const transport = req.host === undefined ? undefined : this.d.transportFor?.(req.host, Boolean(req.become));
    if (req.host !== undefined && !transport) throw new Error(`no way to reach host ${req.host}`);
    // On a host, $RUNBOOK_OUTPUT is a file there, brought back by the transport.
    const outputPath = transport ? undefined : this.d.outputPath(req.seq);
    const host = req.host;
    return runProcess({
      transport,
      argv: [...shell, '-c', command],
      env: req.env,
      cwd: req.cwd,
      timeoutMs,
      signal: req.signal,
      log: this.d.log(req.seq, req.ref.key),
      secrets: this.d.secrets,
      outputPath,
      onStarted: req.onProcess,
      onLines: (stream, lines) => this.d.emit({ type: 'step_output', ref: req.ref, stream, lines, host }),
    });
  }

  private async shell(req: ExecRequest, a: Shell): Promise<ExecResult> {
    const p = await this.run(req, a.command, a.shell, a.timeoutMs);
    const base = { exitCode: p.exitCode, stdout: p.stdout, outputs: p.outputs };
    if (p.interrupted) return { ...base, status: 'failed', interrupted: true };
    if (p.unreachable) return { ...base, status: 'failed', interrupted: true, unreachable: true, reason: p.error };
    if (p.error) return { ...base, status: 'failed', reason: p.error };
    if (p.timedOut) return { ...base, status: 'failed', reason: `timed out after ${formatDuration(a.timeoutMs ?? 0)}` };
    if (p.exitCode === undefined) return { ...base, status: 'failed', reason: `killed by ${p.signal ?? 'a signal'}` };
    if (!a.expect.exitCodes.includes(p.exitCode)) return { ...base, status: 'failed', reason: `exit code ${p.exitCode}` };
    if (a.expect.stdout !== undefined && !new RegExp(a.expect.stdout, 'm').test(p.stdout)) {
      return { ...base, status: 'failed', reason: `output did not match /${a.expect.stdout}/` };
    }
    return { ...base, status: 'succeeded' };
  }

  /** wait.until: run the check every interval until it succeeds or the deadline passes. */
  private async poll(req: ExecRequest, a: Extract<Action, { kind: 'poll' }>): Promise<ExecResult> {
    const deadline = req.startedAt + a.timeoutMs;
    if (req.stopAt !== undefined && req.stopAt <= this.d.clock.now()) return STOPPED;
    for (let checks = 1; ; checks++) {
      const p = await this.run(req, a.command, a.shell, Math.max(1000, Math.min(a.everyMs * 4, deadline - this.d.clock.now())));
      if (p.interrupted) return { status: 'failed', interrupted: true };
      if (p.exitCode === 0) return { status: 'succeeded', exitCode: 0, stdout: p.stdout, outputs: p.outputs };
      if (this.d.clock.now() + a.everyMs > deadline) {
        return { status: 'failed', exitCode: p.exitCode, reason: `still failing after ${checks} checks (${formatDuration(a.timeoutMs)})` };
      }
      // The next check would come after stopAt: wait until then, and stop.
      const stops = req.stopAt !== undefined && this.d.clock.now() + a.everyMs > req.stopAt;
      await this.d.clock.sleep(stops ? req.stopAt! - this.d.clock.now() : a.everyMs, req.signal);
      if (req.signal.aborted) return { status: 'failed', interrupted: true };
      if (stops) return STOPPED;
    }
  }

  /** A soak: run the check every interval for the whole period; the first failure fails the step. */
  private async monitor(req: ExecRequest, a: Extract<Action, { kind: 'monitor' }>): Promise<ExecResult> {
    const end = req.startedAt + a.forMs;
    for (let checks = 1; ; checks++) {
      const p = await this.run(req, a.command, a.shell, Math.max(1000, a.everyMs));
      if (p.interrupted) return { status: 'failed', interrupted: true };
      if (p.exitCode !== 0) {
        const why = p.timedOut ? 'timed out' : p.error ? p.error : `exit code ${p.exitCode ?? p.signal}`;
        return { status: 'failed', exitCode: p.exitCode, reason: `check ${checks} failed (${why}) at ${new Date(this.d.clock.now()).toISOString()}` };
      }
      const left = end - this.d.clock.now();
      if (left <= 0) return { status: 'succeeded', exitCode: 0, stdout: p.stdout };
      await this.d.clock.sleep(Math.min(a.everyMs, left), req.signal);
      if (req.signal.aborted) return { status: 'failed', interrupted: true };
      if (this.d.clock.now() >= end) return { status: 'succeeded', exitCode: 0, stdout: p.stdout };
    }
  }
}
