// Builds the CLI into dist/ with esbuild (type checking is `tsc --noEmit`: npm run typecheck):
//
//   dist/main.js       src/cli/start.ts, run by bin/runbook.js: runs dist/cli.js with its cache.
//   dist/cli.js        the whole CLI as one script (a function expression taking CommonJS's
//                      exports, require, module, __filename, __dirname). A command's modules are
//                      still initialised only when it runs (esbuild keeps `import()` lazy), so
//                      `runbook validate` never initialises the executor, spinner or colours.
//   dist/watchdog.js   src/executors/watchdog-main.ts: the run's watchdog, a process of its own.
//   dist/cli.js.cache  V8's code cache for dist/cli.js, made here by running `runbook validate`
//                      once: starting the CLI then skips parsing and compiling it (see bench/).
//
// The cache is only an optimisation: if it cannot be made, the build warns and the CLI compiles
// dist/cli.js from source. Everything is written to dist/ (RUNBOOK_OUTDIR lets parallel work
// build elsewhere).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const outdir = resolve(process.env.RUNBOOK_OUTDIR ?? 'dist');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

// commander loads node:child_process when it is imported, for executable subcommands, which this
// CLI has none of: load it only if commander ever spawns one (it costs every start ~4 ms).
const lazyChildProcessInCommander = {
  name: 'lazy-child-process-in-commander',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, ({ path }) => {
      const eager = "const childProcess = require('node:child_process');";
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      const text = readFileSync(path, 'utf8');
      if (!text.includes(eager)) return { contents: text, loader: 'js', warnings: [{ text: 'commander changed: node:child_process is loaded at every start again' }] };
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};

// The first line starts with /*<sha-256 of the bundle>*/, the id the cache is made for. It is
// written as a placeholder of the same length first, so that the source map stays right.
const PLACEHOLDER = '0'.repeat(64);
const cli = await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  // Not minified: with the code cache it would save ~2 ms a start, and cost readable stack traces.
  logLevel: 'warning',
  write: false,
  // The sources are ES modules: keep them strict, and import.meta.url (src/cli/commands/init.ts) working.
  banner: { js: `/*${PLACEHOLDER}*/(function (exports, require, module, __filename, __dirname) { 'use strict'; const __import_meta_url = require('node:url').pathToFileURL(__filename).href;` },
  footer: { js: '})' },
  define: { 'import.meta.url': '__import_meta_url' },
  plugins: [lazyChildProcessInCommander],
});
for (const out of cli.outputFiles) {
  const text = out.path.endsWith('.js') ? out.text.replace(PLACEHOLDER, createHash('sha256').update(out.text).digest('hex')) : out.text;
  writeFileSync(out.path, text);
}

await build({
  // watchdog.js: the run's watchdog, a process of its own (src/executors/watchdog.ts).
  entryPoints: { main: 'src/cli/start.ts', watchdog: 'src/executors/watchdog-main.ts' },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
});

// The code cache: run the CLI as users do (through dist/main.js, no V8 flags: V8 rejects a cache
// made with other flags) on a runbook shipped with the package, and keep what V8 compiled.
const demo = fileURLToPath(new URL('../runbooks/demo.yaml', import.meta.url));
const cache = join(outdir, 'cli.js.cache');
const tmp = `${cache}.tmp`;
const env = { ...process.env, NO_COLOR: '1' };
delete env.NODE_OPTIONS;
delete env.RUNBOOK_DEBUG_START;
delete env.RUNBOOK_WRITE_CODE_CACHE;
const validate = (extra) => spawnSync(process.execPath, [join(outdir, 'main.js'), 'validate', demo], { env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
const made = validate({ RUNBOOK_WRITE_CODE_CACHE: tmp });
if (existsSync(tmp)) {
  renameSync(tmp, cache);
  const check = validate({ RUNBOOK_DEBUG_START: '1' });
  if (!check.stderr.includes('code cache used')) console.warn(`build: warning: the code cache just made is not used (${check.stderr.trim()}); the CLI will start slower`);
} else {
  console.warn(`build: warning: no code cache (runbook validate exited ${made.status ?? made.signal}: ${made.stderr.trim()}); the CLI will start slower`);
}
