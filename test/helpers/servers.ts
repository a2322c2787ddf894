/**
 * Tests that need a real server this machine may lack (sshd, PostgreSQL, an SMTP server,
 * Chromium): `describeWith(missing, title, body)` runs them when `missing` is undefined. Else
 * they are reported as skipped with the reason in the title; under CI=true they fail instead,
 * because .ci/run installs every such package.
 */
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

export function describeWith(missing: string | undefined, title: string, body: () => void): void {
  if (missing === undefined) {
    describe(title, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(title, () => {
      it('has what it needs', () => {
        throw new Error(`${title}: ${missing} (CI=true: .ci/run installs it, so it must be here)`);
      });
    });
    return;
  }
  describe.skip(`${title} (skipped: ${missing})`, body);
}

/** The first of `paths` that exists, or undefined. */
export function firstExisting(...paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

/** Whether this process runs as root (sshd and `runuser` need it). */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
