#!/usr/bin/env node
// Plain JavaScript that old Node versions can run: an older Node than the CLI needs is refused
// in one line before the CLI is loaded (a static import would load it first). A checkout that
// was never built (`npm ci` does not build) says so in one line too.
import { existsSync } from 'fs';

if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  process.stderr.write('runbook: the CLI is not built: run `npm run build` in its checkout\n');
  process.exit(2);
}
import('../dist/node-version.js').then(({ nodeTooOld }) => {
  const tooOld = nodeTooOld(process.versions.node);
  if (tooOld) {
    process.stderr.write(`runbook: ${tooOld}\n`);
    process.exit(2);
  }
  return import('../dist/cli.js');
});
