/**
 * The runbook format v1 as written in YAML: one zod schema, the single source of the field names.
 * `runbook schema` and schemas/runbook.schema.json are generated from it. Semantic rules (targets,
 * reachability, templates, window) live in src/validate; normalisation (defaults, durations) in
 * ./normalize.ts.
 */
import * as z from 'zod';
import { parseDuration } from './duration.js';

export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const STEP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The names a step id may not take, because branch targets use them. */
export const RESERVED_TARGETS = ['next', 'end', 'rollback', 'abort', 'continue', 'ask', 'escalate'] as const;

export const STEP_KINDS = ['run', 'manual', 'wait', 'monitor', 'notify', 'for_each'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const NOTIFY_EVENTS = [
  'run_started',
  'run_finished',
  'run_interrupted',
  'step_started',
  'step_succeeded',
  'step_failed',
  'manual_step',
  'rollback_started',
  'rollback_finished',
  'escalated',
  'window_overrun',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const duration = z
  .union([z.string(), z.number().nonnegative()])
  .refine((v) => parseDuration(v) !== undefined, {
    message: 'not a duration: use 90s, 2m, 1h30m, 2d, 250ms, ISO 8601 (PT1H30M) or a number of seconds',
  })
  .meta({ id: 'duration', description: 'A duration: 90s, 2m, 1h30m, 2d, 250ms, ISO 8601 (PT1H30M), or a number of seconds.' });

const text = z.string();
const command = z.string().min(1).meta({ description: 'Shell text. ${{ ... }} values are inserted shell-quoted.' });
const stepId = z.string().regex(STEP_ID_PATTERN, 'a step id is letters, digits, "_" and "-", starting with a letter or digit');

const successTarget = z.string().meta({ description: 'next (default) | end | a step id in the same list' });
const failureTarget = z.string().meta({ description: 'rollback | abort | continue | ask | escalate (rollback plan) | a step id in the same list' });

const expect = z.strictObject({
  exit_codes: z.array(z.number().int().min(0).max(255)).min(1).optional(),
  stdout: z.string().optional().meta({ description: 'A regular expression the output must match.' }),
});

/** Fields every step may have, whatever its kind. */
const common = {
  id: stepId,
  name: text.optional(),
  description: text.optional(),
  timeout: duration.optional(),
  retries: z.number().int().min(0).max(100).optional(),
  retry_delay: duration.optional(),
  retry_backoff: z.number().min(1).max(10).optional().meta({ description: 'Multiplier applied to retry_delay after each attempt (default 1).' }),
  estimate: duration.optional().meta({ description: 'Expected duration, for the plan timeline.' }),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  cwd: z.string().optional(),
  shell: z.string().min(1).optional(),
  expect: expect.optional(),
  idempotent: z.boolean().optional().meta({ description: 'Safe to re-run after a crash.' }),
  reboots: z.boolean().optional().meta({ description: 'The step restarts the machine running the CLI: on resume it counts as done.' }),
  verify: command.optional().meta({ description: 'On resume of this in-flight step: exit 0 counts it done, else it re-runs.' }),
  undo: z
    .lazy(() => z.union([command, z.array(Step)]))
    .optional()
    .meta({ description: 'A command, or a list of steps, that reverses this step.' }),
  on_success: successTarget.optional(),
  on_failure: failureTarget.optional(),
  max_visits: z.number().int().min(1).max(1000).optional(),
  when: z.string().min(1).optional().meta({ description: "Run the step only if this holds, e.g. steps.drain.status != 'succeeded'; otherwise it is skipped." }),
};

/** Where a step runs: on the kinds that run a command (run, wait's until, monitor, for_each). */
const remote = {
  on: z.string().min(1).optional().meta({
    description: "The host this step (and its undo and verify) runs on: a declared host, local, or a template such as ${{ server }}. Default: the loop's on:, else local.",
  }),
  become: z.boolean().optional().meta({ description: "Run as root on the host through `sudo -n`. Default: the loop's become:, else false." }),
};

export const RunStep = z.strictObject({ ...common, ...remote, run: command }).meta({ id: 'run_step' });

export const ManualStep = z
  .strictObject({
    ...common,
    manual: z.string().min(1).meta({ description: 'What the operator does.' }),
    confirm: z.string().optional().meta({ description: 'The question asked when the operator confirms.' }),
  })
  .meta({ id: 'manual_step' });

export const WaitStep = z
  .strictObject({
    ...common,
    ...remote,
    wait: z.union([duration, z.strictObject({ until: command, every: duration.optional(), timeout: duration.optional() })]),
  })
  .meta({ id: 'wait_step' });

export const MonitorStep = z
  .strictObject({
    ...common,
    ...remote,
    monitor: z.strictObject({ run: command, every: duration, for: duration }),
  })
  .meta({ id: 'monitor_step' });

export const NotifyStep = z
  .strictObject({
    ...common,
    notify: z.string().min(1).meta({ description: 'The message.' }),
    to: z.array(z.string()).min(1).optional().meta({ description: 'Channel names (default: all channels).' }),
  })
  .meta({ id: 'notify_step' });

export const ForEachStep = z
  .strictObject({
    ...common,
    ...remote,
    for_each: z.union([z.array(z.unknown()).min(1), z.string().min(1)]).meta({
      description: 'The items: a list, or a template such as ${{ vars.servers }}.',
    }),
    as: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    serial: z.number().int().min(1).optional().meta({ description: 'Batch size (default 1).' }),
    max_failures: z.number().int().min(0).optional(),
    steps: z.lazy(() => z.array(Step).min(1)),
  })
  .meta({ id: 'for_each_step' });

/** One step: exactly one kind key decides which of these applies. */
export const Step: z.ZodType<StepInput> = z
  .union([RunStep, ManualStep, WaitStep, MonitorStep, NotifyStep, ForEachStep])
  .meta({ id: 'step', description: 'A step: an id and exactly one of run, manual, wait, monitor, notify, for_each.' });

/** The schema of each kind, in STEP_KINDS order, so the loader can report one kind's issues. */
export const STEP_SCHEMAS = { run: RunStep, manual: ManualStep, wait: WaitStep, monitor: MonitorStep, notify: NotifyStep, for_each: ForEachStep } as const;

const contact = z
  .strictObject({
    name: z.string().min(1),
    role: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    notes: z.string().optional(),
  })
  .meta({ id: 'contact' });

const windowSchema = z
  .strictObject({
    start: z.string().min(1).meta({ description: 'Local time in `timezone` (2009-12-04T20:00), or TBD.' }),
    duration: duration.optional(),
    end: z.string().optional(),
    timezone: z.string().optional().meta({ description: "IANA name or UTC+/-N; default: the machine's zone." }),
    enforce: z.boolean().optional(),
    on_overrun: z.enum(['rollback', 'continue', 'ask']).optional(),
    rollback_reserve: duration.optional(),
    start_time: z
      .string()
      .regex(/^\d{1,2}:?\d{2}$/, 'a time of day: 04:00')
      .optional()
      .meta({ description: 'While the start is TBD: the planned local time of day (04:00), for the change notice.' }),
  })
  .meta({ id: 'window' });

const secretSource = z
  .union([z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })])
  .meta({ id: 'secret', description: 'Where a secret comes from: { env: NAME } or { file: path }.' });

