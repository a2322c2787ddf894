/** `runbook schema`: the JSON Schema of the runbook format, as committed in schemas/runbook.schema.json. */
import * as z from 'zod';
import { EXIT } from '../../errors.js';
import { RunbookSchema } from '../../model/schema.js';

export const SCHEMA_ID = 'urn:runbook:format:v1';

/** Deterministic: 2-space indent, trailing newline; $schema, $id and title first. */
export function runbookJsonSchema(): string {
  const { $schema, title: _title, ...rest } = z.toJSONSchema(RunbookSchema, { io: 'input' }) as Record<string, unknown>;
  const schema = { $schema, $id: SCHEMA_ID, title: 'Runbook format v1', ...rest };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export async function main(): Promise<number> {
  process.stdout.write(runbookJsonSchema());
  return EXIT.ok;
}
