/**
 * `plan --at`: a time without an offset is read in the window's zone, which is the machine's
 * zone when the window has no `timezone:` (and when there is no window); an offset or Z wins.
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

async function startOf(file: string, at: string): Promise<string> {
  const r = await runCli(['plan', file, '--format', 'json', '--at', at], { env: { TZ: 'America/Denver' } });
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { start: string }).start;
}

function runbookWith(dir: string, window: string): string {
  return writeRunbook(dir, `${window}\nsteps:\n  - { id: a, run: 'true', estimate: 1m }\n`);
}

describe('plan --at', () => {
  it("is read in the window's zone, and an explicit offset or Z wins", async () => {
    const file = runbookWith(tempDir(), 'window: { start: "2030-01-01T20:00", duration: 1h, timezone: Asia/Tokyo }');
    expect(await startOf(file, '2030-01-01T20:00')).toBe('2030-01-01T11:00:00.000Z');
    expect(await startOf(file, '2030-01-01 20:00')).toBe('2030-01-01T11:00:00.000Z');
    expect(await startOf(file, '2030-01-01T20:00Z')).toBe('2030-01-01T20:00:00.000Z');
    expect(await startOf(file, '2030-01-01T20:00+01:00')).toBe('2030-01-01T19:00:00.000Z');
    // The text says the start in the window's zone, as given, with UTC beside it.
    const text = await runCli(['plan', file, '--at', '2030-01-01T20:00'], { env: { TZ: 'America/Denver' } });
    expect(text.stdout).toContain('Start: 2030-01-01T20:00:00+09:00 (2030-01-01T11:00:00.000Z)');
  });

  it('without a timezone in the window, is read in the machine zone (TZ), and an explicit offset or Z wins', async () => {
    const file = runbookWith(tempDir(), 'window: { start: "2030-01-01T20:00", duration: 1h }');
    expect(await startOf(file, '2030-01-01T20:00')).toBe('2030-01-02T03:00:00.000Z');
    expect(await startOf(file, '2030-01-01T20:00Z')).toBe('2030-01-01T20:00:00.000Z');
    expect(await startOf(file, '2030-01-01T20:00-05:00')).toBe('2030-01-02T01:00:00.000Z');
  });

  it('without a window, is read in the machine zone (TZ)', async () => {
    const file = runbookWith(tempDir(), '');
    expect(await startOf(file, '2030-01-01T20:00')).toBe('2030-01-02T03:00:00.000Z');
    expect(await startOf(file, '2030-01-01T20:00Z')).toBe('2030-01-01T20:00:00.000Z');
  });
});
