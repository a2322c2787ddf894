/**
 * docs/ci.md's examples, run as written: the GitHub Actions workflow's `run:` steps (but the
 * install) and the GitLab job's `script:`, read out of the page so they cannot drift, with the
 * `runbook` built here on PATH, in a copy of this repository's runbooks. They pass on the shipped
 * runbooks and keep the notices; a broken runbook fails validation with an annotation on its
 * line (GitHub) or a Code Quality entry (GitLab); a rehearsal of a step that is not there fails.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, cliEnv, REPO, tempDir } from './helpers/cli.js';
import { describeWith } from './helpers/servers.js';

const PAGE = readFileSync(join(REPO, 'docs', 'ci.md'), 'utf8');
const RUNBOOKS = readdirSync(join(REPO, 'runbooks')).filter((f) => f.endsWith('.yaml'));

/** The fenced YAML blocks of the page, parsed. */
const blocks = [...PAGE.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => parse(m[1]!) as Record<string, unknown>);

interface GitHubStep {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
}
const workflow = blocks.find((b) => 'jobs' in b) as { jobs: Record<string, { steps: GitHubStep[] }> } | undefined;
const gitlab = blocks.find((b) => 'runbooks' in b) as { runbooks: { script: string[]; before_script: string[]; artifacts: { paths: string[]; reports: { codequality: string } } } } | undefined;
const githubSteps = Object.values(workflow?.jobs ?? {}).flatMap((j) => j.steps);

const hasJq = spawnSync('jq', ['--version']).status === 0;

/** A workspace: the runbooks, and a `runbook` on PATH that is this repository's build. */
function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('runbook-ci-');
  cpSync(join(REPO, 'runbooks'), join(dir, 'runbooks'), { recursive: true });
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'runbook'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  chmodSync(join(bin, 'runbook'), 0o755);
  return { dir, env: cliEnv({ PATH: `${bin}:${process.env.PATH}`, TZ: 'UTC' }) };
}

/** `bash -eo pipefail` as GitHub runs `run:` and GitLab its script. */
function bash(script: string, dir: string, env: NodeJS.ProcessEnv) {
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
}

const BROKEN = 'version: 1\nid: broken\ntitle: Broken\nsteps:\n  - id: a\n    run: echo a\n    tiemout: 5s\n';

describeWith(hasJq ? undefined : 'jq is not installed (the examples use it)', 'docs/ci.md', () => {
  beforeAll(() => {
    expect(githubSteps.length, 'a GitHub Actions workflow in docs/ci.md').toBeGreaterThan(0);
    expect(gitlab?.runbooks.script.length, 'a GitLab CI job in docs/ci.md').toBeGreaterThan(0);
  });

  const runs = () => githubSteps.filter((s): s is GitHubStep & { run: string } => s.run !== undefined && !/^Install/.test(s.name ?? ''));

  it('GitHub Actions: every step passes on the shipped runbooks and the notices are kept', () => {
    const { dir, env } = workspace();
    expect(githubSteps.some((s) => s.uses?.startsWith('actions/upload-artifact'))).toBe(true);
    for (const step of runs()) {
      const r = bash(step.run, dir, env);
      expect({
        step: step.name,
        code: r.status,
        stderr: r.stderr
          .split('\n')
          .filter((l) => !l.startsWith('warning:'))
          .join('\n'),
      }).toEqual({ step: step.name, code: 0, stderr: '' });
      expect(r.stdout).not.toContain('::error');
    }
    const kept = readdirSync(join(dir, 'notices'));
    expect(kept.sort()).toEqual(RUNBOOKS.map((f) => f.replace(/\.yaml$/, '.html')).sort());
    for (const f of kept) expect(readFileSync(join(dir, 'notices', f), 'utf8')).toContain('<section id="approval">');
  });

  it('GitHub Actions: a broken runbook fails validation with an annotation on its line', () => {
    const { dir, env } = workspace();
    writeFileSync(join(dir, 'runbooks', 'broken.yaml'), BROKEN);
    const validate = runs().find((s) => s.run.includes('validate'))!;
    const r = bash(validate.run, dir, env);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^::error file=runbooks\/broken\.yaml,line=7,col=5,title=runbook unknown-key::unknown key "tiemout"/m);
  });

  it('GitHub Actions: rehearsing a step that is not there fails the check', () => {
    const { dir, env } = workspace();
    const demo = join(dir, 'runbooks', 'demo.yaml');
    writeFileSync(demo, readFileSync(demo, 'utf8').replace(/\bhealth\b/g, 'healthcheck'));
    const rehearse = runs().find((s) => s.run.includes('--fail'))!;
    const r = bash(rehearse.run, dir, env);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('::error file=runbooks/demo.yaml::a failure of health[web2] does not end in a completed rollback');
  });

  it('GitLab CI: the script passes on the shipped runbooks, with an empty Code Quality report and the notices', () => {
    const { dir, env } = workspace();
    const r = bash(gitlab!.runbooks.script.join('\n'), dir, env);
    expect({
      code: r.status,
      stderr: r.stderr
        .split('\n')
        .filter((l) => !l.startsWith('warning:'))
        .join('\n'),
    }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(readFileSync(join(dir, gitlab!.runbooks.artifacts.reports.codequality), 'utf8'))).toEqual([]);
    expect(readdirSync(join(dir, 'notices')).sort()).toEqual(RUNBOOKS.map((f) => f.replace(/\.yaml$/, '.html')).sort());
  });

  it('GitLab CI: a broken runbook fails the job and is in the Code Quality report at its line', () => {
    const { dir, env } = workspace();
    writeFileSync(join(dir, 'runbooks', 'broken.yaml'), BROKEN);
    const r = bash(gitlab!.runbooks.script.join('\n'), dir, env);
    expect(r.status).toBe(2);
    const report = JSON.parse(readFileSync(join(dir, 'gl-code-quality.json'), 'utf8')) as Array<{ check_name: string; severity: string; location: { path: string; lines: { begin: number } } }>;
    expect(report).toEqual([expect.objectContaining({ check_name: 'unknown-key', severity: 'major', location: { path: 'runbooks/broken.yaml', lines: { begin: 7 } } })]);
  });
});
