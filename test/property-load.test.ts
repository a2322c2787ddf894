/**
 * Whatever the input (random text, random YAML, valid runbooks with fields deleted, retyped or
 * renamed, random bytes), loading and validating returns problems or a runbook: it never throws,
 * and every problem is one line with a real position.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadRunbookFile, loadRunbookText, type Loaded } from '../src/load/load.js';
import { formatProblem } from '../src/load/problem.js';
import { decodeText } from '../src/load/read.js';
import { validate } from '../src/validate/validate.js';
import { REPO, runCli, tempDir } from './helpers/cli.js';
import { mutation, applyMutation } from './helpers/mutate.js';

const FIXTURES = ['every-field.yaml', 'minimal.yaml'].map((f) => join(REPO, 'test/fixtures/valid', f));
const VALID = FIXTURES.map((f) => parse(loadRunbookFile(f).text) as unknown);

function check(loaded: Loaded): void {
  const problems = validate(loaded);
  for (const p of problems) {
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.column).toBeGreaterThanOrEqual(1);
    expect(p.file).toBe(loaded.file);
    expect(['error', 'warning']).toContain(p.severity);
    expect(p.code).toMatch(/^[a-z-]+$/);
    expect(formatProblem(p)).not.toContain('\n');
  }
  if (loaded.runbook === undefined) expect(problems.some((p) => p.severity === 'error')).toBe(true);
  else expect(loaded.problems).toEqual([]);
}

const text = (t: string) => check(loadRunbookText(t, 'prop.yaml'));

describe('loading never throws', () => {
  it('the valid fixtures load without problems', () => {
    for (const f of FIXTURES) expect(validate(loadRunbookFile(f))).toEqual([]);
  });

  it('random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), text), { numRuns: 1500 });
  });

  it('random YAML-ish text', () => {
    const token = fc.constantFrom('- ', ': ', '\n', '  ', '[', ']', '{', '}', '&a ', '*a', '!!str ', '---\n', '? ', '#', '"', "'", '|\n', 'version: 1\n', 'steps:\n', 'id: x\n', 'run: y\n', '${{ vars.x }}', ',', 'on_failure: ');
    fc.assert(fc.property(fc.array(token, { maxLength: 60 }), (parts) => text(parts.join(''))), { numRuns: 1500 });
  });

  it('random documents', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => text(stringify(value))), { numRuns: 1000 });
  });

  it('valid runbooks with fields deleted, retyped, renamed or duplicated', () => {
    const arb = fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(arb, ([doc, ms]) => {
        const mutated = ms.reduce((d, m) => applyMutation(d, m), structuredClone(doc));
        text(stringify(mutated));
      }),
      { numRuns: 3000 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const decoded = decodeText(bytes);
        if (decoded.ok) text(decoded.text);
        else expect(decoded.message).not.toContain('\n');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('bad input through the CLI', () => {
  it('exits 2 with one-line problems and no stack trace', async () => {
    const dir = tempDir('runbook-prop-');
    const files = fc.sample(fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 2, maxLength: 5 })), { numRuns: 8, seed: 42 })
      .map(([doc, ms], i) => {
        const mutated = ms.reduce((d, m) => applyMutation(d, m), structuredClone(doc)) as Record<string, unknown>;
        const name = `m${i}.yaml`;
        // Always invalid: an unknown key on top of the mutations.
        writeFileSync(join(dir, name), stringify({ ...(typeof mutated === 'object' && mutated ? mutated : {}), zzz_unknown: 1 }));
        return name;
      });
    writeFileSync(join(dir, 'bytes.yaml'), Uint8Array.from(fc.sample(fc.integer({ min: 0, max: 255 }), { numRuns: 500, seed: 7 })));
    for (const name of [...files, 'bytes.yaml']) {
      const r = await runCli(['validate', name], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toMatch(/^ {4}at /m);
      for (const line of r.stdout.trimEnd().split('\n').slice(0, -1)) expect(line).toMatch(/^[\w.]+:\d+:\d+: (error|warning): .+ \[[a-z-]+\]$/);
    }
  });
});
