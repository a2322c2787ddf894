/**
 * Runs the real, built CLI as a child process. RUNBOOK_CLI points at another build
 * (e.g. RUNBOOK_OUTDIR=/tmp/x npm run build; RUNBOOK_CLI=/tmp/x/cli.js npx vitest).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const CLI = process.env.RUNBOOK_CLI ? resolve(process.env.RUNBOOK_CLI) : join(REPO, 'bin', 'runbook.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** A fresh temporary directory (real path, so it compares equal to what the CLI prints). */
export function tempDir(prefix = 'runbook-test-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** The environment tests run the CLI with: no colour, no CI spinner surprises. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

export function startCli(args: readonly string[], opts: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    env: cliEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, opts);
  return collect(child, opts);
}

export function collect(child: ChildProcess, opts: Pick<CliOptions, 'input' | 'timeoutMs'> = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out after ${opts.timeoutMs ?? 20_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Waits until `cond` holds, checking every 25 ms; throws after `ms`. */
export async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
