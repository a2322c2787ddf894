/** Load and validate for commands that go on to plan or run: errors stop them, warnings do not. */
import { invalid } from '../errors.js';
import type { Loaded } from '../load/load.js';
import { loadRunbookFile } from '../load/load.js';
import { isError, problemPlace } from '../load/problem.js';
import type { Runbook } from '../model/types.js';
import { validate } from '../validate/validate.js';

/**
 * The loaded runbook with `problems` = everything `validate` finds (warnings only, when this
 * returns). Throws RunbookError (exit 2) at the first error: "file:line:col: message (and N
 * more problems: run `runbook validate FILE`)".
 */
export function loadChecked(file: string): Loaded & { runbook: Runbook } {
  const loaded = loadRunbookFile(file);
  const problems = validate(loaded);
  const errors = problems.filter(isError);
  const first = errors[0];
  if (first || !loaded.runbook) {
    const more = errors.length - 1;
    const suffix = more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'}: run \`runbook validate ${file}\`)` : '';
    throw invalid(`${first?.message ?? 'not a valid runbook'}${suffix}`, first ? problemPlace(first) : file);
  }
  return { ...loaded, runbook: loaded.runbook, problems };
}
