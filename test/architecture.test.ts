/**
 * The layering stays as documented: no import cycles between files or between folders; the model,
 * template, plan and engine layers know no fs, process or terminal; only src/render/console knows chalk and ora; nothing imports the CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/cli.js';

const SRC = join(REPO, 'src');
const files = readdirSync(SRC, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile() && d.name.endsWith('.ts'))
  .map((d) => join(d.parentPath, d.name));

/** Runtime imports (type-only imports vanish at build time). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^\s*(?:import|export) type\s[^;]*;/gm, '');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => (m[1] ?? m[2])!);
}

const local = (from: string, spec: string) => resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
const rel = (f: string) => relative(SRC, f);

describe('architecture', () => {
  it('has no import cycles (static imports)', () => {
    const graph = new Map(
      files.map((f) => [
        f,
        importsOf(f)
          .filter((s) => s.startsWith('.'))
          .map((s) => local(f, s)),
      ]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') return void cycles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' -> '));
      state.set(f, 'visiting');
      for (const dep of graph.get(f) ?? []) visit(dep, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('has no cycles between folders (src/a/ -> src/b/ -> src/a/)', () => {
    // A root file such as src/errors.ts is a node of its own.
    const node = (f: string) => rel(f).split('/').slice(0, -1)[0] ?? rel(f);
    const edges = new Map<string, Set<string>>();
    for (const f of files) {
      for (const dep of importsOf(f)
        .filter((s) => s.startsWith('.'))
        .map((s) => local(f, s))) {
        const [a, b] = [node(f), node(dep)];
        if (a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
      }
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (n: string, path: string[]) => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') return void cycles.push([...path.slice(path.indexOf(n)), n].join(' -> '));
      state.set(n, 'visiting');
      for (const dep of [...(edges.get(n) ?? [])].sort()) visit(dep, [...path, n]);
      state.set(n, 'done');
    };
    for (const n of [...edges.keys()].sort()) visit(n, []);
    expect(edges.size).toBeGreaterThan(5);
    expect(cycles).toEqual([]);
  });

  it('keeps the pure layers free of fs, process and the terminal', () => {
    const pure = files.filter((f) => /^(model|template|plan|engine)\//.test(rel(f)));
    expect(pure.length).toBeGreaterThan(5);
    for (const f of pure) {
      const bad = importsOf(f).filter((s) => /^(node:)?(fs|child_process|readline|tty)$|^(chalk|ora|execa)$/.test(s));
      expect(bad, rel(f)).toEqual([]);
      expect(readFileSync(f, 'utf8'), rel(f)).not.toMatch(/process\.(stdout|stderr|exit|argv)/);
    }
  });

  it('lets only the console renderers use chalk and ora, and nothing import the CLI', () => {
    for (const f of files) {
      const specs = importsOf(f);
      if (!rel(f).startsWith('render/console/'))
        expect(
          specs.filter((s) => s === 'chalk' || s === 'ora'),
          rel(f),
        ).toEqual([]);
      if (!rel(f).startsWith('cli/'))
        expect(
          specs.filter((s) => s.includes('/cli/')),
          rel(f),
        ).toEqual([]);
    }
  });
});
