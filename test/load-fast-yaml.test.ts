/**
 * The fast YAML reader (src/load/fast-yaml.ts) against the yaml library: whenever the fast
 * reader gives a value, the library (with the loader's checks) finds no problem and gives the
 * very same value: same types, same numbers (-0 and NaN included), same key order. Anything
 * else must make the fast reader step aside. FAST_YAML_RUNS=N runs more random cases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseYaml } from '../src/load/fast-yaml.js';
import { loadRunbookText } from '../src/load/load.js';
import { parseUntrustedYaml } from '../src/load/yaml.js';
import { validate } from '../src/validate/validate.js';

const REPO = join(import.meta.dirname, '..');
const RUNS = Number(process.env.FAST_YAML_RUNS ?? 1500);

/** Same value, strictly: primitives by Object.is, objects by prototype and own keys in order. */
function same(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} (${typeof a}) vs ${String(b)} (${typeof b})`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: list vs mapping`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototypes differ`;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys ${ka.map(String).join(',')} vs ${kb.map(String).join(',')}`;
  for (const k of ka) {
    const d = same((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k], `${path}.${String(k)}`);
    if (d) return d;
  }
  return undefined;
}

const tally = { cases: 0, fast: 0, libraryClean: 0 };

/** The property: fast is undefined, or the library agrees with it exactly. */
function agree(text: string): void {
  const fast = fastParseYaml(text.startsWith('\uFEFF') ? text.slice(1) : text);
  tally.cases++;
  if (process.env.FAST_YAML_STATS && parseUntrustedYaml(text, 'runbook', false).problems.length === 0) tally.libraryClean++;
  if (fast === undefined) return;
  tally.fast++;
  const slow = parseUntrustedYaml(text, 'runbook', false);
  if (slow.problems.length > 0) throw new Error(`fast reader accepted what the library reports: ${JSON.stringify(slow.problems)}\n---\n${text}`);
  const diff = same(fast, slow.value);
  if (diff) throw new Error(`fast reader disagrees: ${diff}\n---\n${text}`);
}

// Random YAML-like text: a random tree written in random styles, then perhaps mutated.
const CHARS = ['a', 'b', 'Z', '_', '-', '0', '1', '9', '.', ' ', ' ', ':', '#', "'", '"', '\\', '{', '}', '[', ']', ',', '|', '>', '&', '*', '!', '%', '@', '`', '~', '?', '$', '(', '/', '+', 'é', '\u00a0', 'e', 'n', 'x', '\n', '😀'];
const RARE = ['\t', '\r', '\u2028', '\u0085', '\ufeff', '\x7f', '\ud800'];
const WORDS = ['null', 'Null', '~', 'true', 'False', 'TRUE', 'yes', '1.5', '1.', '.5', '-.5', '0x1F', '0o17', '0b1', '.inf', '-.Inf', '.nan', '.NaN', '1e3', '1E-2', '+1', '-0', '007', '1_000', '12345678901234567890', 'NaN', '---', '...', '- a', 'a: b', 'a:b', '#c', 'a #c', 'a#c', '1s', '${{ vars.x }}', 'echo "a b"', "it's", '', ' ', 'a  b', 'x:', '-x', '--flag', '-1', '-', '?', '? x', ':x', '|', '>', '=', '<<', '__proto__', 'toString', 'constructor'];
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...CHARS, ...RARE), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9 _-]{0,10}$/) },
);
const key = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,6}$/) },
  { weight: 1, arbitrary: fc.constantFrom('null', 'True', 'false', '__proto__', 'toString', 'constructor', '1', '1.5', 'a b', 'a:b', '-a', '"q"', '~', 'NULL', 'x', 'x', 'id', 'run') },
  { weight: 1, arbitrary: text },
);

type Tree = { s: string } | { m: Array<[string, Tree]> } | { l: Tree[] };
const { tree } = fc.letrec<{ tree: Tree }>((t) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: text.map((s) => ({ s })) },
    { weight: 2, arbitrary: fc.array(fc.tuple(key, t('tree')), { maxLength: 4 }).map((m) => ({ m })) },
    { weight: 1, arbitrary: fc.array(t('tree'), { maxLength: 4 }).map((l) => ({ l })) },
  ),
}));

/** Style choices, consumed in order while writing (cycled). */
const styles = fc.array(fc.nat({ max: 99 }), { minLength: 16, maxLength: 64 });

