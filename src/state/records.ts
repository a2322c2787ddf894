/**
 * What the journal holds: one record per event, in the order they happened. The engine writes
 * them; resume replays them; status, runs and report read them. Times are ISO 8601 UTC.
 *
 * Step executions are numbered (`seq`) in the order the engine performs them. The engine is
 * deterministic given each step's outcome and each operator decision, so a resume walks the
 * runbook again and takes the outcome of execution N from the journal's record N.
 */

export type StepStatus = 'succeeded' | 'failed' | 'skipped';
export type RunOutcome = 'succeeded' | 'rolled_back' | 'escalated' | 'aborted' | 'interrupted';
export type Phase = 'change' | 'checklist' | 'rollback';

export interface RunStartedRecord {
  readonly type: 'run_started';
  readonly at: string;
  readonly runId: string;
  readonly runbookId: string;
  readonly title: string;
  /** The runbook file as given, and the sha256 of the copy kept in the run directory. */
  readonly file: string;
  readonly hash: string;
  readonly host: string;
  /** The machine's boot id when the run started ('' where there is none; absent in older journals). */
  readonly bootId?: string | undefined;
  readonly user: string;
  readonly pid: number;
  /** Variables after --var/--vars-file (secrets are never here). */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly window?: { readonly start?: string; readonly end?: string; readonly zone?: string } | undefined;
  /** Set when --ignore-window overrode an enforced window: what it would have refused, in words. */
  readonly windowIgnored?: string | undefined;
  /** The hosts and groups as resolved at the start (the inventory may change): a resume uses these. */
  readonly hosts?: Readonly<Record<string, { readonly address?: string | undefined; readonly user?: string | undefined; readonly port?: number | undefined }>> | undefined;
  readonly groups?: Readonly<Record<string, readonly string[]>> | undefined;
}

export interface StepStartedRecord {
  readonly type: 'step_started';
  readonly at: string;
  readonly seq: number;
  /** The step instance: `deploy`, or `deploy[web2]` inside a loop over web2. */
  readonly key: string;
  /** The how-many-th execution of this key (backward jumps and retries by the operator repeat a key). */
  readonly visit: number;
  readonly stepId: string;
  readonly kind: string;
  readonly phase: Phase;
  readonly attempt: number;
  /** For undo commands: the key of the step being undone. */
  readonly undoOf?: string | undefined;
  /** Set when the step is skipped, its `when:` not holding (why, in words): nothing runs. */
  readonly skipped?: string | undefined;
  /** What runs, as people see it (secrets masked): the command, the instruction or the message. */
  readonly detail?: string | undefined;
  /** The host it runs on (absent: this machine). */
  readonly host?: string | undefined;
}

export interface StepFinishedRecord {
  readonly type: 'step_finished';
  readonly at: string;
  readonly seq: number;
  readonly key: string;
  readonly visit: number;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly durationMs: number;
  readonly exitCode?: number | undefined;
  /** Why it failed, in words (masked). */
  readonly reason?: string | undefined;
  /** `key=value` lines the step wrote to $RUNBOOK_OUTPUT (masked). */
  readonly outputs?: Readonly<Record<string, string>> | undefined;
  /** The last few KiB of output, for ${{ steps.ID.stdout }} after a resume (masked). */
  readonly stdout?: string | undefined;
  /** How the result was reached on resume: re-run, counted done, verified... */
  readonly via?: string | undefined;
}

/** An operator's or the engine's choice that changes the path: replayed on resume. */
export interface DecisionRecord {
  readonly type: 'decision';
  readonly at: string;
  /** What was decided about: a step key, `window`, `in-flight`. */
  readonly key: string;
  /** `confirmed`, `retry`, `skip`, `rollback`, `abort`, `rerun`, `done`, `failed`, `continue`... */
  readonly decision: string;
  readonly by: string;
  readonly note?: string | undefined;
  /** The execution of `key` this decision belongs to. */
  readonly visit?: number | undefined;
}

export interface BranchRecord {
  readonly type: 'branch';
  readonly at: string;
  readonly key: string;
  readonly to: string;
}

