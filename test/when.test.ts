/** `when:` through the real CLI: validation of the condition and its references. */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

type Problem = { code: string; line: number; column: number; message: string; severity: string };

async function problems(body: string): Promise<Problem[]> {
  const dir = tempDir();
  const file = writeRunbook(dir, body);
  const r = await runCli(['validate', file, '--format', 'json'], { cwd: dir });
  return (JSON.parse(r.stdout) as { files: Array<{ problems: Problem[] }> }).files[0]!.problems;
}

describe('when: validation', () => {
  it('accepts a condition on step results, vars and the loop variable', async () => {
    const found = await problems(`
vars: { env: prod, servers: [a, b] }
steps:
  - { id: drain, run: 'true' }
  - { id: remove, run: 'true', when: "steps.drain.status != 'succeeded' and vars.env in ['prod', 'stage']" }
  - id: loop
    for_each: \${{ vars.servers }}
    as: server
    steps:
      - { id: one, run: 'true', when: "server != 'b' or steps.drain.exit_code > 0" }
`);
    expect(found.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('names each bad condition and each unknown reference at its place', async () => {
    const found = await problems(`
vars: { env: prod }
secrets: { T: { env: T } }
steps:
  - { id: drain, run: 'true' }
  - { id: b1, run: 'true', when: "steps.drian.status == 'x'" }
  - { id: b2, run: 'true', when: "vars.env = 'prod'" }
  - { id: b3, run: 'true', when: "secrets.T == 'x'" }
  - { id: b4, run: 'true', when: "vars.nope == 1" }
`);
    const errors = found.filter((p) => p.code === 'conditions').map((p) => [p.line, p.column, p.message]);
    expect(errors).toEqual([
      [8, 35, expect.stringMatching(/no step "drian" \(did you mean "drain"\?\)/)],
      [9, 34, expect.stringMatching(/unexpected "="/)],
      [10, 35, expect.stringMatching(/cannot compare a secret/)],
      [11, 35, expect.stringMatching(/no variable "nope"/)],
    ]);
  });
});
