/**
 * `runbook validate` output: text (one line per problem, then a summary per file), JSON
 * (`{ files: [{ file, valid, errors, warnings, problems }] }`) or GitHub workflow commands.
 */
import { countProblems, formatProblem, type Problem, plural } from '../load/problem.js';

export interface FileResult {
  readonly file: string;
  readonly problems: readonly Problem[];
}

export type ReportFormat = 'text' | 'json' | 'github';

/** With --strict, warnings are errors. */
export function strictly(problems: readonly Problem[]): Problem[] {
  return problems.map((p) => (p.severity === 'warning' ? { ...p, severity: 'error' } : p));
}

export const isValid = (r: FileResult): boolean => countProblems(r.problems).errors === 0;

/** `email-patch.yaml: valid`, `email-patch.yaml: valid, 1 warning`, `x.yaml: 2 errors, 1 warning`. */
export function summaryLine(r: FileResult): string {
  const { errors, warnings } = countProblems(r.problems);
  const parts = [errors ? plural(errors, 'error') : 'valid', ...(warnings ? [plural(warnings, 'warning')] : [])];
  return `${r.file}: ${parts.join(', ')}`;
}

export function renderReport(results: readonly FileResult[], format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ files: results.map(jsonFile) }, null, 2)}\n`;
    case 'github':
      return results
        .flatMap((r) => [...r.problems.map(githubLine), summaryLine(r)])
        .map((l) => `${l}\n`)
        .join('');
    default:
      return results
        .flatMap((r) => [...r.problems.map(formatProblem), summaryLine(r)])
        .map((l) => `${l}\n`)
        .join('');
  }
}

function jsonFile(r: FileResult) {
  const { errors, warnings } = countProblems(r.problems);
  return {
    file: r.file,
    valid: errors === 0,
    errors,
    warnings,
    problems: r.problems.map((p) => ({ severity: p.severity, code: p.code, message: p.message, file: p.file, line: p.line, column: p.column })),
  };
}

/** `::error file=F,line=L,col=C,title=CODE::message`, escaped as GitHub Actions requires. */
export function githubLine(p: Problem): string {
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::${p.severity} file=${prop(p.file)},line=${p.line},col=${p.column},title=${prop(`runbook ${p.code}`)}::${data(p.message)}`;
}
