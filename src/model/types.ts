/**
 * The normalised runbook: what the validator, planner, engine and renderers work on.
 * Durations are milliseconds, defaults are applied, every step knows where it was written
 * (`path`, resolved to file:line:column by the loader's source map). Pure data: no fs, no clock.
 */
import type { NotifyEvent } from './schema.js';

/** Where a value sits in the document: keys and list indices from the root. */
export type Path = readonly (string | number)[];

/** Which list a step belongs to. Branch targets stay inside one list. */
export type Section = 'steps' | 'rollback' | 'checklist' | 'undo' | 'loop';

export interface Contact {
  readonly name: string;
  readonly role?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly notes?: string | undefined;
}

export type OverrunPolicy = 'rollback' | 'continue' | 'ask';

export interface Window {
  /** Local wall-clock time in `timezone` (ISO without offset), or undefined when TBD. */
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly durationMs: number | undefined;
  /** IANA name or UTC+/-N; undefined means the machine's zone. */
  readonly timezone: string | undefined;
  readonly enforce: boolean;
  readonly onOverrun: OverrunPolicy;
  /** Undefined: the rollback plan's estimated duration. */
  readonly rollbackReserveMs: number | undefined;
  /** While the start is TBD: the planned local time of day (`04:00`), for the change notice. */
  readonly startTime?: string | undefined;
  readonly path: Path;
}

export type SecretSource = { readonly env: string } | { readonly file: string };

export type Channel =
  | {
      readonly type: 'webhook';
      readonly url: string;
      readonly format: 'json' | 'slack';
      readonly timeoutMs: number;
      readonly headers: Readonly<Record<string, string>>;
    }
  | { readonly type: 'file'; readonly path: string }
  | EmailChannel;

export type SmtpSecurity = 'starttls' | 'tls' | 'none';

export interface EmailChannel {
  readonly type: 'email';
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly from: string;
  readonly smtp: {
    readonly host: string;
    readonly port: number;
    readonly security: SmtpSecurity;
    readonly user?: string | undefined;
    /** A name in secrets:, filled in when the mail is sent. */
    readonly password?: string | undefined;
    readonly allowInsecure: boolean;
  };
  readonly attach: 'auto' | 'none';
  readonly timeoutMs: number;
}

/** A host steps can run on (`hosts:` merged with the inventory's). */
export interface Host {
  readonly name: string;
  /** Undefined: ssh connects to `name` (an ssh_config Host alias or a DNS name). */
  readonly address?: string | undefined;
  readonly user?: string | undefined;
  readonly port?: number | undefined;
  /** Where it was declared: ['hosts', name] in the runbook, or ['inventory'] for the inventory's. */
  readonly path: Path;
}

export interface SshSettings {
  /** Absolute path of an ssh_config file (ssh -F), resolved against the runbook's directory. */
  readonly config?: string | undefined;
  /** Absolute path of the UserKnownHostsFile. */
  readonly knownHosts?: string | undefined;
  readonly hostKeyChecking: 'strict' | 'accept-new';
  readonly connectTimeoutMs: number;
  /** Other `-o` options, as written (values as strings). */
  readonly options: Readonly<Record<string, string>>;
}

/** The host name that means "on the machine running the CLI"; no host may take it. */
export const LOCAL_HOST = 'local';

export interface Expect {
  readonly exitCodes: readonly number[];
  readonly stdout: string | undefined;
}

export interface StepCommon {
  readonly id: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly path: Path;
  readonly section: Section;
  /** Undefined: no limit (manual steps, waits and monitors bound themselves). */
  readonly timeoutMs: number | undefined;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryBackoff: number;
  readonly estimateMs: number | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  /** argv of the shell; the command is appended after `-c`. */
  readonly shell: readonly string[];
  readonly expect: Expect;
  readonly idempotent: boolean;
  readonly reboots: boolean;
  readonly verify: string | undefined;
  readonly undo: Undo | undefined;
  /** `next` | `end` | a step id. */
  readonly onSuccess: string;
  /** `rollback` | `abort` | `continue` | `ask` | `escalate` | a step id. */
  readonly onFailure: string;
  readonly maxVisits: number;
  /** A condition (src/template/condition.ts): the step runs only if it holds. */
  readonly when: string | undefined;
  /**
   * As written: `local`, a host name, or a template. Undefined: inherit (the enclosing loop's,
   * or for undo steps the step's), else local. Applies to the step's undo and verify too.
   */
  readonly on: string | undefined;
  /** Run through `sudo -n` on the host. Undefined: inherit like `on`, else false. */
  readonly become: boolean | undefined;
}

