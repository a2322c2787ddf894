#!/usr/bin/env node
// Plain JavaScript that old Node versions can run: an older Node than the CLI needs is refused
// in one line before the CLI is loaded (a static import would load it first).
import { nodeTooOld } from '../dist/node-version.js';

const tooOld = nodeTooOld(process.versions.node);
if (tooOld) {
  process.stderr.write(`runbook: ${tooOld}\n`);
  process.exit(2);
}
import('../dist/cli.js');