const channel = z
  .union([
    z.strictObject({
      type: z.literal('webhook'),
      url: z.string().min(1),
      format: z.enum(['json', 'slack']).optional(),
      timeout: duration.optional(),
      headers: z.record(z.string(), z.string()).optional(),
    }),
    z.strictObject({ type: z.literal('file'), path: z.string().min(1) }),
    z.strictObject({
      type: z.literal('email'),
      to: z.array(z.string().min(1)).min(1),
      cc: z.array(z.string().min(1)).optional(),
      from: z.string().min(1),
      smtp: z.strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).optional().meta({ description: 'Default: 587 for starttls, 465 for tls, 25 for none.' }),
        security: z.enum(['starttls', 'tls', 'none']).optional().meta({ description: 'starttls (default) | tls | none (refused for a non-loopback host without allow_insecure).' }),
        user: z.string().min(1).optional(),
        password: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
          .optional()
          .meta({ description: 'The name of an entry in secrets:.' }),
        allow_insecure: z.boolean().optional().meta({ description: 'Allow security: none to a host other than loopback.' }),
      }),
      attach: z.enum(['auto', 'none']).optional().meta({ description: 'auto (default): the change notice on run_started, the record on run_finished, as HTML.' }),
      timeout: duration.optional().meta({ description: 'Connection, greeting and socket timeout (default 30s).' }),
    }),
  ])
  .meta({ id: 'channel' });

const host = z
  .strictObject({
    address: z.string().min(1).optional().meta({ description: 'IP address or DNS name (default: the host name, which may be an ssh_config Host alias).' }),
    user: z.string().min(1).optional().meta({ description: 'The login user (default: ssh_config, else the local user).' }),
    port: z.number().int().min(1).max(65535).optional(),
  })
  .meta({ id: 'host', description: 'How to reach a host; every field is optional.' });

const sshSettings = z
  .strictObject({
    config: z.string().min(1).optional().meta({ description: 'An ssh_config file (ssh -F), relative to the runbook.' }),
    known_hosts: z.string().min(1).optional().meta({ description: 'The UserKnownHostsFile, relative to the runbook.' }),
    host_key_checking: z.enum(['strict', 'accept-new']).optional().meta({ description: 'strict (default) | accept-new; never off.' }),
    connect_timeout: duration.optional().meta({ description: 'How long to wait for a connection (default 10s).' }),
    options: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .meta({ description: 'Other ssh -o options; StrictHostKeyChecking and UserKnownHostsFile are refused here.' }),
  })
  .meta({ id: 'ssh' });