function write(root: Array<[string, Tree]>, choices: number[]): string {
  let n = 0;
  const pick = (k: number) => (choices[n++ % choices.length] ?? 0) % k;
  const pad = (k: number) => ' '.repeat(k);
  const scalar = (s: string, flow: boolean): string => {
    switch (pick(6)) {
      case 0: return `'${s.replace(/'/g, "''")}'`;
      case 1: return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, pick(2) ? '\\t' : '\t')}"`;
      case 2: return `"${s}"`;
      default: return flow || !s.includes('\n') ? s : s.replace(/\n/g, ' ');
    }
  };
  const flow = (t: Tree): string => {
    if ('s' in t) return scalar(t.s, true);
    const sp = pick(3) === 0 ? '' : ' ';
    const comma = pick(8) === 0 ? ',' : '';
    if ('l' in t) return `[${sp}${t.l.map(flow).join(`,${sp}`)}${comma}${sp}]`;
    return `{${sp}${t.m.map(([k, v]) => `${k}:${pick(6) ? ' ' : ''}${flow(v)}`).join(`,${sp}`)}${comma}${sp}}`;
  };
  const comment = () => (pick(6) === 0 ? `${pad(pick(3))}#${pick(2) ? ' c' : ''}` : '');
  const extra = () => (pick(10) === 0 ? `${pad(pick(6))}\n` : pick(12) === 0 ? `${pad(pick(4))}# note\n` : '');
  /** The value of a key or dash at column `col`; starts right after `key:` / `-`. */
  const value = (t: Tree, col: number, inSeq: boolean): string => {
    const style = pick(10);
    if ('s' in t) {
      if (style === 0 || (style === 1 && t.s.includes('\n'))) {
        const ind = col + 1 + pick(3);
        const header = ['|', '|-', '|+', '>', '|2'][pick(5)];
        const body = t.s.split('\n').map((l) => (l === '' && pick(2) ? '' : pad(ind) + l)).join('\n');
        return ` ${header}${comment()}\n${body}\n`;
      }
      if (style === 2) return `\n${pad(col + 2)}${scalar(t.s, false)}\n`;
      return ` ${scalar(t.s, false)}${comment()}\n`;
    }
    if (style < 3) return ` ${flow(t)}${comment()}\n`;
    if ('l' in t) {
      if (t.l.length === 0) return ' []\n';
      const ind = inSeq ? col + 2 : pick(3) === 0 ? col : col + 2 + pick(2);
      return `${comment()}\n${extra()}${seq(t.l, ind)}`;
    }
    if (t.m.length === 0) return ' {}\n';
    return `${comment()}\n${extra()}${map(t.m, col + 1 + pick(3))}`;
  };
  const map = (m: Array<[string, Tree]>, col: number, first = false): string =>
    m.map(([k, v], i) => `${first && i === 0 ? '' : pad(col)}${k}${pick(15) === 0 ? ' ' : ''}:${value(v, col, false)}${extra()}`).join('');
  const seq = (l: Tree[], col: number): string =>
    l.map((v) => {
      if ('m' in v && v.m.length > 0 && pick(3)) {
        const gap = 1 + (pick(5) === 0 ? 1 : 0);
        return `${pad(col)}-${pad(gap)}${map(v.m, col + 1 + gap, true)}`;
      }
      return `${pad(col)}-${value(v, col, true)}`;
    }).join('');
  return `${pick(8) === 0 ? '# head\n' : ''}${map(root, 0)}`;
}

const MUTATION_CHARS = ['\n', ' ', '  ', '-', ':', '#', '"', "'", '{', '}', '[', ']', ',', '|', '&a ', '*a', '!!str ', '---\n', '\t', '\r', 'x', '? ', '%'];
const mutated = fc
  .tuple(fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 5 }), styles, fc.oneof(fc.constant([]), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...MUTATION_CHARS)), { maxLength: 2 })))
  .map(([root, choices, edits]) => {
    let s = write(root, choices);
    for (const [at, op, c] of edits) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (op === 0) s = s.slice(0, i) + c + s.slice(i);
      else if (op === 1) s = s.slice(0, i) + s.slice(i + 1);
      else if (op === 2) s = s.slice(0, i) + c + s.slice(i + 1);
      else s = s.replace(/\n( *)/g, (m, sp: string, off: number) => (off === i % Math.max(1, s.length) ? `\n${sp} ` : m));
    }
    return s;
  });

// The repository's runbooks with a few characters inserted, deleted or replaced.
const SAMPLES = ['runbooks', 'test/fixtures/valid'].flatMap((dir) =>
  readdirSync(join(REPO, dir)).filter((n) => n.endsWith('.yaml')).map((f) => readFileSync(join(REPO, dir, f), 'utf8')),
);
const EDIT_CHARS = [...MUTATION_CHARS, ' ', ' ', '\n', 'a', '1', '.', '~', '\\', '"', '|-', '- ', ': ', ' #', '${{', 'é'];
const edited = fc
  .tuple(fc.nat({ max: SAMPLES.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...EDIT_CHARS)), { minLength: 1, maxLength: 3 }))
  .map(([n, edits]) => {
    let s = SAMPLES[n] ?? '';
    for (const [at, op, c] of edits) {
      const i = at % (s.length + 1);
      s = op === 0 ? s.slice(0, i) + c + s.slice(i) : op === 1 ? s.slice(0, i) + s.slice(i + c.length) : s.slice(0, i) + c + s.slice(i + 1);
    }
    return s;
  });

