/**
 * From the YAML as written (already checked by the zod schema) to the normalised Runbook:
 * durations in ms, defaults applied, each step tagged with its path and section.
 */
import { isAbsolute, join } from 'node:path';
import { parseDuration } from './duration.js';
import type { RunbookInput, StepInput } from './schema.js';
import { type Channel, DEFAULTS, type Host, type Path, type Runbook, type Section, type SshSettings, type Step, type StepCommon, type Undo } from './types.js';

/** What the loader found outside the runbook's own text. */
export interface NormalizeContext {
  /** Absolute directory of the runbook: the files it names resolve against it. */
  readonly baseDir?: string | undefined;
  /** The hosts and groups of the runbook's `inventory:` file, already read and checked. */
  readonly inventory?: { readonly hosts: Readonly<Record<string, Host>>; readonly groups: Readonly<Record<string, readonly string[]>> } | undefined;
}

interface Context {
  readonly shell: readonly string[];
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  /** The default `on_failure` of steps in the section being normalised. */
  readonly onFailure: string;
}

const ms = (v: string | number | undefined): number | undefined => (v === undefined ? undefined : parseDuration(v));
const req = (v: string | number): number => parseDuration(v) ?? 0;

export function splitShell(shell: string): string[] {
  return shell.trim().split(/\s+/);
}

export function normalizeRunbook(input: RunbookInput, context: NormalizeContext = {}): Runbook {
  const rollbackSteps = input.rollback?.steps ?? [];
  const hasUndo = inputHasUndo(input.steps) || inputHasUndo(input.checklist ?? []);
  const base = {
    shell: splitShell(input.defaults?.shell ?? DEFAULTS.shell),
    timeoutMs: ms(input.defaults?.timeout) ?? DEFAULTS.timeoutMs,
    retries: input.defaults?.retries ?? DEFAULTS.retries,
    retryDelayMs: ms(input.defaults?.retry_delay) ?? DEFAULTS.retryDelayMs,
  };
  const changeCtx: Context = { ...base, onFailure: rollbackSteps.length > 0 || hasUndo ? 'rollback' : 'abort' };
  const rollbackCtx: Context = { ...base, onFailure: 'escalate' };
  const w = input.window;
  return {
    version: 1,
    id: input.id,
    title: input.title,
    change: input.change,
    submitted: input.submitted,
    description: input.description,
    impact: input.impact,
    affected: input.affected,
    environment: input.environment,
    performedBy: input.performed_by ?? [],
    testing: input.testing,
    recoveryTimeMs: ms(input.recovery_time),
    customerNotification: input.customer_notification,
    contacts: input.contacts ?? [],
    window: w && {
      start: /^tbd$/i.test(w.start.trim()) ? undefined : w.start.trim(),
      end: w.end?.trim(),
      durationMs: ms(w.duration),
      timezone: w.timezone,
      enforce: w.enforce ?? true,
      onOverrun: w.on_overrun ?? 'rollback',
      rollbackReserveMs: ms(w.rollback_reserve),
      startTime: w.start_time?.trim(),
      path: ['window'],
    },
    vars: input.vars ?? {},
    secrets: input.secrets ?? {},
    hosts: mergeHosts(input.hosts ?? {}, context.inventory?.hosts ?? {}),
    groups: { ...context.inventory?.groups, ...input.groups },
    inventory: input.inventory === undefined ? undefined : resolveFile(context.baseDir, input.inventory),
    ssh: normalizeSsh(input.ssh, context.baseDir),
    channels: Object.fromEntries(Object.entries(input.notify?.channels ?? {}).map(([name, c]): [string, Channel] => [name, normalizeChannel(c)])),
    events: input.notify?.events ?? {},
    steps: normalizeSteps(input.steps, ['steps'], 'steps', changeCtx),
    rollback: {
      steps: normalizeSteps(rollbackSteps, ['rollback', 'steps'], 'rollback', rollbackCtx),
      escalate: input.rollback?.escalate,
      when: input.rollback?.when,
    },
    checklist: normalizeSteps(input.checklist ?? [], ['checklist'], 'checklist', changeCtx),
  };
}

/** A file the runbook names, relative to the runbook's directory. */
export function resolveFile(baseDir: string | undefined, file: string): string {
  return baseDir === undefined || isAbsolute(file) ? file : join(baseDir, file);
}

/** The runbook's own fields win over the inventory's, field by field. */
function mergeHosts(own: NonNullable<RunbookInput['hosts']>, inventory: Readonly<Record<string, Host>>): Record<string, Host> {
  const out: Record<string, Host> = { ...inventory };
  for (const [name, h] of Object.entries(own)) {
    const from = inventory[name];
    out[name] = { name, address: h.address ?? from?.address, user: h.user ?? from?.user, port: h.port ?? from?.port, path: ['hosts', name] };
  }
  return out;
}

function normalizeSsh(ssh: RunbookInput['ssh'], baseDir: string | undefined): SshSettings {
  return {
    config: ssh?.config === undefined ? undefined : resolveFile(baseDir, ssh.config),
    knownHosts: ssh?.known_hosts === undefined ? undefined : resolveFile(baseDir, ssh.known_hosts),
    hostKeyChecking: ssh?.host_key_checking ?? 'strict',
    connectTimeoutMs: ms(ssh?.connect_timeout) ?? DEFAULTS.connectTimeoutMs,
    options: Object.fromEntries(Object.entries(ssh?.options ?? {}).map(([k, v]) => [k, String(v)])),
  };
}

