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
import { type Loaded, loadRunbookFile, loadRunbookText } from '../src/load/load.js';
import { formatProblem } from '../src/load/problem.js';
import { decodeText } from '../src/load/read.js';
import { validate } from '../src/validate/validate.js';
import { REPO, runCli, tempDir } from './helpers/cli.js';
import { propertyRuns } from './helpers/property.js';

// Mutations of a parsed runbook: delete, retype, rename or duplicate a node.
type Mutation =
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'retype'; readonly at: number; readonly value: unknown }
  | { readonly op: 'rename'; readonly at: number; readonly name: string }
  | { readonly op: 'duplicate'; readonly at: number };

const NASTY = fc.constantFrom<unknown>(
  '',
  'TBD',
  '${{',
  '${{ vars.nope }}',
  '${{ item }}',
  '${{ secrets.X }}',
  '${{ steps.a.outputs.b }}',
  -1,
  0,
  1e308,
  3.5,
  null,
  [],
  {},
  'end',
  'rollback',
  'escalate',
  'next',
  'abort',
  '2009-13-45T99:99',
  'UTC+99',
  'Mars/Olympus',
  '(',
  '0s',
  '1h',
  'PT',
  true,
  'x'.repeat(300),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), value: fc.oneof(NASTY, fc.jsonValue({ maxDepth: 2 })) }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: fc.oneof(fc.constantFrom('tiemout', 'run', 'manual', 'steps', 'id', 'for_each', 'undo', 'to'), fc.string({ maxLength: 8 })) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
);

type Container = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** Every (container, key) pair in the document, depth first. */
function slots(root: unknown): Array<[Container, string | number]> {
  const out: Array<[Container, string | number]> = [];
  const visit = (v: unknown) => {
    if (!isContainer(v)) return;
    const keys: Array<string | number> = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    for (const k of keys) {
      out.push([v, k]);
      visit((v as Record<string | number, unknown>)[k]);
    }
  };
  visit(root);
  return out;
}

function applyMutation(doc: unknown, m: Mutation): unknown {
  const all = slots(doc);
  const slot = all[m.at % Math.max(1, all.length)];
  if (!slot) return doc;
  const [parent, key] = slot;
  const rec = parent as Record<string | number, unknown>;
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete rec[key];
      break;
    case 'retype':
      rec[key] = m.value;
      break;
    case 'rename':
      if (!Array.isArray(parent) && m.name !== '') {
        rec[m.name] = rec[key];
        if (m.name !== key) delete rec[key];
      }
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
      break;
  }
  return doc;
}

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
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), text), { numRuns: propertyRuns(300) });
  });

  it('a key with a newline in it (a block scalar key) is reported on one line', () => {
    text('? |\n  - ');
    text('version: 1\nid: t\ntitle: t\nsteps:\n  - id: a\n    run: x\n    ? "bad\\nkey"\n    : 1\n');
  });

  it('random YAML-ish text', () => {
    const token = fc.constantFrom(
      '- ',
      ': ',
      '\n',
      '  ',
      '[',
      ']',
      '{',
      '}',
      '&a ',
      '*a',
      '!!str ',
      '---\n',
      '? ',
      '#',
      '"',
      "'",
      '|\n',
      'version: 1\n',
      'steps:\n',
      'id: x\n',
      'run: y\n',
      '${{ vars.x }}',
      ',',
      'on_failure: ',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (parts) => text(parts.join(''))),
      { numRuns: propertyRuns(300) },
    );
  });

  it('random documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => text(stringify(value))),
      { numRuns: propertyRuns(200) },
    );
  });

  it('valid runbooks with fields deleted, retyped, renamed or duplicated', () => {
    const arb = fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(arb, ([doc, ms]) => {
        const mutated = ms.reduce((d, m) => applyMutation(d, m), structuredClone(doc));
        text(stringify(mutated));
      }),
      { numRuns: propertyRuns(400) },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const decoded = decodeText(bytes);
        if (decoded.ok) text(decoded.text);
        else expect(decoded.message).not.toContain('\n');
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe('bad input through the CLI', () => {
  it('exits 2 with one-line problems and no stack trace', async () => {
    const dir = tempDir('runbook-prop-');
    const files = fc.sample(fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 2, maxLength: 5 })), { numRuns: 8, seed: 42 }).map(([doc, ms], i) => {
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
