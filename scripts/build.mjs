// Builds the CLI into dist/ with esbuild (type checking is `tsc --noEmit`: npm run typecheck):
//
//   dist/cli.js           the CLI's entry, an ES module: the command line and what every command
//                         needs. Each command's modules are in chunks of their own beside it
//                         (dist/<name>-<hash>.js, esbuild's code splitting), loaded by its
//                         `import()` when it runs: a command compiles only the code it can use
//                         (`runbook runs` about half of the CLI, 25 ms less at each start), and
//                         `runbook validate` never loads the executor, spinner or colours.
//   dist/watchdog.js      src/executors/watchdog-main.ts: the run's watchdog, a process of its own.
//   dist/node-version.js  the Node.js version check bin/runbook.js runs before loading the CLI,
//                         built for old Node versions so that it can run on them.
//   dist/THIRD-PARTY-LICENSES.txt  the license of every package bundled into them (their
//                         licenses ask that it travel with their code).
//
// RUNBOOK_OUTDIR builds elsewhere (parallel work). `--release` (npm pack's prepack) writes no
// source maps: the bundle's map is megabytes, and the tarball ships dist/*.js only.
//
// What package.json lists under `dependencies` stays outside the bundle and is loaded from
// node_modules when the CLI runs; everything else the CLI imports is bundled, so it belongs in
// devDependencies (an installed runbook would carry a copy it never loads). test/packaging.test.ts
// checks both.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const outdir = resolve(process.env.RUNBOOK_OUTDIR ?? 'dist');
const release = process.argv.includes('--release');
const { dependencies = {} } = JSON.parse(readFileSync('package.json', 'utf8'));
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const common = { outdir, bundle: true, format: 'esm', platform: 'node', legalComments: 'none', logLevel: 'warning' };

const cli = await build({
  ...common,
  metafile: true,
  splitting: true,
  // Beside the entries, not in a folder: package.json ships dist/*.js.
  chunkNames: '[name]-[hash]',
  entryPoints: { cli: 'src/cli/main.ts', watchdog: 'src/executors/watchdog-main.ts' },
  target: 'node20',
  external: Object.keys(dependencies),
  sourcemap: release ? false : 'linked',
  // The CommonJS packages bundled (commander, yaml) require Node's built-ins.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});

await build({ ...common, entryPoints: { 'node-version': 'src/cli/node-version.ts' }, target: 'node12' });

/** The packages whose files went into the bundle, each with its license text. */
function bundledLicenses(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(input.slice(0, m.index + m[0].length));
  }
  return [...dirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = existsSync(dir) ? readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f)) : undefined;
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${pkg.license ?? 'not stated'} (no license file in the package)`;
    return `${pkg.name}@${pkg.version} (${pkg.license ?? 'license not stated'})\n\n${text}\n`;
  });
}

const licenses = bundledLicenses(cli.metafile);
writeFileSync(
  join(outdir, 'THIRD-PARTY-LICENSES.txt'),
  `The packages bundled into dist/*.js (dist/cli.js, its chunks and dist/watchdog.js), and their licenses.\n\n${licenses.join(`\n${'-'.repeat(72)}\n\n`)}`,
);
