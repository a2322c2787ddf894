/**
 * `runbook exec` end to end: the real CLI, real bash, real files, in temp directories.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, REPO, runCli, startCli, tempDir } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';

const DEMO = join(REPO, 'runbooks', 'demo.yaml');

describe('exec: the demo', () => {
  it('deploys to every server, runs the checklist and notifies', async () => {
    const dir = tempDir();
    const r = await runCli(['exec', DEMO], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const s of ['web1', 'web2', 'web3']) expect(readFileSync(join(dir, '.runbook/demo-servers', s, 'site/index.html'), 'utf8')).toContain('v2.0');
    expect(r.stdout).toMatch(/✓ all-live succeeded/);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /m);
    const notes = readFileSync(join(dir, '.runbook/demo-notifications.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Events by notify.events; the two notify steps go to every channel.
    expect(notes.map((n) => n.event)).toEqual(['run_started', 'message', 'message', 'run_finished']);
    expect(notes[1].text).toBe('Deployment of v2.0 to web1, web2, web3 commencing');
  });

  it('with fail_on=web2: rolls back web2 then web1, never touches web3, exit 1', async () => {
    const dir = tempDir();
    const r = await runCli(['exec', DEMO, '--var', 'fail_on=web2'], { cwd: dir });
    expect(r.code).toBe(1);
    const undos = [...r.stdout.matchAll(/▶ rollback \[\d+\/\d+\] (\S+:undo)/g)].map((m) => m[1]);
    expect(undos).toEqual(['deploy[web2]:undo', 'drain[web2]:undo', 'deploy[web1]:undo', 'drain[web1]:undo']);
    expect(r.stdout).toContain('health check failed on web2: HTTP 500');
    expect(r.stdout).toMatch(/attempt 2/);
    for (const s of ['web1', 'web2', 'web3']) {
      expect(readFileSync(join(dir, '.runbook/demo-servers', s, 'site/index.html'), 'utf8')).toContain('v1.0');
      expect(existsSync(join(dir, '.runbook/demo-servers', s, 'maintenance'))).toBe(false);
    }
    expect(r.stdout).not.toMatch(/deploy\[web3\]/);
  });
});

describe('exec: branch targets', () => {
  it('follows on_success to a step id and to end', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: echo a >> trace, on_success: c }
  - { id: b, run: echo b >> trace, on_success: end }
  - { id: c, run: echo c >> trace, on_success: end, on_failure: b }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('a\nc\n');
  });

  it('on_failure: continue, a step id, then abort (exit 4, no rollback)', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: "echo a >> trace; false", on_failure: continue }
  - { id: b, run: "echo b >> trace; exit 3", on_failure: fix }
  - { id: skipped, run: echo skipped >> trace }
  - { id: fix, run: "echo fix >> trace; false", on_failure: abort }
  - { id: never, run: echo never >> trace }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(4);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('a\nb\nfix\n');
    expect(r.stdout).toMatch(/b failed: exit code 3/);
  });

  it('bounds a backward jump by max_visits, then rolls back', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: try, run: "echo try >> trace; false", on_failure: try, max_visits: 2 }
rollback:
  steps:
    - { id: rb, run: echo rb >> trace }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('try\ntry\nrb\n');
  });

  it('escalates when a rollback step fails (exit 3) and prints rollback.escalate', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: "false" }
rollback:
  steps:
    - { id: restore, run: "false" }
    - { id: after, run: echo after >> trace }
  escalate: Develop and communicate a recovery plan to interested parties
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Develop and communicate a recovery plan to interested parties');
    expect(existsSync(join(dir, 'trace'))).toBe(false);
  });
});

describe('exec: loops', () => {
  it('tolerates max_failures failed items, and fails past it', async () => {
    const dir = tempDir();
    const body = (max: number) => `
vars: { hosts: [h1, h2, h3, h4] }
steps:
  - id: loop
    for_each: \${{ vars.hosts }}
    max_failures: ${max}
    on_failure: abort
    steps:
      - { id: work, run: 'echo \${{ item }} >> trace; test \${{ item }} != h2' }
`;
    const ok = await runCli(['exec', writeRunbook(dir, body(1), 'one.yaml'), '--state-dir', join(dir, 's1')], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('h1\nh2\nh3\nh4\n');
    const bad = await runCli(['exec', writeRunbook(dir, body(0), 'zero.yaml'), '--state-dir', join(dir, 's2')], { cwd: dir });
    expect(bad.code).toBe(4);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('h1\nh2\nh3\nh4\nh1\nh2\n');
  });

  it('runs a batch of `serial` items at once', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
vars: { hosts: [a, b, c, d] }
steps:
  - id: loop
    for_each: \${{ vars.hosts }}
    serial: 2
    steps:
      - { id: work, run: 'echo start \${{ item }} >> trace; sleep 0.3; echo end \${{ item }} >> trace' }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = readFileSync(join(dir, 'trace'), 'utf8').trim().split('\n');
    expect(lines.slice(0, 2).sort()).toEqual(['start a', 'start b']);
    expect(lines.slice(4, 6).sort()).toEqual(['start c', 'start d']);
  });
});

describe('exec: processes', () => {
  it('a timeout kills the whole process tree, grandchildren included', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - id: hang
    timeout: 1s
    on_failure: abort
    run: |
      bash -c 'sleep 300 & echo $! > grandchild.pid; wait' &
      sleep 300
`,
    );
    const t0 = Date.now();
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { RUNBOOK_KILL_GRACE_MS: '500' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/timed out after 1s/);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(alive(Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8')))).toBe(false);
  });

  it('a timeout longer than Node can set one timer for (30d) does not fire at once', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: long, timeout: 30d, run: "sleep 0.3; echo long-finished" }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ long-finished/);
  });

  it('times out a step that follows steps with longer timeouts', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: first, run: "true" }
  - { id: second, timeout: 1h, run: "true" }
  - { id: quick, timeout: 1s, run: "sleep 3; echo quick-finished" }
`,
    );
    const t0 = Date.now();
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { RUNBOOK_KILL_GRACE_MS: '500' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/quick failed: timed out after 1s/);
    expect(r.stdout).not.toMatch(/│ quick-finished/);
    expect(Date.now() - t0).toBeLessThan(2800); // not the 3 s the command sleeps
  });

  it('retries with a delay until the step succeeds', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - id: flaky
    retries: 3
    retry_delay: 100ms
    run: 'echo $RUNBOOK_ATTEMPT >> attempts; test $(wc -l < attempts) -ge 3'
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'attempts'), 'utf8')).toBe('1\n2\n3\n');
    const finished = journalOf(join(dir, 's')).find((rec) => rec.type === 'step_finished');
    expect(finished).toMatchObject({ key: 'flaky', status: 'succeeded', attempts: 3 });
  });

  it('passes outputs between steps, and checks expect', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: build, run: 'echo "version=4.2.1" >> "$RUNBOOK_OUTPUT"; echo built' }
  - id: use
    run: 'echo "got \${{ steps.build.outputs.version }} after \${{ steps.build.stdout }}" > out'
  - id: checked
    run: 'echo "status: degraded"; exit 3'
    expect: { exit_codes: [0, 3], stdout: 'status: ok' }
    on_failure: abort
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('got 4.2.1 after built\n');
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('output did not match /status: ok/');
  });
});

describe('exec: waits and soaks', () => {
  it('wait until polls a command until it succeeds; a timeout fails the step', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: later, run: '(sleep 0.6; touch ready) > /dev/null 2>&1 &' }
  - { id: ready, wait: { until: 'test -e ready', every: 200ms, timeout: 5s } }
  - { id: never, wait: { until: 'test -e never', every: 200ms, timeout: 1s }, on_failure: abort }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/✓ ready succeeded/);
    expect(r.stdout).toMatch(/never failed: still failing after \d+ checks \(1s\)/);
  });

  it('monitor runs its check every interval for the period and fails on the first failed check', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: soak, monitor: { run: 'echo check >> checks', every: 300ms, for: 1s } }
  - { id: anomaly, monitor: { run: 'echo x >> bad; test $(wc -l < bad) -lt 3', every: 100ms, for: 10s }, on_failure: abort }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(4);
    const checks = readFileSync(join(dir, 'checks'), 'utf8').trim().split('\n').length;
    expect(checks).toBeGreaterThanOrEqual(3);
    expect(checks).toBeLessThanOrEqual(5);
    expect(r.stdout).toMatch(/anomaly failed: check 3 failed \(exit code 1\)/);
  });

  it('a soak interrupted and resumed runs only its remaining time', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: soak, monitor: { run: 'echo check >> checks', every: 250ms, for: 3s } }
`,
    );
    const child = startCli(['exec', file, '--state-dir', state], { cwd: dir });
    const done = collect(child);
    await new Promise((r) => setTimeout(r, 1800));
    child.kill('SIGKILL');
    await done;
    const t0 = Date.now();
    const r = await runCli(['resume', '--state-dir', state], { cwd: dir });
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2800);
    expect(journalOf(state).find((rec) => rec.type === 'decision')).toMatchObject({ key: 'soak', decision: 'rerun' });
  });
});

describe('exec: untrusted values', () => {
  it('a --var can never change a command: $(...), backticks, quotes, newlines', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
vars: { name: x }
steps:
  - id: a
    run: |
      printf "%s" \${{ vars.name }} > unquoted
      printf "%s" "[\${{ vars.name }}]" > dq
      printf "%s" '[\${{ vars.name }}]' > sq
`,
    );
    for (const evil of ['$(touch pwned)', '`touch pwned`', `'; touch pwned; '`, '"; touch pwned; "', 'a\ntouch pwned']) {
      const r = await runCli(['exec', file, '--var', `name=${evil}`, '--state-dir', join(dir, `s${Math.random()}`)], { cwd: dir });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(readFileSync(join(dir, 'unquoted'), 'utf8')).toBe(evil);
      expect(readFileSync(join(dir, 'dq'), 'utf8')).toBe(`[${evil}]`);
      expect(readFileSync(join(dir, 'sq'), 'utf8')).toBe(`[${evil}]`);
    }
  });

  it('masks secrets in the console, logs, journal and notifications, even split across writes', async () => {
    const dir = tempDir();
    const secret = 'hunter2-s3cr3t-value';
    const file = writeRunbook(
      dir,
      `
secrets: { TOKEN: { env: DEMO_TOKEN } }
notify:
  channels: { audit: { type: file, path: audit.jsonl } }
  events: { step_failed: [audit], run_finished: [audit] }
steps:
  - id: show
    run: |
      echo "token=\${{ secrets.TOKEN }}"
      s=\${{ secrets.TOKEN }}
      printf "split %s" "\${s:0:7}"; sleep 0.3; printf "%s end\\n" "\${s:7}"
      echo "t=\${{ secrets.TOKEN }}" >> "$RUNBOOK_OUTPUT"
  - { id: again, run: 'echo "\${{ steps.show.outputs.t }}"' }
  - { id: fail, run: 'echo "\${{ secrets.TOKEN }}" >&2; false', on_failure: abort }
`,
    );
    const state = join(dir, 's');
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { DEMO_TOKEN: secret } });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('token=***');
    expect(r.stdout).toContain('split *** end');
    const everything = [r.stdout, r.stderr, readFileSync(join(dir, 'audit.jsonl'), 'utf8'), ...allFiles(state).map((f) => readFileSync(f, 'utf8'))].join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('hunter2');
  });

  it('refuses a missing secret before any step runs (exit 5)', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
secrets: { TOKEN: { env: NOT_SET_ANYWHERE } }
steps:
  - { id: a, run: touch ran }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/missing secret: TOKEN \(environment variable NOT_SET_ANYWHERE is not set\)/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

describe('exec: refusals', () => {
  it('refuses outside the window (exit 5), runs with --ignore-window', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
window: { start: "2009-12-04T20:00", duration: 1h30m, timezone: America/Denver }
steps:
  - { id: a, run: touch ran }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/outside the maintenance window: it closed 2009-12-04 21:30 MST/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    const forced = await runCli(['exec', file, '--ignore-window', '--state-dir', join(dir, 's')], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(existsSync(join(dir, 'ran'))).toBe(true);
  });

  it('past the point of no return, on_overrun rolls back before the next change step', async () => {
    const dir = tempDir();
    const start = new Date(Date.now() - 1000).toISOString().slice(0, 19);
    const file = writeRunbook(
      dir,
      `
window: { start: "${start}", duration: 1m, timezone: UTC, rollback_reserve: 54s }
steps:
  - { id: slow, run: 'sleep 6; echo slow >> trace' }
  - { id: after, run: 'echo after >> trace' }
rollback:
  steps:
    - { id: back, run: 'echo back >> trace' }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/the point of no return has passed before after/);
    expect(readFileSync(join(dir, 'trace'), 'utf8')).toBe('slow\nback\n');
    expect(journalOf(join(dir, 's')).find((rec) => rec.type === 'decision')).toMatchObject({ key: 'window:after', decision: 'rollback', by: 'window.on_overrun' });
  });

  it('refuses a second run of the same runbook while the first holds the lock (exit 5)', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: hold, run: 'touch holding; sleep 3' }
`,
    );
    const first = startCli(['exec', file, '--state-dir', state], { cwd: dir });
    const firstDone = collect(first);
    while (!existsSync(join(dir, 'holding'))) await new Promise((r) => setTimeout(r, 20));
    const second = await runCli(['exec', file, '--state-dir', state], { cwd: dir });
    expect(second.code).toBe(5);
    expect(second.stderr).toMatch(new RegExp(`pid ${first.pid}`));
    expect((await firstDone).code).toBe(0);
  });

  it('says when a future window opens', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
window: { start: "2099-01-01T02:00", duration: 1h, timezone: UTC }
steps:
  - { id: a, run: touch ran }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/it opens 2099-01-01 02:00/);
  });

  it('refuses a manual step without a terminal and without --yes, before anything runs', async () => {
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
steps:
  - { id: a, run: touch ran }
  - { id: cable, manual: Move the network cable to port 24 }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/manual step cable needs an operator/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(existsSync(join(dir, 's'))).toBe(false);
    const yes = await runCli(['exec', file, '--yes', '--state-dir', join(dir, 's')], { cwd: dir });
    expect(yes.code).toBe(0);
    const decision = journalOf(join(dir, 's')).find((rec) => rec.type === 'decision');
    expect(decision).toMatchObject({ key: 'cable', decision: 'confirmed' });
    expect(String(decision?.by)).toMatch(/\(--yes\)$/);
  });
});

describe('exec: webhooks', () => {
  it('delivers json and slack payloads to a local server; a dead endpoint never fails the change', async () => {
    const { createServer } = await import('node:http');
    const got: Array<{ url: string; body: Record<string, unknown> }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ url: req.url ?? '', body: JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dir = tempDir();
    const file = writeRunbook(
      dir,
      `
notify:
  channels:
    ops: { type: webhook, url: "http://127.0.0.1:${port}/json" }
    chat: { type: webhook, url: "http://127.0.0.1:${port}/slack", format: slack }
    dead: { type: webhook, url: "http://127.0.0.1:9/nothing", timeout: 1s }
  events: { run_started: [ops], run_finished: [ops, chat] }
steps:
  - { id: hello, notify: Deployment commencing, to: [chat, dead] }
`,
    );
    const r = await runCli(['exec', file, '--state-dir', join(dir, 's')], { cwd: dir, env: { RUNBOOK_NOTIFY_RETRY_MS: '50' } });
    server.close();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/notification to dead \(message\) failed/);
    expect(got.find((g) => g.url === '/json')?.body).toMatchObject({ event: 'run_started', runbook: 't' });
    expect(got.filter((g) => g.url === '/slack').map((g) => g.body.text)).toEqual(expect.arrayContaining([expect.stringContaining('Deployment commencing')]));
  });
});

/** A process that exists and is not a zombie (PID 1 in a container may not reap). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}
