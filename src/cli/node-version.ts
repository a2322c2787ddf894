/**
 * The oldest Node.js the CLI runs on: package.json's `engines.node` says the same (a test checks).
 * Vite, under the test suite, needs 20.19; the suite runs on it in CI (.ci/run).
 *
 * bin/runbook.js checks this before it loads the CLI, which on an older Node would fail at some
 * import or call, far from the reason. Built for old Node versions (scripts/build.mjs).
 */
export const OLDEST_NODE = '20.19.0';

/** The refusal, in one line, when `version` (process.versions.node) is older; else undefined. */
export function nodeTooOld(version: string): string | undefined {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = OLDEST_NODE.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] || 0;
    const b = need[i] as number;
    if (a !== b) return a < b ? `needs Node.js >= ${OLDEST_NODE} (this is v${version.replace(/^v/, '')})` : undefined;
  }
  return undefined;
}
