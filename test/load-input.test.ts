/**
 * Untrusted input through the real CLI: each bad file gets a one-line reason with its location,
 * exit 2 and never a stack trace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

const dir = tempDir('runbook-load-');
const write = (name: string, content: string | Uint8Array): string => {
  writeFileSync(join(dir, name), content);
  return name;
};

async function validateOne(name: string) {
  const r = await runCli(['validate', name], { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.stdout).not.toMatch(/^\s+at /m);
  expect(r.code).toBe(2);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines.at(-1)).toMatch(new RegExp(`^${name.replace('.', '\\.')}: \\d+ errors?$`));
  return lines.slice(0, -1);
}

describe('runbook validate on bad input', () => {
  it('a missing file', async () => {
    expect(await validateOne('missing.yaml')).toEqual(['missing.yaml: error: no such file [read]']);
  });

  it('a directory', async () => {
    mkdirSync(join(dir, 'adir.yaml'));
    expect(await validateOne('adir.yaml')).toEqual(['adir.yaml: error: is a directory, not a file [read]']);
  });

  it('an empty file', async () => {
    expect(await validateOne(write('empty.yaml', ''))).toEqual(['empty.yaml:1:1: error: the runbook is empty [empty]']);
  });

  it('binary junk: a NUL byte', async () => {
    const name = write('nul.yaml', Buffer.concat([Buffer.from('version: 1\nid: x\n'), Buffer.from([0, 1, 2, 255])]));
    expect(await validateOne(name)).toEqual(['nul.yaml:3:1: error: not a text file: a NUL byte at byte 17 [binary]']);
  });

  it('binary junk: bytes that are not UTF-8', async () => {
    const name = write('latin1.yaml', Buffer.from('version: 1\ntitle: caf\xe9\n', 'latin1'));
    expect(await validateOne(name)).toEqual(['latin1.yaml:2:11: error: not a text file: bytes that are not UTF-8 at byte 21 [binary]']);
  });

  it('random bytes', async () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256);
    const [line] = await validateOne(write('random.yaml', bytes));
    expect(line).toMatch(/^random\.yaml:\d+:\d+: error: not a text file: .* \[binary\]$/);
  });

  it('an oversized file (over 1 MiB)', async () => {
    const name = write('big.yaml', `version: 1\nid: big\ntitle: big\ndescription: "${'x'.repeat(1024 * 1024)}"\nsteps: [{ id: a, run: "true" }]\n`);
    const [line] = await validateOne(name);
    expect(line).toMatch(/^big\.yaml: error: file is too large \(\d+ bytes\): the limit is 1048576 bytes \(1 MiB\) \[too-large\]$/);
  });

  it('an alias', async () => {
    const name = write('alias.yaml', 'version: 1\nid: a\ntitle: &t A\nsteps:\n  - { id: a, run: *t }\n');
    expect(await validateOne(name)).toEqual([
      'alias.yaml:3:8: error: YAML anchors (&t) are not allowed: write the value out where it is used [alias]',
      'alias.yaml:5:19: error: YAML aliases (*t) are not allowed: write the value out in full [alias]',
    ]);
  });

  it('a billion laughs is refused without expanding anything', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const lines = await validateOne(write('laughs.yaml', `${levels.join('\n')}\n`));
    expect(lines.every((l) => l.endsWith('[alias]'))).toBe(true);
  });

  it('a duplicate key, at the second one', async () => {
    const name = write('dup.yaml', 'version: 1\nid: dup\ntitle: one\nsteps: [{ id: a, run: "true" }]\ntitle: two\n');
    expect(await validateOne(name)).toEqual(['dup.yaml:5:1: error: duplicate key "title" (first at line 3) [duplicate-key]']);
  });

  it('an unknown key, with a did-you-mean', async () => {
    const name = write('typo.yaml', 'version: 1\nid: typo\ntitle: t\nsteps:\n  - id: a\n    run: "true"\n    on_sucess: end\n');
    expect(await validateOne(name)).toEqual(['typo.yaml:7:5: error: unknown key "on_sucess" (did you mean "on_success"?) [unknown-key]']);
  });

  it('deep nesting', async () => {
    const name = write('deep.yaml', `version: 1\nid: deep\ntitle: t\nvars: { x: ${'['.repeat(5000)}${']'.repeat(5000)} }\nsteps: [{ id: a, run: "true" }]\n`);
    const [line] = await validateOne(name);
    expect(line).toMatch(/^deep\.yaml:\d+:\d+: error: nested too deeply \(the limit is 64 levels\) \[(too-deep|yaml)\]$/);
  });

  it('every problem in a file at once', async () => {
    const name = write('many.yaml', 'version: 2\nid: Many\ntitle: ""\nsteps:\n  - id: a\n  - id: b\n    run: 5\n');
    const lines = await validateOne(name);
    expect(lines.map((l) => l.split(': error: ')[0])).toEqual(['many.yaml:1:10', 'many.yaml:2:5', 'many.yaml:3:8', 'many.yaml:5:5', 'many.yaml:7:10']);
  });
});
