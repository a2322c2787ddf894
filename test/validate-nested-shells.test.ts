/** A template that a nested shell parses again is warned about, at the template; safe forms are not. */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

describe('validate: values parsed twice', () => {
  it('warns at each template inside bash -c, sh -c, su -c, sudo sh -c and eval, and not at safe forms', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
vars: { dir: x, user: bob }
steps:
  - id: a
    run: |
      bash -c "mkdir \${{ vars.dir }}"
      sudo sh -c 'echo \${{ vars.dir }} > /etc/x'
      su -c "id \${{ vars.user }}" root
      eval "ls \${{ vars.dir }}"
      echo \${{ vars.dir }}
      bash -c 'mkdir "$1"' _ \${{ vars.dir }}
      DIR=\${{ vars.dir }} sh -c 'mkdir "$DIR"'
    undo: sh -ec "rm -r \${{ vars.dir }}"
`,
    );
    const r = await runCli(['validate', file, '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const problems = (JSON.parse(r.stdout) as { files: Array<{ problems: Array<{ code: string; line: number; column: number; message: string }> }> }).files[0]!.problems;
    const nested = problems.filter((p) => p.code === 'nested-shells');
    expect(nested.map((p) => [p.line, p.column])).toEqual([
      [8, 22],
      [9, 24],
      [10, 17],
      [11, 16],
      [15, 25],
    ]);
    expect(nested[0]!.message).toMatch(/parses it again.*"\$1".*environment variable/);
    const strict = await runCli(['validate', file, '--strict'], { cwd: dir });
    expect(strict.code).toBe(2);
  });
});