export interface RollbackStartedRecord {
  readonly type: 'rollback_started';
  readonly at: string;
  readonly reason: string;
  readonly by?: string | undefined;
}

export interface RunInterruptedRecord {
  readonly type: 'run_interrupted';
  readonly at: string;
  readonly signal: string;
  readonly seq?: number | undefined;
  /** Why, when it was not a signal (`signal: 'unreachable'`: a host lost during a step). */
  readonly reason?: string | undefined;
}

export interface RunResumedRecord {
  readonly type: 'run_resumed';
  readonly at: string;
  readonly by: string;
  readonly host: string;
  /** The machine's boot id when the run resumed ('' where there is none). */
  readonly bootId?: string | undefined;
  readonly pid: number;
  /** Set when the runbook file differs from the copy the run started with. */
  readonly fileChanged?: boolean | undefined;
  /** As on run_started: --ignore-window overrode the window for the rest of the run. */
  readonly windowIgnored?: string | undefined;
}

/** A step's process, once it runs: a resume checks whether it outlived its CLI (src/app/orphans.ts). */
export interface StepProcessRecord {
  readonly type: 'step_process';
  readonly at: string;
  /** The step_started record's. */
  readonly seq: number;
  readonly key: string;
  /** This machine's hostname, or with `remote` the runbook's name of the host the step runs on. */
  readonly host: string;
  readonly remote?: boolean | undefined;
  readonly become?: boolean | undefined;
  readonly bootId: string;
  readonly pgid: number;
  /** Clock ticks since boot (/proc/PID/stat field 22); absent without /proc. */
  readonly startTime?: number | undefined;
}

export interface RunFinishedRecord {
  readonly type: 'run_finished';
  readonly at: string;
  readonly outcome: RunOutcome;
  readonly exitCode: number;
  readonly message?: string | undefined;
}

/**
 * A notification, journaled before it is sent: a resume resends a queued one that has neither a
 * sent nor a failed record, with the same Message-ID. Texts are masked.
 */
export interface NotifyQueuedRecord {
  readonly type: 'notify_queued';
  readonly at: string;
  /** Stable for this notification: a resend keeps it (email Message-ID, webhook `id`). */
  readonly messageId: string;
  readonly channel: string;
  /** A notify event, `message` for a notify step. */
  readonly event: string;
  /** What the notice is about: the record it comes from (`step_finished deploy#1`, `run_finished#1`). */
  readonly about: string;
  readonly text: string;
  readonly step?: string | undefined;
  /** The step's reason, for failures (masked). */
  readonly reason?: string | undefined;
  /** Recipients (email), for the report. */
  readonly to?: readonly string[] | undefined;
  /** A hand-made resend (`runbook notify`): the Message-ID it refers to. */
  readonly references?: string | undefined;
}

export interface NotifySentRecord {
  readonly type: 'notify_sent';
  readonly at: string;
  readonly messageId: string;
  readonly channel: string;
  readonly event: string;
  /** The server's answer: `250 2.0.0 Ok: queued as ...`, `HTTP 200`. */
  readonly response: string;
  readonly attempts: number;
  readonly accepted?: readonly string[] | undefined;
  /** Recipients the server refused, with its answer: the others got it. */
  readonly rejected?: readonly { readonly address: string; readonly response: string }[] | undefined;
}

export interface NotifyFailedRecord {
  readonly type: 'notify_failed';
  readonly at: string;
  readonly messageId: string;
  readonly channel: string;
  readonly event: string;
  readonly reason: string;
  readonly attempts: number;
  /** Not retried: the server refused it for good (SMTP 5xx, webhook 4xx other than 429). */
  readonly permanent: boolean;
}

export type NotifyRecord = NotifyQueuedRecord | NotifySentRecord | NotifyFailedRecord;

export type JournalRecord =
  | RunStartedRecord
  | StepStartedRecord
  | StepFinishedRecord
  | DecisionRecord
  | BranchRecord
  | RollbackStartedRecord
  | RunInterruptedRecord
  | RunResumedRecord
  | StepProcessRecord
  | RunFinishedRecord
  | NotifyRecord;
