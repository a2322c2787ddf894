#!/usr/bin/env node
// Plain JavaScript that old Node versions can run: an older Node than the CLI needs is refused
// in one line before the CLI is loaded (a static import would load it first).
//
// A checkout that was never built (`npm ci` has no build step: npm 11 asks about a `prepare`
// script when the packed tarball is installed) builds itself at its first run, so that
// `npm ci && npx runbook ...` works as README.md says. An installed package ships dist/.
import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { fileURLToPath } from 'url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  const script = new URL('../scripts/build.mjs', import.meta.url);
  if (!existsSync(script)) {
    process.stderr.write('runbook: the CLI is not built (dist/cli.js is missing): reinstall the package\n');
    process.exit(2);
  }
  process.stderr.write('runbook: building the CLI in this checkout (its first run; `npm run build` does it again)\n');
  const built = spawnSync(process.execPath, [fileURLToPath(script)], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    process.stderr.write('runbook: the build failed (see above); run `npm ci` in the checkout, then `npm run build`\n');
    process.exit(2);
  }
}
import('../dist/node-version.js').then(({ nodeTooOld }) => {
  const tooOld = nodeTooOld(process.versions.node);
  if (tooOld) {
    process.stderr.write(`runbook: ${tooOld}\n`);
    process.exit(2);
  }
  return import('../dist/cli.js');
});
