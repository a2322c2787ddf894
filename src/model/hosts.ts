/**
 * What a host name, address or user may look like. They end up as words of an `ssh` command
 * line (after `--`, or as the value of `-l`), so a leading `-` or a space must never reach it:
 * `-oProxyCommand=x` as a host name would be an option, not a host.
 */
import { LOCAL_HOST } from './types.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const BAD_CHARS = /[\s\u0000-\u001f\u007f-\u009f]/u;

/** Why `value` cannot be the `what` of a host (`host name`, `address`, `user`), or undefined. */
export function hostWordProblem(value: string, what: string): string | undefined {
  if (value === '') return `a ${what} cannot be empty`;
  if (value.startsWith('-')) return `a ${what} cannot start with "-" (${JSON.stringify(value)} would reach ssh as an option)`;
  if (BAD_CHARS.test(value)) return `a ${what} cannot hold whitespace or control characters: ${JSON.stringify(value)}`;
  return undefined;
}

export function hostNameProblem(name: string): string | undefined {
  if (name === LOCAL_HOST) return `"${LOCAL_HOST}" is reserved (it means the machine running runbook) and cannot name a host`;
  return hostWordProblem(name, 'host name');
}

/** A group is used as `${{ groups.NAME }}`: its name must be a template name. */
export const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function groupNameProblem(name: string): string | undefined {
  return GROUP_NAME.test(name) ? undefined : `group name ${JSON.stringify(name)} cannot be used as \${{ groups.${name} }}: use letters, digits, "_" and "-", starting with a letter or "_"`;
}
