/**
 * `runbook runs`, `status` and `log` through the real CLI, on state written here with the real
 * state layer: finished, interrupted, running, torn, corrupt and empty runs.
 */

import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JournalWriter } from '../src/state/journal.js';
import { acquireLock } from '../src/state/lock.js';
import type { JournalRecord } from '../src/state/records.js';
import { createRunDir, type RunDir, stepLogPath } from '../src/state/run-dir.js';
import { CLI, cliEnv, runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

const at = (n: number) => new Date(Date.UTC(2025, 0, 1, 20, 0, n)).toISOString();
const begin = (seq: number, key: string): JournalRecord => ({ type: 'step_started', at: at(seq), seq, key, visit: 1, stepId: key.split('[')[0]!, kind: 'run', phase: 'change', attempt: 1 });
const end = (seq: number, key: string, status: 'succeeded' | 'failed' = 'succeeded'): JournalRecord => ({
  type: 'step_finished',
  at: at(seq),
  seq,
  key,
  visit: 1,
  status,
  attempts: 1,
  durationMs: 5,
  exitCode: status === 'succeeded' ? 0 : 1,
});

function writeRun(root: string, runbookId: string, body: JournalRecord[]): RunDir {
  // Runs started in the same second are ordered by creation time, which has a coarse tick.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 15);
  const run = createRunDir(root, runbookId, `version: 1\nid: ${runbookId}\n`);
  const w = JournalWriter.create(run.journalPath);
  w.append({ type: 'run_started', at: at(0), runId: run.runId, runbookId, title: `${runbookId} maintenance`, file: `/rb/${runbookId}.yaml`, hash: 'h', host: 'kns1', user: 'alice', pid: 1, vars: {} });
  for (const r of body) w.append(r);
  w.close();
  return run;
}

const TORN = '120 0badf00d {"type":"step_fin';
const cli = (args: string[]) => runCli(args, { env: { RUNBOOK_STATE_DIR: undefined } });

let root: string;
let db: RunDir;
let web: RunDir;
let mail: RunDir;
beforeAll(() => {
  root = join(tempDir(), 'state');
  db = writeRun(root, 'db', [begin(1, 'dump'), end(1, 'dump'), { type: 'run_finished', at: at(9), outcome: 'succeeded', exitCode: 0, message: 'the change completed' }]);
  web = writeRun(root, 'web', [begin(1, 'backup'), end(1, 'backup'), begin(2, 'deploy'), begin(3, 'deploy[web1]'), end(3, 'deploy[web1]', 'failed'), begin(4, 'deploy[web2]')]);
  writeFileSync(stepLogPath(web, 1, 'backup'), 'backup line 1\nbackup line 2\n');
  writeFileSync(stepLogPath(web, 3, 'deploy[web1]'), 'web1 failed\n');
  writeFileSync(stepLogPath(web, 4, 'deploy[web2]'), 'web2 half way'); // no final newline: cut off
  mail = writeRun(root, 'mail', [begin(1, 'patch')]);
  appendFileSync(mail.journalPath, TORN); // the append the crash cut off
});

describe('runbook runs', () => {
  it('lists every run newest first, one line each', async () => {
    const r = await cli(['runs', '--state-dir', root]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+RUNBOOK\s+STATE\s+STARTED\s+BY\s+STEPS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([mail.runId, web.runId, db.runId]);
    expect(lines[1]).toMatch(/mail\s+interrupted \(torn tail\)\s+2025-01-01T20:00:00Z\s+alice@kns1\s+0 done, 0 failed$/);
    expect(lines[2]).toMatch(/web\s+interrupted\s+.*1 done, 1 failed$/);
    expect(lines[3]).toMatch(/db\s+succeeded\s+.*1 done, 0 failed$/);
  });

  it('as JSON', async () => {
    const r = await cli(['runs', '--state-dir', root, '--format', 'json']);
    const runs = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(runs.map((x) => [x.runId, x.state])).toEqual([
      [mail.runId, 'interrupted'],
      [web.runId, 'interrupted'],
      [db.runId, 'succeeded'],
    ]);
    expect(runs[0]).toMatchObject({ tornTail: TORN.length, dir: mail.dir, inFlight: { key: 'patch', seq: 1 } });
  });

  it('says so when there are no runs, and never fails on a missing state directory', async () => {
    const missing = join(tempDir(), 'nowhere');
    expect(await cli(['runs', '--state-dir', missing])).toMatchObject({ code: 0, stdout: `no runs in ${missing}\n` });
    expect((await cli(['runs', '--state-dir', missing, '--format', 'json'])).stdout).toBe('[]\n');
    expect(await cli(['status', '--state-dir', missing])).toMatchObject({ code: 0, stdout: `no runs in ${missing}\n` });
    const log = await cli(['log', 'web', '--state-dir', missing]);
    expect(log.code).toBe(2);
    expect(log.stderr).toContain(`no runs in ${missing}`);
  });
});

describe('runbook status', () => {
  it('shows the newest run by default: a torn tail is noted, the resume command given', async () => {
    const r = await cli(['status', '--state-dir', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run ${mail.runId} of mail (mail maintenance) was interrupted`);
    expect(r.stdout).toMatch(/note +the journal ends in a torn record/);
    expect(r.stdout).toContain(`(${TORN.length} bytes`);
    expect(r.stdout).toContain(`resume      runbook resume ${mail.runId} --state-dir ${root}\n`);
  });

  it('of an interrupted run (by prefix): counts, the step in flight, the exact resume command', async () => {
    const r = await cli(['status', web.runId.slice(0, -2), '--state-dir', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('steps       1 done, 1 failed');
    expect(r.stdout).toMatch(/in flight +deploy\[web2\] \(step deploy, attempt 1, started 2025-01-01T20:00:04Z\): it may or may not have taken effect/);
    expect(r.stdout).toContain(`resume      runbook resume ${web.runId} --state-dir ${root}`);
    const viaEnv = await runCli(['status', web.runId], { env: { RUNBOOK_STATE_DIR: root } });
    expect(viaEnv.stdout).toContain(`resume      runbook resume ${web.runId}\n`);
  });

  it('of a run whose lock holder lives: running, no resume', async () => {
    const lock = acquireLock(root, 'web', web.runId); // this test process holds it
    try {
      const r = await cli(['status', web.runId, '--state-dir', root]);
      expect(r.stdout).toContain(`is running (pid ${process.pid} on`);
      expect(r.stdout).not.toContain('runbook resume');
      expect(JSON.parse((await cli(['status', web.runId, '--state-dir', root, '--format', 'json'])).stdout)).toMatchObject({ state: 'running', holder: { pid: process.pid } });
    } finally {
      lock.release();
    }
  });

  it('of a finished run: the outcome, no resume', async () => {
    const r = await cli(['status', db.runId, '--state-dir', root]);
    expect(r.stdout).toContain(`Run ${db.runId} of db (db maintenance) succeeded.`);
    expect(r.stdout).toContain('finished    2025-01-01T20:00:09Z, exit 0: the change completed');
    expect(r.stdout).not.toContain('runbook resume');
  });

  it('as JSON', async () => {
    const s = JSON.parse((await cli(['status', web.runId, '--state-dir', root, '--format', 'json'])).stdout);
    expect(s).toMatchObject({
      runId: web.runId,
      runbookId: 'web',
      state: 'interrupted',
      done: 1,
      failed: 1,
      inFlight: { key: 'deploy[web2]' },
      resume: `runbook resume ${web.runId} --state-dir ${root}`,
    });
  });

  it('refuses a corrupt journal (exit 2, the byte named), lists it as corrupt, and explains an empty one', async () => {
    const state = join(tempDir(), 'state');
    const bad = writeRun(state, 'bad', [begin(1, 'a'), end(1, 'a'), begin(2, 'b')]);
    const buf = readFileSync(bad.journalPath);
    const second = buf.indexOf('\n') + 1;
    buf[second + 30]! ^= 0x02;
    writeFileSync(bad.journalPath, buf);
    const r = await cli(['status', bad.runId, '--state-dir', state]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is corrupt at byte ${second} (record 2): refusing to guess`);
    expect((await cli(['runs', '--state-dir', state])).stdout).toMatch(/corrupt journal/);
    const empty = createRunDir(state, 'empty', 'x');
    JournalWriter.create(empty.journalPath).close();
    expect((await cli(['status', empty.runId, '--state-dir', state])).stdout).toMatch(/no journal records.*no step ran/);
  });

  it('names the candidates of an ambiguous or unknown run (exit 2)', async () => {
    expect((await cli(['status', 'w', '--state-dir', root])).code).toBe(0); // one run of web: a unique prefix
    const state = join(tempDir(), 'state');
    const [x1, x2] = [writeRun(state, 'x', []), writeRun(state, 'x', [])];
    const a = await cli(['status', 'x-', '--state-dir', state]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/x- matches 2 runs/);
    for (const x of [x1, x2]) expect(a.stderr).toContain(x.runId);
    const u = await cli(['status', 'nosuch', '--state-dir', root]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain(mail.runId);
  });
});

describe('runbook log', () => {
  it('prints every step log in order, each under a header', async () => {
    const r = await cli(['log', web.runId, '--state-dir', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `==> backup #1 (change, attempt 1, started ${at(1)}, succeeded (exit 0)) <==\nbackup line 1\nbackup line 2\n\n` +
        `==> deploy[web1] #3 (change, attempt 1, started ${at(3)}, failed (exit 1)) <==\nweb1 failed\n\n` +
        `==> deploy[web2] #4 (change, attempt 1, started ${at(4)}, did not finish) <==\nweb2 half way\n`,
    );
  });

  it('with a step key, only its log; with a step id, all its loop items', async () => {
    const one = await cli(['log', web.runId, 'deploy[web2]', '--state-dir', root]);
    expect(one.stdout).toMatch(/^==> deploy\[web2\] #4 .*\nweb2 half way\n$/);
    const loop = await cli(['log', web.runId, 'deploy', '--state-dir', root]);
    expect(loop.stdout.match(/^==> .*$/gm)?.map((h) => h.split(' ')[1])).toEqual(['deploy[web1]', 'deploy[web2]']);
    const none = await cli(['log', web.runId, 'restart', '--state-dir', root]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no logs of step restart');
    expect(none.stderr).toContain('backup, deploy[web1], deploy[web2]');
  });

  it('a step that printed nothing has no log file; asked for by name, it shows as (no output)', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const file = writeRunbook(dir, `steps:\n  - { id: quiet, run: 'true' }\n  - { id: loud, run: 'echo hi' }\n`);
    expect((await cli(['exec', file, '--state-dir', state])).code).toBe(0);
    const run = readdirSync(join(state, 'runs'))[0]!;
    expect(readdirSync(join(state, 'runs', run, 'logs'))).toEqual(['0002-loud.log']);
    const quiet = await cli(['log', run, 'quiet', '--state-dir', state]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^==> quiet #1 \(change, attempt 1, started .*, succeeded \(exit 0\)\) <==\n\(no output\)\n$/);
    expect((await cli(['log', run, '--state-dir', state])).stdout).toMatch(/^==> loud #2 .*\nhi\n$/);
  });

  it('streams a big log whole, and stops quietly when the reader goes away', async () => {
    const state = join(tempDir(), 'state');
    const run = writeRun(state, 'big', [begin(1, 'dump'), end(1, 'dump')]);
    const line = `${'x'.repeat(99)}\n`;
    writeFileSync(stepLogPath(run, 1, 'dump'), line.repeat(80_000)); // 8 MB
    const r = await cli(['log', run.runId, '--state-dir', state]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(line.length * 80_000 + r.stdout.indexOf('\n') + 1);
    const piped = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${CLI}" log ${run.runId} --state-dir "${state}" | head -c 1000 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      env: cliEnv(),
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(piped.stdout.trim()).toMatch(/^(0|141)$/); // done, or SIGPIPE: never a crash (70) or a hang
    expect(piped.stderr).not.toContain('internal error');
  });
});
