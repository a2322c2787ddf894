#!/usr/bin/env node
// The property tests with thousands of cases each (npm test tries a few hundred).
//   node bench/property-runs.mjs            node bench/property-runs.mjs --runs 20000
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const FILES = ['test/property-load.test.ts', 'test/journal-frame.test.ts'];
const at = process.argv.indexOf('--runs');
const runs = at > 0 ? Number(process.argv[at + 1]) : 5000;
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a whole number of cases, e.g. --runs 5000');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const vitest = resolve(root, 'node_modules', 'vitest', 'vitest.mjs');
const t0 = Date.now();
const r = spawnSync(process.execPath, [vitest, 'run', ...FILES, '--testTimeout=0'], { cwd: root, stdio: 'inherit', env: { ...process.env, PROPERTY_RUNS: String(runs) } });
console.log(`${runs} cases per property in ${FILES.join(', ')}: ${r.status === 0 ? 'passed' : 'FAILED'}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(r.status ?? 1);