type ChannelInput = NonNullable<NonNullable<NonNullable<RunbookInput['notify']>['channels']>[string]>;

const SMTP_PORTS = { starttls: 587, tls: 465, none: 25 } as const;

function normalizeChannel(c: ChannelInput): Channel {
  if (c.type === 'file') return { type: 'file', path: c.path };
  if (c.type === 'webhook') return { type: 'webhook', url: c.url, format: c.format ?? 'json', timeoutMs: ms(c.timeout) ?? DEFAULTS.webhookTimeoutMs, headers: c.headers ?? {} };
  const security = c.smtp.security ?? 'starttls';
  return {
    type: 'email',
    to: c.to,
    cc: c.cc ?? [],
    from: c.from,
    smtp: { host: c.smtp.host, port: c.smtp.port ?? SMTP_PORTS[security], security, user: c.smtp.user, password: c.smtp.password, allowInsecure: c.smtp.allow_insecure ?? false },
    attach: c.attach ?? 'auto',
    timeoutMs: ms(c.timeout) ?? DEFAULTS.emailTimeoutMs,
  };
}

function inputHasUndo(steps: readonly StepInput[]): boolean {
  return steps.some((s) => s.undo !== undefined || ('steps' in s && inputHasUndo(s.steps)));
}

function normalizeSteps(steps: readonly StepInput[], path: Path, section: Section, ctx: Context): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < steps.length; i++) out.push(normalizeStep(steps[i] as StepInput, [...path, i], section, ctx));
  return out;
}

function normalizeEnv(env: StepInput['env']): Record<string, string> {
  const out: Record<string, string> = {};
  if (env) for (const [k, v] of Object.entries(env)) out[k] = String(v);
  return out;
}

/**
 * Built field by field rather than by spreading a common part into each kind: the spread copies
 * twenty-odd properties per step, which a 10,000-step runbook notices. Same keys, same order.
 */
function normalizeStep(s: StepInput, path: Path, section: Section, ctx: Context): Step {
  const step: Record<string, unknown> = {
    id: s.id,
    name: s.name,
    description: s.description,
    path,
    section,
    timeoutMs: ms(s.timeout) ?? ('run' in s ? ctx.timeoutMs : undefined),
    retries: s.retries ?? ctx.retries,
    retryDelayMs: ms(s.retry_delay) ?? ctx.retryDelayMs,
    retryBackoff: s.retry_backoff ?? DEFAULTS.retryBackoff,
    estimateMs: ms(s.estimate),
    env: normalizeEnv(s.env),
    cwd: s.cwd,
    shell: s.shell ? splitShell(s.shell) : ctx.shell,
    expect: { exitCodes: s.expect?.exit_codes ?? [0], stdout: s.expect?.stdout },
    idempotent: s.idempotent ?? false,
    reboots: s.reboots ?? false,
    verify: s.verify,
    undo: s.undo === undefined ? undefined : normalizeUndo(s.undo, [...path, 'undo'], ctx),
    onSuccess: s.on_success ?? 'next',
    onFailure: s.on_failure ?? ctx.onFailure,
    maxVisits: s.max_visits ?? DEFAULTS.maxVisits,
    when: s.when,
    on: 'on' in s ? s.on : undefined,
    become: 'become' in s ? s.become : undefined,
  } satisfies StepCommon;
  if ('run' in s) {
    step.kind = 'run';
    step.run = s.run;
  } else if ('manual' in s) {
    step.kind = 'manual';
    step.instruction = s.manual;
    step.confirm = s.confirm;
  } else if ('wait' in s) {
    const w = s.wait;
    step.kind = 'wait';
    step.wait = typeof w === 'object' ? { until: w.until, everyMs: ms(w.every) ?? DEFAULTS.waitEveryMs, timeoutMs: ms(w.timeout) ?? DEFAULTS.waitTimeoutMs } : { sleepMs: req(w) };
  } else if ('monitor' in s) {
    const m = s.monitor;
    step.kind = 'monitor';
    step.monitor = { run: m.run, everyMs: req(m.every), forMs: req(m.for) };
  } else if ('notify' in s) {
    step.kind = 'notify';
    step.message = s.notify;
    step.to = s.to;
  } else {
    step.kind = 'for_each';
    step.items = s.for_each;
    step.as = s.as ?? DEFAULTS.itemName;
    step.serial = s.serial ?? 1;
    step.maxFailures = s.max_failures ?? 0;
    step.steps = normalizeSteps(s.steps, [...path, 'steps'], 'loop', ctx);
  }
  return step as unknown as Step;
}

function normalizeUndo(undo: StepInput['undo'], path: Path, ctx: Context): Undo | undefined {
  if (undo === undefined) return undefined;
  if (typeof undo === 'string') return { kind: 'command', run: undo, path };
  return { kind: 'steps', steps: normalizeSteps(undo, path, 'undo', { ...ctx, onFailure: 'escalate' }), path };
}

/** Every step in the runbook, depth first, with undo and loop bodies. */
export function* allSteps(runbook: Runbook): Generator<Step> {
  for (const list of [runbook.steps, runbook.rollback.steps, runbook.checklist]) yield* walk(list);
}

export function* walk(steps: readonly Step[]): Generator<Step> {
  for (const step of steps) {
    yield step;
    if (step.kind === 'for_each') yield* walk(step.steps);
    if (step.undo?.kind === 'steps') yield* walk(step.undo.steps);
  }
}
