/**
 * From a step and the values in force to the Action an executor performs: templates resolved,
 * commands quoted, secrets passed in the environment and masked in what is shown.
 */
import { DEFAULTS, type Step } from '../model/types.js';
import type { Action, Placement } from './ports.js';
import { type LoopBindings, type RenderedCommand, renderCommand, renderEnv, renderMessage, renderPath, type Values } from './scope.js';

export interface BuiltAction {
  readonly action: Action;
  /** What the operator sees: the command with secrets masked, or the instruction. */
  readonly shown: string | undefined;
  /** Environment the command needs: the step's `env:` and the secrets it refers to (never in its text). */
  readonly env: Readonly<Record<string, string>>;
  /** The working directory of its processes, resolved. */
  readonly cwd: string | undefined;
  /** Where its processes run (set for commands). */
  readonly place?: Placement | undefined;
}

const NO_ENV: Readonly<Record<string, string>> = Object.freeze({});

/** A command's environment and directory, resolved when the step starts (so it can fail before it starts). */
function processSettings(cmd: RenderedCommand, step: Step, values: Values, loop: LoopBindings): { env: Readonly<Record<string, string>>; cwd: string | undefined } {
  const stepEnv = renderEnv(step.env, values, loop);
  const env = Object.keys(stepEnv).length === 0 ? cmd.env : { ...stepEnv, ...cmd.env };
  return { env, cwd: renderPath(step.cwd, values, loop) };
}

/** Throws TemplateError when a reference cannot resolve: the step fails before it starts. */
export function buildAction(step: Exclude<Step, { kind: 'for_each' }>, values: Values, loop: LoopBindings): BuiltAction {
  switch (step.kind) {
    case 'run': {
      const cmd = renderCommand(step.run, values, loop);
      return { action: { kind: 'shell', command: cmd.run, shell: step.shell, timeoutMs: step.timeoutMs, expect: step.expect }, shown: cmd.shown, ...processSettings(cmd, step, values, loop) };
    }
    case 'manual': {
      const instruction = renderMessage(step.instruction, values, loop);
      const question = step.confirm ? renderMessage(step.confirm, values, loop) : 'Done?';
      return { action: { kind: 'manual', instruction, question, timeoutMs: step.timeoutMs }, shown: instruction, env: NO_ENV, cwd: undefined };
    }
    case 'wait': {
      const w = step.wait;
      if ('sleepMs' in w) return { action: { kind: 'sleep', ms: w.sleepMs }, shown: undefined, env: NO_ENV, cwd: undefined };
      const cmd = renderCommand(w.until, values, loop);
      return { action: { kind: 'poll', command: cmd.run, shell: step.shell, everyMs: w.everyMs, timeoutMs: w.timeoutMs }, shown: cmd.shown, ...processSettings(cmd, step, values, loop) };
    }
    case 'monitor': {
      const m = step.monitor;
      const cmd = renderCommand(m.run, values, loop);
      return { action: { kind: 'monitor', command: cmd.run, shell: step.shell, everyMs: m.everyMs, forMs: m.forMs }, shown: cmd.shown, ...processSettings(cmd, step, values, loop) };
    }
    case 'notify': {
      const message = renderMessage(step.message, values, loop);
      return { action: { kind: 'notify', message, to: step.to }, shown: message, env: NO_ENV, cwd: undefined };
    }
  }
}

/** The undo (or verify) command of a step, as a shell action with the step's env and cwd. */
export function buildUndoAction(command: string, step: Step, values: Values, loop: LoopBindings): BuiltAction {
  const cmd = renderCommand(command, values, loop);
  return {
    action: { kind: 'shell', command: cmd.run, shell: step.shell, timeoutMs: step.timeoutMs ?? DEFAULTS.timeoutMs, expect: { exitCodes: [0], stdout: undefined } },
    shown: cmd.shown,
    ...processSettings(cmd, step, values, loop),
  };
}

/** Resolve a for_each list: a literal list, `${{ vars.x }}` (a single value becomes a list of one) or `${{ groups.x }}`. */
export function resolveItems(items: readonly unknown[] | string, values: Values, loop: LoopBindings): unknown[] {
  if (typeof items !== 'string') return [...items];
  const m = /^\s*\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}\s*$/.exec(items);
  if (!m) return [renderMessage(items, values, loop)];
  let value: unknown = { vars: values.vars, groups: values.groups ?? {}, ...loop };
  for (const part of m[1]!.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  if (value === undefined) return [renderMessage(items, values, loop)];
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return Array.isArray(value) ? value : [value];
}
