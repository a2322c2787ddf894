/**
 * What a host name, address or user may look like. They end up as words of an `ssh` command
 * line (after `--`, or as the value of `-l`), so a leading `-` or a space must never reach it:
 * `-oProxyCommand=x` as a host name would be an option, not a host.
 */
import { LOCAL_HOST } from './types.js';

const BAD_CHARS = /[\s\u0000-\u001f\u007f-\u009f]/u;

/** Whitespace or a control character: what could split or end a word of a command line. */
export const hasSpaceOrControl = (value: string): boolean => BAD_CHARS.test(value);

export type HostWord = 'host name' | 'address' | 'user';
const ARTICLE: Record<HostWord, string> = { 'host name': 'a host name', address: 'an address', user: 'a user' };

/** Why `value` cannot be a host's name, address or user, or undefined. */
export function hostWordProblem(value: string, what: HostWord): string | undefined {
  const a = ARTICLE[what];
  if (value === '') return `${a} cannot be empty`;
  if (value.startsWith('-')) return `${a} cannot start with "-" (${JSON.stringify(value)} would reach ssh as an option)`;
  if (BAD_CHARS.test(value)) return `${a} cannot hold whitespace or control characters: ${JSON.stringify(value)}`;
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
