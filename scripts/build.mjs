// Bundles the CLI into dist/ with esbuild: one file per lazily loaded command, so that
// `runbook validate` starts fast (see bench/). Type checking is `tsc --noEmit` (npm run typecheck).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

// RUNBOOK_OUTDIR lets parallel work build elsewhere; bin/runbook.js runs dist/.
const outdir = process.env.RUNBOOK_OUTDIR ?? 'dist';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (yaml) call require() for node built-ins.
  banner: { js: "import { createRequire as __runbookRequire } from 'node:module'; const require = __runbookRequire(import.meta.url);" },
});
