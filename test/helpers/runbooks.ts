/** Small runbooks written on the fly for end-to-end tests, and a reader for the journal they leave. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a runbook with id `t` and the given body (steps, vars, …) and returns its path. */
export function writeRunbook(dir: string, body: string, name = 'runbook.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, `version: 1\nid: t\ntitle: Test runbook\n${body.trimStart()}`);
  return file;
}

/** The records of the newest run's journal in a state directory (frames stripped). */
export function journalOf(stateDir: string): Array<Record<string, unknown>> {
  const runs = readdirSync(join(stateDir, 'runs')).sort();
  const text = readFileSync(join(stateDir, 'runs', runs[runs.length - 1]!, 'journal'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
}
