/**
 * The executor of dry runs: does nothing, advances the virtual clock by what the step is
 * expected to take, and fails the steps named by `--fail` so failure paths can be rehearsed.
 */
import { stepIdOf } from '../engine/keys.js';
import type { Clock, ExecRequest, ExecResult, StepExecutor } from '../engine/ports.js';
import { expectedMs } from './estimates.js';

export class DryExecutor implements StepExecutor {
  private readonly used = new Set<string>();

  constructor(
    private readonly clock: Clock,
    /** Step ids (`deploy`: every instance) or instance keys (`deploy[web2]`). */
    private readonly fail: ReadonlySet<string>,
    /** Told of every request, before it is answered. */
    private readonly seen: (req: ExecRequest) => void = () => {},
  ) {}

  async execute(req: ExecRequest): Promise<ExecResult> {
    this.seen(req);
    const now = this.clock.now();
    const wait = req.action.kind === 'sleep' || req.action.kind === 'poll';
    // A wait keeps its deadline when it goes on after being stopped.
    const ms = wait ? Math.max(0, req.startedAt + expectedMs(req.ref.step, req.action) - now) : expectedMs(req.ref.step, req.action);
    if (wait && req.stopAt !== undefined && now + ms > req.stopAt) {
      this.clock.advance?.(req.stopAt - now);
      return { status: 'failed', reason: 'stopped at the point of no return', stoppedEarly: true };
    }
    this.clock.advance?.(ms);
    const key = req.ref.key;
    // `--fail deploy` fails deploy wherever it runs, but not its undo (`deploy[web2]:undo`).
    const byId = !key.includes(':') && this.fail.has(stepIdOf(key));
    if (this.fail.has(key) || byId) {
      this.used.add(this.fail.has(key) ? key : stepIdOf(key));
      return { status: 'failed', exitCode: req.action.kind === 'manual' ? undefined : 1, reason: 'rehearsed failure (--fail)' };
    }
    if (req.action.kind === 'manual') return { status: 'succeeded', by: 'plan (operator confirms)' };
    return { status: 'succeeded', exitCode: req.action.kind === 'shell' ? 0 : undefined };
  }

  /** `--fail` names that no step matched: a typo the plan should report. */
  unused(): string[] {
    return [...this.fail].filter((f) => !this.used.has(f));
  }
}
