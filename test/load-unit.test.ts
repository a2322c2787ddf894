/** The loader in process: positions, hashing, problem format, did-you-mean, caps. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadRunbookText } from '../src/load/load.js';
import { capProblems, formatProblem, MAX_PROBLEMS, type Problem } from '../src/load/problem.js';
import { closest, editDistance } from '../src/load/suggest.js';
import { validate } from '../src/validate/validate.js';

const RUNBOOK = 'version: 1\nid: x\ntitle: t\nsteps:\n  - id: a\n    run: |\n      echo ${{ vars.a }}\n      echo ${{ vars.b }} ${{ vars.b }}\n';

describe('loadRunbookText', () => {
  it('hashes the text (sha256 hex) and keeps it', () => {
    const loaded = loadRunbookText(RUNBOOK, 'x.yaml');
    expect(loaded.text).toBe(RUNBOOK);
    expect(loaded.hash).toBe(createHash('sha256').update(RUNBOOK).digest('hex'));
  });

  it('locates values, keys and text inside block scalars (1-based)', () => {
    const loaded = loadRunbookText(RUNBOOK, 'x.yaml');
    expect(loaded.locate(['steps', 0])).toEqual({ line: 5, column: 5 });
    expect(loaded.locate(['steps', 0, 'run'])).toEqual({ line: 6, column: 10 });
    expect(loaded.locateKey(['steps', 0, 'run'])).toEqual({ line: 6, column: 5 });
    expect(loaded.locateText(['steps', 0, 'run'], '${{ vars.b }}', 1)).toEqual({ line: 8, column: 26 });
    expect(loaded.locate(['steps', 0, 'nope', 3])).toEqual({ line: 5, column: 5 });
    expect(loaded.has(['steps', 0, 'run'])).toBe(true);
    expect(loaded.has(['steps', 0, 'timeout'])).toBe(false);
  });

  it('ignores a leading byte order mark', () => {
    const loaded = loadRunbookText(`\uFEFF${RUNBOOK}`, 'bom.yaml');
    expect(loaded.runbook?.id).toBe('x');
    expect(validate(loaded)[0]).toMatchObject({ line: 7, column: 12, code: 'templates' });
  });

  it('reports every template problem at the reference', () => {
    const problems = validate(loadRunbookText(RUNBOOK, 'x.yaml'));
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['7:12', '8:12', '8:26']);
  });

  it('does not mistake Object.prototype members for declared vars', () => {
    const text = 'version: 1\nid: x\ntitle: t\nvars: { a: 1 }\nsteps: [{ id: a, run: "${{ vars.toString }} ${{ vars.a }} ${{ secrets.constructor }}" }]\n';
    expect(validate(loadRunbookText(text, 'x.yaml')).map((p) => p.message.split(':')[1])).toEqual([' "${{ vars.toString }}"', ' "${{ secrets.constructor }}"']);
  });

  it('refuses unknown tags and non-scalar keys', () => {
    const tags = loadRunbookText('version: 1\nid: !!binary eA==\ntitle: !custom t\n? [a]\n: 1\n', 'x.yaml').problems;
    expect(tags.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '2:5 YAML tag !!binary is not allowed',
      '3:8 YAML tag !custom is not allowed',
      '4:3 a key must be a plain name, not a list, a mapping or nothing',
    ]);
  });

  it('an empty step list item and a null document', () => {
    expect(loadRunbookText('~\n', 'x.yaml').problems[0]?.message).toBe('the top level of a runbook must be a mapping of keys to values, found a single value');
    const p = loadRunbookText('version: 1\nid: x\ntitle: t\nsteps:\n  -\n', 'x.yaml').problems;
    expect(p.map((x) => x.message)).toEqual(['a step is a mapping with an id and one of run, manual, wait, monitor, notify, for_each; found nothing']);
  });
});

describe('problems', () => {
  const p: Problem = { severity: 'error', code: 'unknown-key', message: 'unknown key "x"', file: 'a.yaml', line: 3, column: 7 };

  it('format as file:line:column: severity: message [code]', () => {
    expect(formatProblem(p)).toBe('a.yaml:3:7: error: unknown key "x" [unknown-key]');
  });

  it('are capped per file, the rest counted', () => {
    const many = Array.from({ length: MAX_PROBLEMS + 5 }, (_, i) => ({ ...p, line: i + 1 }));
    const capped = capProblems(many);
    expect(capped).toHaveLength(MAX_PROBLEMS + 1);
    expect(capped.at(-1)).toMatchObject({ code: 'too-many', message: '5 more problems not shown: fix these first', line: MAX_PROBLEMS + 1 });
  });
});

describe('did you mean', () => {
  it('counts swaps as one edit', () => {
    expect(editDistance('tiemout', 'timeout')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only close names', () => {
    expect(closest('tiemout', ['timeout', 'retries'])).toBe('timeout');
    expect(closest('on_sucess', ['on_success', 'on_failure'])).toBe('on_success');
    expect(closest('zzz', ['timeout', 'id'])).toBeUndefined();
  });
});
