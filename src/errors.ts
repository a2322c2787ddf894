/**
 * The few error types the core throws on purpose. The CLI's single error boundary
 * (src/cli/boundary.ts) prints a RunbookError as one line and exits with its code; anything
 * else is a bug and prints its stack.
 */

/** Exit codes: the contract in the spec, in one place. */
export const EXIT = {
  ok: 0,
  /** The change failed and the rollback completed. */
  rolledBack: 1,
  /** Invalid runbook or usage: nothing ran. */
  invalid: 2,
  /** The rollback failed or escalated: manual recovery needed. */
  escalated: 3,
  /** Aborted without rollback. */
  aborted: 4,
  /** Refused before any step ran (window, lock, secret, no terminal for a manual step). */
  refused: 5,
  /** Interrupted: resumable. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class RunbookError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** `file:line:column`, printed before the message. */
    readonly location?: string,
  ) {
    super(message);
    this.name = 'RunbookError';
  }
}

/** Bad input: exit 2. */
export const invalid = (message: string, location?: string) => new RunbookError(message, EXIT.invalid, location);
/** Refused before any step ran: exit 5. */
export const refused = (message: string) => new RunbookError(message, EXIT.refused);
