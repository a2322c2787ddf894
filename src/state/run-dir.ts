/**
 * One directory per run: `<root>/runs/<runId>/` holding `runbook.yaml` (the copy the run started
 * with), `journal` and `logs/`. Run ids are `<runbookId>-<yyyyMMdd-HHmmss>-<4 hex>` (UTC), so
 * they sort by time and a prefix picks one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../errors.js';
import { DIR_MODE, fsyncDir, mkdirPrivate, writeNewFile } from './durable.js';
import { runsDir } from './paths.js';

export interface RunDir {
  readonly runId: string;
  readonly dir: string;
  readonly journalPath: string;
  readonly runbookCopyPath: string;
  readonly logsDir: string;
}

const STAMP = /-(\d{8}-\d{6})-[0-9a-f]{4}$/;

/** Where run `runId` lives under `root` (whether or not it exists). */
export function runDirOf(root: string, runId: string): RunDir {
  const dir = join(runsDir(root), runId);
  return { runId, dir, journalPath: join(dir, 'journal'), runbookCopyPath: join(dir, 'runbook.yaml'), logsDir: join(dir, 'logs') };
}

export function newRunId(runbookId: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${runbookId}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** A new run directory with the runbook copy written and everything fsynced (the journal is the caller's). */
export function createRunDir(root: string, runbookId: string, runbookText: string): RunDir {
  mkdirPrivate(root);
  const runs = runsDir(root);
  if (mkdirPrivate(runs)) fsyncDir(root);
  let run: RunDir | undefined;
  for (let tries = 0; !run; tries++) {
    const candidate = runDirOf(root, newRunId(runbookId, new Date()));
    try {
      mkdirSync(candidate.dir, { mode: DIR_MODE });
      run = candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 50) throw err;
    }
  }
  chmodSync(run.dir, DIR_MODE);
  writeNewFile(run.runbookCopyPath, runbookText);
  mkdirSync(run.logsDir, { mode: DIR_MODE });
  chmodSync(run.logsDir, DIR_MODE);
  fsyncDir(run.dir);
  fsyncDir(runs);
  return run;
}

/** Every run directory, newest first (by the time in the id, then by creation). */
export function listRunDirs(root: string): RunDir[] {
  let names: string[];
  try {
    names = readdirSync(runsDir(root), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
  // A run removed since the listing (another exec lost the lock race and removed its own) is gone.
  const keyed = names.flatMap((name) => {
    const born = statSync(join(runsDir(root), name), { throwIfNoEntry: false });
    return born ? [{ name, stamp: STAMP.exec(name)?.[1] ?? '', born: born.birthtimeMs || born.mtimeMs }] : [];
  });
  keyed.sort((a, b) => b.stamp.localeCompare(a.stamp) || b.born - a.born || b.name.localeCompare(a.name));
  return keyed.map((k) => runDirOf(root, k.name));
}

/** A run by its full id or a unique prefix of it; RunbookError (exit 2) naming the candidates otherwise. */
export function openRunDir(root: string, runIdOrPrefix: string): RunDir {
  return pickRun(listRunDirs(root), runIdOrPrefix, root);
}

/** The run `runIdOrPrefix` names among `runs` (newest first), kept in `where`: any store's lookup. */
export function pickRun<T extends { readonly runId: string }>(runs: readonly T[], runIdOrPrefix: string, where: string): T {
  if (runs.length === 0) throw invalid(`no run ${runIdOrPrefix}: no runs in ${where}`);
  const exact = runs.find((r) => r.runId === runIdOrPrefix);
  if (exact) return exact;
  const matches = runIdOrPrefix === '' ? [] : runs.filter((r) => r.runId.startsWith(runIdOrPrefix));
  if (matches.length === 1) return matches[0]!;
  const shown = (list: readonly T[]) =>
    list
      .slice(0, 10)
      .map((r) => r.runId)
      .join(', ') + (list.length > 10 ? `, … (${list.length - 10} more)` : '');
  if (matches.length === 0) throw invalid(`no run ${runIdOrPrefix} in ${where} (newest: ${shown(runs)})`);
  throw invalid(`${runIdOrPrefix} matches ${matches.length} runs: ${shown(matches)}; give more of the id`);
}

/** `<dir>/logs/0007-deploy[web2].log`; characters unsafe in a file name are %-encoded. */
export function stepLogPath(run: RunDir, seq: number, key: string): string {
  // logsDir is already a joined path and the name holds no slash: no join to run at every step.
  return `${run.logsDir}/${String(seq).padStart(4, '0')}-${safeName(key)}.log`;
}

/** The seq and key a step log's file name stands for (undefined for other files). */
export function parseStepLogName(name: string): { seq: number; key: string } | undefined {
  const m = /^(\d{4,})-(.+)\.log$/.exec(name);
  if (!m) return undefined;
  let key = m[2]!;
  try {
    key = decodeURIComponent(key);
  } catch {
    /* a shortened name: keep it as it is */
  }
  return { seq: Number(m[1]), key };
}

const SAFE = /^[A-Za-z0-9._\-[\]:@+=,]*$/;

/** Keeps letters, digits and `._-[]:@+=,`; anything else becomes %XX (UTF-8); long keys are cut and hashed. */
function safeName(key: string): string {
  if (key.length <= 160 && SAFE.test(key)) return key;
  const hex = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  const encoded = key.replace(/[^A-Za-z0-9._\-[\]:@+=,]/gu, (c) => [...Buffer.from(c)].map(hex).join(''));
  if (encoded.length <= 160) return encoded;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${encoded.slice(0, 150).replace(/%[0-9A-F]?$/, '')}~${hash}`;
}
