#!/usr/bin/env node
// dist/main.js (src/cli/start.ts) runs the bundled CLI with its V8 code cache. Set no V8 flags
// here: V8 rejects a code cache made with other flags (scripts/build.mjs makes it without any).
import '../dist/main.js';
