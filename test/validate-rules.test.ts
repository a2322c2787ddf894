/**
 * Every fixture in test/fixtures/invalid breaks one rule. Its header says what `runbook validate`
 * must report, and nothing else:
 *   # args: --strict
 *   # expect: error 9:5 unknown-key unknown key "tiemout" (did you mean "timeout"?)
 * (severity, line:column, code, then text the message must contain). The real CLI runs each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/cli.js';

const DIR = 'test/fixtures/invalid';

interface Expectation {
  readonly severity: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly text: string;
}

function header(file: string): { args: string[]; expected: Expectation[] } {
  const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
  const args =
    lines
      .find((l) => l.startsWith('# args:'))
      ?.slice('# args:'.length)
      .trim()
      .split(/\s+/) ?? [];
  const expected = lines.flatMap((l) => {
    const m = /^# expect: (error|warning) (\d+):(\d+) (\S+) (.*)$/.exec(l);
    return m ? [{ severity: m[1] as string, line: Number(m[2]), column: Number(m[3]), code: m[4] as string, text: m[5] as string }] : [];
  });
  return { args, expected };
}

const fixtures = readdirSync(join(REPO, DIR))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('runbook validate on invalid fixtures', () => {
  it('has fixtures, each with expectations', () => {
    expect(fixtures.length).toBeGreaterThan(30);
    for (const f of fixtures) expect(header(join(DIR, f)).expected.length, f).toBeGreaterThan(0);
  });

  it.each(fixtures)('%s', async (name) => {
    const file = `${DIR}/${name}`;
    const { args, expected } = header(file);
    const r = await runCli(['validate', ...args, file]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(2);
    const reported = r.stdout.split('\n').filter((l) => /:\d+:\d+: (error|warning): /.test(l));
    for (const e of expected) {
      const prefix = `${file}:${e.line}:${e.column}: ${e.severity}: `;
      const hit = reported.find((l) => l.startsWith(prefix) && l.includes(e.text) && l.endsWith(`[${e.code}]`));
      expect(hit, `expected ${prefix}…${e.text}… [${e.code}]\ngot:\n${r.stdout}`).toBeDefined();
    }
    expect(reported.length, r.stdout).toBe(expected.length);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: \\d+ errors?`));
  });
});
