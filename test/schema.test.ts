/** `runbook schema` prints exactly the committed schemas/runbook.schema.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/cli.js';

describe('runbook schema', () => {
  it('matches schemas/runbook.schema.json (regenerate: runbook schema > schemas/runbook.schema.json)', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(join(REPO, 'schemas/runbook.schema.json'), 'utf8'));
  });

  it('is a draft 2020-12 schema with an id, a title and named definitions', async () => {
    const schema = JSON.parse((await runCli(['schema'])).stdout) as Record<string, unknown>;
    expect(Object.keys(schema).slice(0, 3)).toEqual(['$schema', '$id', 'title']);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.$defs as object)).toEqual(expect.arrayContaining(['step', 'run_step', 'for_each_step', 'duration', 'window']));
    expect(schema.required).toEqual(['version', 'id', 'title', 'steps']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('is deterministic', async () => {
    const [a, b] = await Promise.all([runCli(['schema']), runCli(['schema'])]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.endsWith('}\n')).toBe(true);
  });
});
