/**
 * The values `${{ }}` references resolve to, and resolvers for commands and for text.
 * In commands a secret is a reference to an environment variable that holds its value
 * (../template/secret-env.ts), so the value never enters a process's argument list; dry runs
 * show `***`. In text (messages, manual instructions, plans) a secret is always `***`, so
 * secrets never reach notifications.
 */
import { LOCAL_HOST } from '../model/types.js';
import { hiddenByLoop, lookupPath as lookup, type Ref } from '../template/parse.js';
import { secretVariable } from '../template/secret-env.js';
import { type Resolved, type Resolver, renderShell, renderText, TemplateError } from '../template/shell.js';

export interface StepValues {
  readonly outputs: Readonly<Record<string, string>>;
  readonly stdout: string;
  readonly exitCode: number | undefined;
}

export interface Values {
  readonly vars: Readonly<Record<string, unknown>>;
  /** Real secret values; undefined in a dry run. */
  readonly secrets: Readonly<Record<string, string>> | undefined;
  readonly steps: ReadonlyMap<string, StepValues>;
  readonly run: { readonly id: string; readonly started: string };
  readonly window: { readonly start?: string | undefined; readonly end?: string | undefined };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The runbook's groups (with the inventory's): `${{ groups.X }}` is a list of host names. */
  readonly groups?: Readonly<Record<string, readonly string[]>> | undefined;
  /** The current step's host, for `${{ host.name }}`; undefined: local. Set per step by the engine. */
  readonly host?: string | undefined;
  /** Dry runs show values only known at run time as `<steps.ID.outputs.K>`. */
  readonly dry: boolean;
}

/** Loop variables in force: `item` (or the loop's `as`) for each enclosing for_each. */
export type LoopBindings = Readonly<Record<string, unknown>>;

export const SECRET_MASK = '***';

/** Collects the variables a command's secret references need (name -> value). */
type SecretEnv = Record<string, string>;

function resolveRef(values: Values, loop: LoopBindings, ref: Ref, inCommand: SecretEnv | undefined): Resolved {
  const missing = (what: string): never => {
    throw new TemplateError(`\${{ ${ref.raw} }}: ${what}`);
  };
  if (hiddenByLoop(ref, Object.keys(loop))) {
    const r = lookup(loop, [ref.root, ...ref.parts]);
    return r.found ? { value: r.value } : missing('not inside a loop over it');
  }
  switch (ref.root) {
    case 'vars': {
      const r = lookup(values.vars, ref.parts);
      return r.found ? { value: r.value } : missing('no such variable');
    }
    case 'secrets': {
      const name = ref.parts[0]!;
      if (!inCommand || values.secrets === undefined) return { display: SECRET_MASK };
      if (!Object.hasOwn(values.secrets, name)) return missing('no such secret');
      const variable = secretVariable(name) ?? missing('a secret name is an identifier');
      const value = values.secrets[name]!;
      // No environment (nor argument) can carry a NUL; Node would throw with the value in its message.
      if (value.includes('\0')) missing('the value holds a NUL byte, which no command can receive');
      inCommand[variable] = value;
      return { env: variable };
    }
    case 'loop': {
      const r = lookup(loop, ref.parts);
      return r.found ? { value: r.value } : missing('not inside a loop over it');
    }
    case 'steps': {
      const [id, what, key] = ref.parts as [string, string, string | undefined];
      const step = values.steps.get(id);
      if (!step) return values.dry ? { display: `<${ref.raw}>` } : missing(`step ${id} has not run yet`);
      if (what === 'stdout') return { value: step.stdout.replace(/\n$/, '') };
      if (what === 'exit_code') return { value: step.exitCode ?? '' };
      if (key !== undefined && key in step.outputs) return { value: step.outputs[key] };
      return values.dry ? { display: `<${ref.raw}>` } : missing(`step ${id} did not output ${key}`);
    }
    case 'run':
      return { value: ref.parts[0] === 'id' ? values.run.id : values.run.started };
    case 'window': {
      const v = ref.parts[0] === 'start' ? values.window.start : values.window.end;
      return v === undefined ? missing('the window has no start (TBD)') : { value: v };
    }
    case 'env':
      return { value: values.env[ref.parts[0]!] ?? '' };
    case 'groups': {
      const name = ref.parts[0]!;
      return values.groups && Object.hasOwn(values.groups, name) ? { value: values.groups[name] } : missing('no such group');
    }
    case 'host':
      return { value: values.host ?? LOCAL_HOST };
  }
}

export function textResolver(values: Values, loop: LoopBindings): Resolver {
  return (ref) => resolveRef(values, loop, ref, undefined);
}

export interface RenderedCommand {
  /** The text the shell runs: secrets as references to `env`, never their values. */
  readonly run: string;
  /** What people see: secrets as `***`. */
  readonly shown: string;
  /** The variables the command's secret references read, with their values. */
  readonly env: Readonly<Record<string, string>>;
}

export function renderCommand(template: string, values: Values, loop: LoopBindings): RenderedCommand {
  const env: SecretEnv = {};
  const run = renderShell(template, (ref) => resolveRef(values, loop, ref, env));
  // `run` holds no secret, but `***` reads plainer to an operator than a variable name.
  const shown = Object.keys(env).length > 0 ? renderShell(template, textResolver(values, loop)) : run;
  return { run, shown, env };
}

export function renderMessage(template: string, values: Values, loop: LoopBindings): string {
  return renderText(template, textResolver(values, loop));
}

/**
 * A step's `env:` as its processes get it: templates filled in as text (not quoted: no shell
 * reads them), secrets with their value (a process's environment is readable only by its owner;
 * dry runs: `***`). Throws TemplateError, naming the variable, when a reference cannot resolve.
 */
export function renderEnv(env: Readonly<Record<string, string>>, values: Values, loop: LoopBindings): Readonly<Record<string, string>> {
  const names = Object.keys(env);
  if (names.length === 0) return env;
  const out: Record<string, string> = {};
  const resolve: Resolver = (ref) => (ref.root === 'secrets' ? secretValue(values, ref) : resolveRef(values, loop, ref, undefined));
  for (const name of names) {
    const template = env[name]!;
    const value = template.includes('${{') ? within(`env.${name}`, () => renderText(template, resolve)) : template;
    // No environment can carry a NUL; Node would throw with the value in its message.
    if (value.includes('\0')) throw new TemplateError(`env.${name}: the value holds a NUL byte, which no environment can carry`);
    out[name] = value;
  }
  return out;
}

/** A step's `cwd`: a path given to chdir, templates filled in as text (validation keeps secrets out). */
export function renderPath(template: string | undefined, values: Values, loop: LoopBindings): string | undefined {
  if (template === undefined || !template.includes('${{')) return template;
  const resolve: Resolver = (ref) => {
    if (ref.root === 'secrets') throw new TemplateError(`\${{ ${ref.raw} }}: a secret cannot be part of a working directory`);
    return resolveRef(values, loop, ref, undefined);
  };
  return within('cwd', () => renderText(template, resolve));
}

function secretValue(values: Values, ref: Ref): Resolved {
  const name = ref.parts[0]!;
  if (values.secrets === undefined) return { display: SECRET_MASK };
  if (!Object.hasOwn(values.secrets, name)) throw new TemplateError(`\${{ ${ref.raw} }}: no such secret`);
  return { value: values.secrets[name] };
}

function within<T>(field: string, render: () => T): T {
  try {
    return render();
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateError(`${field}: ${err.message}`);
    throw err;
  }
}