export type Undo = { readonly kind: 'command'; readonly run: string; readonly path: Path } | { readonly kind: 'steps'; readonly steps: readonly Step[]; readonly path: Path };

export interface RunStep extends StepCommon {
  readonly kind: 'run';
  readonly run: string;
}
export interface ManualStep extends StepCommon {
  readonly kind: 'manual';
  readonly instruction: string;
  readonly confirm: string | undefined;
}
export interface WaitStep extends StepCommon {
  readonly kind: 'wait';
  readonly wait: { readonly sleepMs: number } | { readonly until: string; readonly everyMs: number; readonly timeoutMs: number };
}
export interface MonitorStep extends StepCommon {
  readonly kind: 'monitor';
  readonly monitor: { readonly run: string; readonly everyMs: number; readonly forMs: number };
}
export interface NotifyStep extends StepCommon {
  readonly kind: 'notify';
  readonly message: string;
  /** Undefined: every channel. */
  readonly to: readonly string[] | undefined;
}
export interface ForEachStep extends StepCommon {
  readonly kind: 'for_each';
  /** A literal list, or a template such as `${{ vars.servers }}` resolved at plan/run time. */
  readonly items: readonly unknown[] | string;
  readonly as: string;
  readonly serial: number;
  readonly maxFailures: number;
  readonly steps: readonly Step[];
}

export type Step = RunStep | ManualStep | WaitStep | MonitorStep | NotifyStep | ForEachStep;

export interface Runbook {
  readonly version: 1;
  readonly id: string;
  readonly title: string;
  readonly change: string | undefined;
  readonly submitted: string | undefined;
  readonly description: string | undefined;
  readonly impact: string | undefined;
  readonly affected: string | undefined;
  readonly environment: string | undefined;
  readonly performedBy: readonly string[];
  readonly testing: string | undefined;
  readonly recoveryTimeMs: number | undefined;
  readonly customerNotification: string | undefined;
  readonly contacts: readonly Contact[];
  readonly window: Window | undefined;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly secrets: Readonly<Record<string, SecretSource>>;
  /** `hosts:` merged with the inventory's (the runbook's fields win). */
  readonly hosts: Readonly<Record<string, Host>>;
  /** `groups:` plus the inventory's groups (a runbook group wins over an inventory group of the same name). */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Absolute path of the inventory file, when the runbook names one. */
  readonly inventory: string | undefined;
  readonly ssh: SshSettings;
  readonly channels: Readonly<Record<string, Channel>>;
  readonly events: Readonly<Partial<Record<NotifyEvent, readonly string[]>>>;
  readonly steps: readonly Step[];
  readonly rollback: {
    readonly steps: readonly Step[];
    readonly escalate: string | undefined;
    /** When the rollback plan is activated, in words (for the change notice). */
    readonly when?: string | undefined;
  };
  readonly checklist: readonly Step[];
}

/** Defaults that apply where the runbook is silent; documented in README.md. */
export const DEFAULTS = {
  shell: 'bash -eo pipefail',
  /** Run steps and commands without `timeout`: generous, but never forever. */
  timeoutMs: 60 * 60_000,
  retries: 0,
  retryDelayMs: 5_000,
  retryBackoff: 1,
  maxVisits: 3,
  waitEveryMs: 5_000,
  waitTimeoutMs: 10 * 60_000,
  webhookTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  /** SMTP connection, greeting and socket timeouts (nodemailer's own are minutes). */
  emailTimeoutMs: 30_000,
  itemName: 'item',
} as const;
