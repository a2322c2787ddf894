/** The command line's own words: one error prefix, no made-up position, exit codes in --help, shell completion. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

describe('errors', () => {
  it.each([
    [['bogus'], /^runbook: unknown command 'bogus'\n/],
    [['exec'], /^runbook: missing required argument 'file'\n/],
    [['exec', 'x.yaml', '--bogus'], /^runbook: unknown option '--bogus'\n/],
    [['exec', 'x.yaml', '--quiet', '--verbose'], /^runbook: option '-q, --quiet' cannot be used with option '-v, --verbose'\n/],
    [['exec', 'nonexist.yaml'], /^runbook: nonexist\.yaml: no such file\n$/],
    [['completion', 'tcsh'], /^runbook: completion: unknown shell "tcsh": use one of bash, zsh, fish\n$/],
  ])('%j: one line with the runbook: prefix, exit 2', async (args, stderr) => {
    const r = await runCli(args, { cwd: tempDir() });
    expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(2);
  });

  it('validate names a missing file without a line and column', async () => {
    const r = await runCli(['validate', 'nonexist.yaml'], { cwd: tempDir() });
    expect(r.stdout).toBe('nonexist.yaml: error: no such file [read]\nnonexist.yaml: 1 error\n');
  });
});

describe('--help', () => {
  it.each([[[]], [['exec']], [['resume']]])('%j lists the exit codes', async (args) => {
    const r = await runCli([...args, '--help']);
    expect(r.code).toBe(0);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '5 ', '130']) expect(r.stdout).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
  });
});

describe('runbook completion', () => {
  it('bash: completes commands, their options and the choices of an option', async () => {
    const dir = tempDir();
    const script = join(dir, 'c.bash');
    writeFileSync(script, (await runCli(['completion', 'bash'])).stdout);
    const complete = (...words: string[]) =>
      spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _runbook; echo "\${COMPREPLY[*]}"`], {
        encoding: 'utf8',
        cwd: dir,
      }).stdout.trim();
    expect(complete('runbook', 'r')).toBe('resume rollback runs render report');
    expect(complete('runbook', 'resume', '--fail')).toBe('--fail-in-flight');
    expect(complete('runbook', 'exec', '--format', '')).toBe('text json');
    expect(complete('runbook', 'report', 'x', '--format', 'h')).toBe('html');
  });

  it('zsh and fish: scripts that name every command', async () => {
    for (const shell of ['zsh', 'fish']) {
      const r = await runCli(['completion', shell]);
      expect(r.code).toBe(0);
      for (const cmd of ['validate', 'plan', 'exec', 'resume', 'rollback', 'status', 'runs', 'log', 'render', 'report', 'schema', 'init', 'completion']) expect(r.stdout).toContain(cmd);
    }
    expect((await runCli(['completion', 'fish'])).stdout).toContain("complete -c runbook -n '__fish_seen_subcommand_from resume' -l fail-in-flight");
  });
});
