/** The state directory's layout: where it is, run directories, their modes, ids and log names. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, RunbookError } from '../src/errors.js';
import { JournalWriter } from '../src/state/journal.js';
import { stateRoot } from '../src/state/paths.js';
import { createRunDir, listRunDirs, openRunDir, parseStepLogName, type RunDir, stepLogPath } from '../src/state/run-dir.js';
import { tempDir } from './helpers/cli.js';

const mode = (p: string) => statSync(p).mode & 0o777;

function thrown(fn: () => unknown): RunbookError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('stateRoot', () => {
  it('is --state-dir, else $RUNBOOK_STATE_DIR, else ./.runbook, always absolute', () => {
    const saved = process.env.RUNBOOK_STATE_DIR;
    try {
      delete process.env.RUNBOOK_STATE_DIR;
      expect(stateRoot()).toBe(resolve('.runbook'));
      process.env.RUNBOOK_STATE_DIR = 'from-env';
      expect(stateRoot()).toBe(resolve('from-env'));
      expect(stateRoot('/x/y')).toBe('/x/y');
    } finally {
      if (saved === undefined) delete process.env.RUNBOOK_STATE_DIR;
      else process.env.RUNBOOK_STATE_DIR = saved;
    }
  });
});

describe('run directories', () => {
  it('are private (0700 directories, 0600 files) whatever the umask, with the runbook copy', () => {
    // A umask that strips the owner's write bit: modes set only through open/mkdir would come out 0500/0400.
    const root = join(tempDir(), 'deep', 'state');
    const old = process.umask(0o277);
    let run: RunDir;
    try {
      run = createRunDir(root, 'web', 'version: 1\n');
      JournalWriter.create(run.journalPath).close();
    } finally {
      process.umask(old);
    }
    for (const d of [root, join(root, 'runs'), run.dir, run.logsDir]) expect(mode(d), d).toBe(0o700);
    for (const f of [run.runbookCopyPath, run.journalPath]) expect(mode(f), f).toBe(0o600);
    expect(readFileSync(run.runbookCopyPath, 'utf8')).toBe('version: 1\n');
  });

  it('are named <runbook>-<yyyyMMdd-HHmmss>-<4 hex> in UTC and never collide', () => {
    const root = tempDir();
    const before = new Date();
    const runs = Array.from({ length: 30 }, () => createRunDir(root, 'email-patch', 'x'));
    for (const run of runs) {
      expect(run.runId).toMatch(/^email-patch-\d{8}-\d{6}-[0-9a-f]{4}$/);
      expect(run.dir).toBe(join(root, 'runs', run.runId));
      expect(run.journalPath).toBe(join(run.dir, 'journal'));
      expect(run.runbookCopyPath).toBe(join(run.dir, 'runbook.yaml'));
      expect(run.logsDir).toBe(join(run.dir, 'logs'));
    }
    expect(new Set(runs.map((r) => r.runId)).size).toBe(30);
    const stamp = runs[0]!.runId.slice('email-patch-'.length, -5);
    const utc = before.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    expect(Math.abs(Number(stamp.replace('-', '')) - Number(utc.replace('-', '')))).toBeLessThanOrEqual(1);
  });

  it('are listed newest first, across runbooks, and none when the state directory is missing', () => {
    const root = tempDir();
    expect(listRunDirs(join(root, 'nothing-here'))).toEqual([]);
    for (const name of ['a-20240101-000000-aaaa', 'b-20250101-000000-bbbb', 'a-20230101-000000-cccc']) mkdirSync(join(root, 'runs', name), { recursive: true });
    const fresh = createRunDir(root, 'c', 'x');
    expect(listRunDirs(root).map((r) => r.runId)).toEqual([fresh.runId, 'b-20250101-000000-bbbb', 'a-20240101-000000-aaaa', 'a-20230101-000000-cccc']);
  });

  it('orders runs started in the same second by creation', () => {
    const root = tempDir();
    for (const name of ['t-20250101-000000-ffff', 't-20250101-000000-0000']) {
      mkdirSync(join(root, 'runs', name), { recursive: true });
      spawnSync('sleep', ['0.02']);
    }
    utimesSync(join(root, 'runs', 't-20250101-000000-ffff'), new Date(0), new Date(0)); // mtime must not matter where birth time exists
    const order = listRunDirs(root).map((r) => r.runId);
    if (statSync(join(root, 'runs', 't-20250101-000000-0000')).birthtimeMs > 0) expect(order).toEqual(['t-20250101-000000-0000', 't-20250101-000000-ffff']);
  });

  it('open by full id or unique prefix; none or ambiguous is exit 2 with the candidates', () => {
    const root = tempDir();
    expect(thrown(() => openRunDir(root, 'x')).message).toContain(`no runs in ${root}`);
    const names = ['web-20250101-000000-aaaa', 'web-20250101-000000-aabb', 'db-20250101-000000-cccc'];
    for (const n of names) mkdirSync(join(root, 'runs', n), { recursive: true });
    expect(openRunDir(root, 'web-20250101-000000-aaaa').runId).toBe('web-20250101-000000-aaaa');
    expect(openRunDir(root, 'db').runId).toBe('db-20250101-000000-cccc');
    expect(openRunDir(root, 'web-20250101-000000-aab').runId).toBe('web-20250101-000000-aabb');
    const ambiguous = thrown(() => openRunDir(root, 'web-2025'));
    expect(ambiguous.exitCode).toBe(EXIT.invalid);
    expect(ambiguous.message).toMatch(/matches 2 runs: .*web-20250101-000000-aaaa/);
    expect(ambiguous.message).toContain('web-20250101-000000-aabb');
    const none = thrown(() => openRunDir(root, 'mail'));
    expect(none.exitCode).toBe(EXIT.invalid);
    expect(none.message).toContain('no run mail in');
    expect(thrown(() => openRunDir(root, '../runs')).exitCode).toBe(EXIT.invalid);
  });
});

describe('step log paths', () => {
  const run = { runId: 'r', dir: '/s/runs/r', journalPath: '', runbookCopyPath: '', logsDir: '/s/runs/r/logs' };
  it('are <seq>-<key>.log in logs/, keeping loop brackets', () => {
    expect(stepLogPath(run, 7, 'deploy[web2]')).toBe('/s/runs/r/logs/0007-deploy[web2].log');
    expect(stepLogPath(run, 12345, 'a:undo')).toBe('/s/runs/r/logs/12345-a:undo.log');
  });

  it('encode anything unsafe in a file name, reversibly, and cut very long keys', () => {
    for (const key of ['deploy[../../etc/passwd]', 'x[a b]', 'x[$(rm -rf ~)]', 'x[ünï\u0000code\n]', 'x[%41]', '..', '.hidden']) {
      const path = stepLogPath(run, 3, key);
      const name = basename(path);
      expect(path, key).toBe(join(run.logsDir, name));
      expect(name).toMatch(/^0003-[A-Za-z0-9._\-[\]:@+=,%]+\.log$/);
      expect(parseStepLogName(name)).toEqual({ seq: 3, key });
    }
    const long = stepLogPath(run, 1, `deploy[${'é'.repeat(300)}]`);
    expect(basename(long).length).toBeLessThan(200);
    expect(long).not.toBe(stepLogPath(run, 1, `deploy[${'é'.repeat(301)}]`));
  });
});