describe('fast YAML reader', () => {
  it('reads the repository runbooks and fixtures as the library does', () => {
    const dirs = ['runbooks', 'test/fixtures/valid', 'test/fixtures/invalid'];
    let fast = 0;
    for (const dir of dirs) {
      for (const f of readdirSync(join(REPO, dir)).filter((n) => n.endsWith('.yaml'))) {
        const text = readFileSync(join(REPO, dir, f), 'utf8');
        agree(text);
        if (fastParseYaml(text) !== undefined) fast++;
      }
    }
    expect(fast).toBeGreaterThan(20); // the fast path is actually taken
  });

  it('reads a typical runbook, block and flow style', () => {
    const text = [
      'version: 1',
      'id: web',
      'title: "Deploy: web tier"',
      'vars: { host: web1, n: 3, ratio: 1.5, off: false, none: ~, list: [a, "b c", \'d\'] }',
      'steps:',
      '  - { id: s0, run: "echo \\"hi\\" on ${{ vars.host }}", estimate: 1s }',
      '  - id: s1 # a comment',
      '    run: |',
      '      echo one',
      '',
      '        indented',
      '    env:',
      '      A: "1"',
      '      B: 2',
      '    undo: |-',
      '      echo undo',
      'rollback:',
      '  steps:',
      '  - id: r',
      "    manual: 'it''s done'",
      '',
    ].join('\n');
    agree(text);
    expect(fastParseYaml(text)).toEqual({
      version: 1, id: 'web', title: 'Deploy: web tier',
      vars: { host: 'web1', n: 3, ratio: 1.5, off: false, none: null, list: ['a', 'b c', 'd'] },
      steps: [{ id: 's0', run: 'echo "hi" on ${{ vars.host }}', estimate: '1s' }, { id: 's1', run: 'echo one\n\n  indented\n', env: { A: '1', B: 2 }, undo: 'echo undo' }],
      rollback: { steps: [{ id: 'r', manual: "it's done" }] },
    });
  });

  it('steps aside for what the loader reports or the subset leaves out', () => {
    for (const text of [
      'a: 1\na: 2\n', 'a: &x 1\nb: *x\n', 'a: !!binary x\n', '- a\n', 'a: 1\n---\nb: 2\n', 'a:\tb\n', 'a: b\r\n', '"a": 1\n',
      'a: b\n  c\n', 'a: >\n  folded\n', 'a: |+\n  keep\n', 'a: "multi\n  line"\n', 'a: [1,\n  2]\n', '? a\n: b\n', 'null: 1\n', '__proto__: 1\n',
      'a: { b: 1, }\n', '', '# only a comment\n', 'a: b: c\n',
    ]) {
      agree(text);
      expect(fastParseYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  /** Checks `agree` on `numRuns` cases; at least `share` of them must take the fast path. */
  const often = (arbitrary: fc.Arbitrary<string>, share: number, numRuns: number) => () => {
    const before = { ...tally };
    fc.assert(fc.property(arbitrary, (t) => agree(t)), { numRuns });
    const cases = tally.cases - before.cases;
    const fast = tally.fast - before.fast;
    if (process.env.FAST_YAML_STATS) console.log({ cases, fast, libraryClean: tally.libraryClean - before.libraryClean });
    expect(fast / cases).toBeGreaterThan(share); // the comparison is not vacuous
  };
  const timeout = Math.max(30_000, RUNS * 10);

  it('agrees with the library on random YAML', often(mutated, 0.1, RUNS), timeout);

  it('agrees with the library on runbooks with random edits', often(edited, 0.2, Math.ceil(RUNS / 5)), timeout);

  it('locates problems of a fast-read runbook through the library', () => {
    const text = 'version: 1\nid: x\ntitle: t\nvars: { unused: 1 }\nsteps:\n  - { id: a, run: "true", tiemout: 1s }\n';
    const fast = loadRunbookText(text, 'x.yaml');
    expect(validate(fast).map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual(['6:27 unknown key "tiemout" (did you mean "timeout"?)']);
    const valid = loadRunbookText(text.replace(', tiemout: 1s', ''), 'x.yaml');
    expect(validate(valid).map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual(['4:9 variable "unused" is never used']);
  });
});
