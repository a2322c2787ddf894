/** What a rule sees and how it reports: each rule collects problems, none throws. */
import type { Loaded } from '../load/load.js';
import type { Problem, Severity } from '../load/problem.js';
import type { Path, Runbook } from '../model/types.js';

export interface Where {
  /** Point at the key rather than its value (unknown and duplicate keys, ids). */
  readonly key?: boolean;
  /** Point at this text (its nth occurrence) inside the value: a `${{ ... }}` reference. */
  readonly text?: string;
  readonly nth?: number;
}

export interface RuleContext {
  readonly runbook: Runbook;
  readonly loaded: Loaded;
  error(path: Path, message: string, where?: Where): void;
  warn(path: Path, message: string, where?: Where): void;
}

export interface Rule {
  /** The problem code: kebab-case, shown as `[name]`. */
  readonly name: string;
  check(ctx: RuleContext): void;
}

/** A context that records into `out`, with `code` = the rule's name. */
export function contextFor(rule: Rule, runbook: Runbook, loaded: Loaded, out: Problem[]): RuleContext {
  const add =
    (severity: Severity) =>
    (path: Path, message: string, where: Where = {}) => {
      const pos = where.text !== undefined ? loaded.locateText(path, where.text, where.nth ?? 0) : where.key ? loaded.locateKey(path) : loaded.locate(path);
      out.push({ severity, code: rule.name, message, file: loaded.file, line: pos.line, column: pos.column });
    };
  return { runbook, loaded, error: add('error'), warn: add('warning') };
}
