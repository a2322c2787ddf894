/**
 * Templates in a step's `env:` values and in its `cwd`, through the real CLI: filled in when the
 * step starts (secrets with their value, masked everywhere they could show), for run, until,
 * monitor, undo and verify alike; a reference that cannot resolve fails the step before it
 * starts; a secret in cwd is refused by validate.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, runCli, startCli, tempDir, waitFor } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

const UNIQUE = `envtok${process.pid}x${Date.now().toString(36)}`;
const SECRET = `${UNIQUE} 'sq' "dq" $(touch pwned) *.ts ünï`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Every file under a directory, with its text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path, 'utf8') });
  }
  return out;
}

/** Each command writes the sha256 of $T and the other values, one per line, to a file of its own. */
const report = (name: string) => `{ printf %s "$T" | sha256sum | cut -c1-64; printf "%s\\n" "$V" "$O" "$R"; } > ${name}; echo "$T"`;

describe('templates in env', () => {
  it('fill in secrets, vars, outputs and run.id for run, until, monitor and undo; the secret shows nowhere', async () => {
    const got: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dir = tempDir();
    const state = join(dir, 's');
    const env = `{ T: "\${{ secrets.TOK }}", V: "\${{ vars.v }}-x", O: "\${{ steps.a.outputs.k }}", R: "\${{ run.id }}" }`;
    const file = writeRunbook(
      dir,
      `
vars: { v: hello }
secrets: { TOK: { env: MY_TOK } }
notify:
  channels:
    hook: { type: webhook, url: "http://127.0.0.1:${port}/hook" }
    log: { type: file, path: notices.jsonl }
  events: { step_started: [hook, log], step_failed: [hook, log], step_succeeded: [hook, log], rollback_started: [hook, log], run_finished: [hook, log] }
steps:
  - { id: a, run: 'echo k=out-a >> "$RUNBOOK_OUTPUT"' }
  - id: b
    env: ${env}
    run: '${report('run.txt')}'
    undo: '${report('undo.txt')}'
  - id: poll
    env: ${env}
    wait: { until: '${report('until.txt')}', every: 1s, timeout: 20s }
  - id: soak
    env: ${env}
    monitor: { run: '${report('monitor.txt')}', every: 1s, for: 1s }
  - { id: fail, run: 'false' }
rollback:
  steps:
    - { id: back, run: 'true' }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { MY_TOK: SECRET }, timeoutMs: 60_000 });
    server.close();
    expect(r.code, r.stdout + r.stderr).toBe(1); // rolled back: the undo ran too
    const runId = journalOf(state).find((rec) => rec.type === 'run_started')?.runId as string;
    for (const name of ['run.txt', 'undo.txt', 'until.txt', 'monitor.txt']) {
      expect(readFileSync(join(dir, name), 'utf8'), name).toBe(`${sha(SECRET)}\nhello-x\nout-a\n${runId}\n`);
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(r.stdout).toContain('│ ***');
    expect(r.stdout + r.stderr).not.toContain(UNIQUE);
    // The journal, the step logs and every other file the run left; the notifications.
    const files = filesUnder(state);
    expect(files.some((f) => f.path.endsWith('journal'))).toBe(true);
    for (const f of files) expect(f.text, f.path).not.toContain(UNIQUE);
    expect(readFileSync(join(dir, 'notices.jsonl'), 'utf8')).not.toContain(UNIQUE);
    expect(got.length).toBeGreaterThan(5);
    for (const body of got) expect(body).not.toContain(UNIQUE);
  }, 90_000);

  it('fill in verify, on resume', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
vars: { v: hello }
secrets: { TOK: { env: MY_TOK } }
steps:
  - id: long
    env: { T: "\${{ secrets.TOK }}", V: "\${{ vars.v }}-x" }
    run: 'touch started; sleep 30'
    verify: '{ printf %s "$T" | sha256sum | cut -c1-64; printf "%s\\n" "$V"; } > verify.txt'
`,
    );
    const env = { MY_TOK: SECRET };
    const child = startCli(['exec', file, '--state-dir', state], { cwd: dir, env });
    const first = collect(child, { timeoutMs: 30_000 });
    await waitFor(() => existsSync(join(dir, 'started')), 20_000);
    child.kill('SIGINT');
    expect((await first).code).toBe(130);
    const r = await runCli(['resume', '--state-dir', state], { cwd: dir, env, timeoutMs: 30_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'verify.txt'), 'utf8')).toBe(`${sha(SECRET)}\nhello-x\n`);
  }, 60_000);

  it('fail the step before it starts when a reference cannot resolve', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: 'true' }
  - { id: b, env: { O: "\${{ steps.a.outputs.nope }}" }, run: 'touch ran' }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toContain('b failed: env.O: ${{ steps.a.outputs.nope }}: step a did not output nope');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

describe('templates in cwd', () => {
  it('resolve as a path (vars, the loop variable), not shell-quoted', async () => {
    const dir = tempDir();
    for (const h of ['web 1', 'web2']) mkdirSync(join(dir, 'hosts', `${h}-d`), { recursive: true });
    const file = writeRunbook(
      dir,
      `
vars: { base: hosts }
steps:
  - id: each
    for_each: ['web 1', web2]
    steps:
      - { id: where, cwd: "\${{ vars.base }}/\${{ item }}-d", run: 'pwd > here' }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of ['web 1', 'web2']) expect(readFileSync(join(dir, 'hosts', `${h}-d`, 'here'), 'utf8')).toBe(`${join(dir, 'hosts', `${h}-d`)}\n`);
  });

  it('may not hold a secret: validate says so at its line and column', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
secrets: { TOK: { env: MY_TOK } }
steps:
  - id: b
    cwd: "/srv/\${{ secrets.TOK }}"
    run: 'true'
`,
    );
    const r = await runCli(['validate', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/runbook\.yaml:7:16: error: cwd uses secrets\.TOK: a working directory shows in logs and in ps/);
  });
});
