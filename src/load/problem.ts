/** A problem found in a runbook (or vars file): where it is, how bad, and what to do about it. */

export type Severity = 'error' | 'warning';

export interface Problem {
  readonly severity: Severity;
  /** The rule or loader check that found it: `unknown-key`, `branch-targets`, ... */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** Problems of the file as a whole (missing, unreadable, too large): they have no position to show. */
const WHOLE_FILE = new Set(['read', 'too-large']);

/** `file:line:column`, or only `file` for a problem of the whole file (no made-up `1:1`). */
export function problemPlace(p: Pick<Problem, 'file' | 'line' | 'column' | 'code'>): string {
  return WHOLE_FILE.has(p.code) ? p.file : `${p.file}:${p.line}:${p.column}`;
}

/** `file:line:column: error: message [code]` */
export function formatProblem(p: Problem): string {
  return `${problemPlace(p)}: ${p.severity}: ${p.message} [${p.code}]`;
}

/** By position, errors before warnings at the same place; stable otherwise. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

export const isError = (p: Problem): boolean => p.severity === 'error';

/** `2 errors, 1 warning`; `valid` when there is nothing. */
export function countProblems(problems: readonly Problem[]): { errors: number; warnings: number } {
  const errors = problems.filter(isError).length;
  return { errors, warnings: problems.length - errors };
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** At most this many problems per file are reported; the rest are counted in one more line. */
export const MAX_PROBLEMS = 100;

export function capProblems(problems: readonly Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return [...problems];
  const rest = problems.slice(MAX_PROBLEMS);
  const first = rest[0] as Problem;
  const severity = rest.some(isError) ? 'error' : 'warning';
  return [...problems.slice(0, MAX_PROBLEMS), { ...first, severity, code: 'too-many', message: `${rest.length} more problems not shown: fix these first` }];
}