const events = z.strictObject(Object.fromEntries(NOTIFY_EVENTS.map((e) => [e, z.array(z.string()).optional()])) as Record<NotifyEvent, z.ZodOptional<z.ZodArray<z.ZodString>>>);

export const RunbookSchema = z
  .strictObject({
    version: z.literal(1),
    id: z.string().regex(ID_PATTERN, 'an id is lowercase letters, digits, "_" and "-", starting with a letter or digit'),
    title: z.string().min(1),
    change: z.string().optional().meta({ description: 'Change, ticket or project number.' }),
    submitted: z.string().optional().meta({ description: 'Submittal date of the change request.' }),
    description: text.optional().meta({ description: 'Narrative: what is done and why.' }),
    impact: text.optional().meta({ description: 'Impact statement.' }),
    affected: text.optional().meta({ description: 'Who is affected, and when.' }),
    environment: z.string().optional(),
    performed_by: z.array(z.string()).optional().meta({ description: 'Who performs the change.' }),
    testing: text.optional().meta({ description: 'Research and testing performed beforehand to reduce the risk.' }),
    recovery_time: duration.optional().meta({ description: 'Expected time to recovery if a rollback is required.' }),
    customer_notification: text.optional().meta({ description: 'How customers and users are told.' }),
    contacts: z.array(contact).optional(),
    window: windowSchema.optional(),
    vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.unknown()).optional(),
    secrets: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), secretSource).optional(),
    hosts: z.record(z.string(), host).optional().meta({ description: 'Host name -> how to reach it. `local` is reserved.' }),
    inventory: z.string().min(1).optional().meta({ description: 'An Ansible YAML inventory (hosts, children, ansible_host/user/port), relative to the runbook; merged with hosts and groups.' }),
    groups: z.record(z.string(), z.array(z.string())).optional().meta({ description: 'Group name -> names of hosts; for_each: ${{ groups.NAME }}.' }),
    ssh: sshSettings.optional(),
    defaults: z
      .strictObject({
        timeout: duration.optional(),
        shell: z.string().min(1).optional(),
        retries: z.number().int().min(0).max(100).optional(),
        retry_delay: duration.optional(),
      })
      .optional(),
    notify: z.strictObject({ channels: z.record(z.string(), channel).optional(), events: events.optional() }).optional(),
    steps: z.array(Step).min(1),
    rollback: z
      .strictObject({
        steps: z.array(Step).optional(),
        escalate: z.string().optional().meta({ description: 'What to do when the rollback itself fails.' }),
        when: z.string().optional().meta({ description: 'When the rollback plan is activated, in words, for the change notice.' }),
      })
      .optional(),
    checklist: z.array(Step).optional().meta({ description: 'Return-to-service checks, run after the change plan succeeds.' }),
  })
  .meta({ title: 'runbook', description: 'A runbook: a change, its window, its plan and its rollback (format v1).' });

/** The YAML as written (before defaults). */
export type RunbookInput = z.infer<typeof RunbookSchema>;

interface CommonInput {
  id: string;
  name?: string | undefined;
  description?: string | undefined;
  timeout?: string | number | undefined;
  retries?: number | undefined;
  retry_delay?: string | number | undefined;
  retry_backoff?: number | undefined;
  estimate?: string | number | undefined;
  env?: Record<string, string | number | boolean> | undefined;
  cwd?: string | undefined;
  shell?: string | undefined;
  expect?: { exit_codes?: number[] | undefined; stdout?: string | undefined } | undefined;
  idempotent?: boolean | undefined;
  reboots?: boolean | undefined;
  verify?: string | undefined;
  undo?: string | StepInput[] | undefined;
  on_success?: string | undefined;
  on_failure?: string | undefined;
  max_visits?: number | undefined;
  when?: string | undefined;
}

interface RemoteInput {
  on?: string | undefined;
  become?: boolean | undefined;
}

export type StepInput = CommonInput &
  (
    | ({ run: string } & RemoteInput)
    | { manual: string; confirm?: string | undefined }
    | ({ wait: string | number | { until: string; every?: string | number | undefined; timeout?: string | number | undefined } } & RemoteInput)
    | ({ monitor: { run: string; every: string | number; for: string | number } } & RemoteInput)
    | { notify: string; to?: string[] | undefined }
    | ({
        for_each: unknown[] | string;
        as?: string | undefined;
        serial?: number | undefined;
        max_failures?: number | undefined;
        steps: StepInput[];
      } & RemoteInput)
  );
