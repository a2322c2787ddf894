/**
 * The environment variable that carries a secret to a command. The command text refers to it
 * (src/template/shell.ts) instead of holding the value, since a process's arguments are
 * readable by every user on the host (/proc/PID/cmdline) and its environment only by its owner.
 *
 * Secret names are identifiers (the schema), so the variable is a valid shell name; validation
 * keeps step `env` names out of the prefix, so no step setting can shadow one.
 */
export const SECRET_ENV_PREFIX = 'RUNBOOK_SECRET_';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `TOKEN` -> `RUNBOOK_SECRET_TOKEN`. Undefined for a name that is not an identifier. */
export function secretVariable(name: string): string | undefined {
  return IDENTIFIER.test(name) ? SECRET_ENV_PREFIX + name : undefined;
}
