/** `runbook validate FILE... [--format text|json|github] [--strict]`: exit 0 when all are valid, else 2. */
import { EXIT, invalid } from '../../errors.js';
import { loadRunbookFile } from '../../load/load.js';
import { type FileResult, isValid, type ReportFormat, renderReport, strictly } from '../../validate/report.js';
import { validate } from '../../validate/validate.js';

export interface ValidateOptions {
  readonly format?: string;
  readonly strict?: boolean;
}

const FORMATS: readonly ReportFormat[] = ['text', 'json', 'github'];

export async function main(files: string[], opts: ValidateOptions = {}): Promise<number> {
  const format = (opts.format ?? 'text') as ReportFormat;
  if (!FORMATS.includes(format)) throw invalid(`--format must be one of ${FORMATS.join(', ')}`);
  if (files.length === 0) throw invalid('validate needs at least one FILE');
  const results: FileResult[] = files.map((file) => {
    const problems = validate(loadRunbookFile(file));
    return { file, problems: opts.strict ? strictly(problems) : problems };
  });
  process.stdout.write(renderReport(results, format));
  return results.every(isValid) ? EXIT.ok : EXIT.invalid;
}
