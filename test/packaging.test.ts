/**
 * Packaging as a user installs it: `npm pack`, then `npm install -g` of the tarball into a
 * temporary prefix. The install warns about nothing (no install or `prepare` script for npm 11
 * to ask about), the tarball holds no source map over 100 KB, the installed `runbook` works, and
 * every package in `dependencies` is one the CLI loads at run time (src imports it and the bundle
 * leaves it out; what is bundled belongs in devDependencies).
 *
 * The pack runs in a copy of the checkout (its prepack rebuilds dist/, which the other test
 * files are running).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, REPO, tempDir } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
};

/** The files a checkout needs to build and pack (no tests, no dist/). */
const SOURCES = ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'bin', 'scripts', 'src', 'schemas', 'runbooks'];

function npm(args: string[], cwd: string) {
  // No npm_config_* of the `npm test` that runs us (they would point the install elsewhere).
  const env = cliEnv();
  for (const k of Object.keys(env)) if (k.toLowerCase().startsWith('npm_')) delete env[k];
  return spawnSync('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

/** The packages src/ loads: `from 'x'`, `import('x')`, `requireFrom(import.meta.url)('x')` (src/state/pg-driver.ts), without node: built-ins. */
function importedPackages(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/(?:from|import\(|requireFrom\(import\.meta\.url\)\()\s*'([^'.][^']*)'/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:')) continue;
          out.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  walk(join(REPO, 'src'));
  return out;
}

describe('packaging', () => {
  let work: string;
  let tarball: string;
  let listing: string;
  let install: ReturnType<typeof npm>;
  let runbook: string;

  beforeAll(() => {
    work = tempDir('runbook-pack-');
    const src = join(work, 'src');
    for (const f of SOURCES) if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(src, f), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
    const pack = npm(['pack', '--pack-destination', work], src);
    expect(pack.status, pack.stderr).toBe(0);
    tarball = join(work, `${pkg.name}-${pkg.version}.tgz`);
    listing = execFileSync('tar', ['-tvzf', tarball], { encoding: 'utf8' });
    install = npm(['install', '-g', '--prefer-offline', '--prefix', join(work, 'prefix'), tarball], work);
    runbook = join(work, 'prefix', 'bin', 'runbook');
  }, 180_000);

  it('installs globally from the tarball without a warning', () => {
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/warn|install-scripts|allowScripts/i);
    expect(existsSync(runbook)).toBe(true);
  });

  it('ships no build or install script for npm to ask about', () => {
    const shipped = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { scripts?: Record<string, string> };
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(shipped.scripts?.[s], s).toBeUndefined();
  });

  it('ships no source map over 100 KB, and the CLI it runs', () => {
    const files = listing
      .trim()
      .split('\n')
      .map((line) => {
        const parts = line.trim().split(/\s+/);
        return { size: Number(parts[2]), path: parts[parts.length - 1]! };
      });
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['package/bin/runbook.js', 'package/dist/cli.js', 'package/dist/watchdog.js', 'package/dist/node-version.js']));
    const maps = files.filter((f) => f.path.endsWith('.map'));
    expect(maps.filter((f) => f.size > 100 * 1024)).toEqual([]);
    expect(files.filter((f) => f.path.startsWith('package/src/') || f.path.startsWith('package/test/'))).toEqual([]);
  });

  it('gives a working runbook', () => {
    const env = cliEnv();
    const version = spawnSync(runbook, ['--version'], { env, encoding: 'utf8' });
    expect({ code: version.status, stdout: version.stdout, stderr: version.stderr }).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const shipped = join(work, 'prefix', 'lib', 'node_modules', pkg.name, 'runbooks');
    for (const args of [
      ['validate', join(shipped, 'demo.yaml')],
      ['plan', join(shipped, 'kns-rolling-deploy.yaml')],
      ['render', join(shipped, 'email-patch.yaml'), '--format', 'html'],
    ]) {
      const r = spawnSync(runbook, args, { env, encoding: 'utf8', cwd: work });
      expect({ args, code: r.status, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(r.stdout).not.toBe('');
    }
  });

  it('lists in dependencies only what the CLI loads at run time', () => {
    const imported = importedPackages();
    // The entry and its chunks (scripts/build.mjs splits the bundle by command).
    const dist = join(work, 'prefix', 'lib', 'node_modules', pkg.name, 'dist');
    const bundle = readdirSync(dist)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dist, f), 'utf8'))
      .join('\n');
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      expect(imported.has(dep), `${dep} is in dependencies but src never imports it`).toBe(true);
      // Left outside the bundle (scripts/build.mjs), so the installed copy is the one loaded.
      expect(bundle, `${dep} is bundled: it belongs in devDependencies`).toMatch(
        new RegExp(`(?:from|import\\(|requireFrom\\(import\\.meta\\.url\\)\\()\\s*"${dep.replace(/[/.]/g, '\\$&')}(?:/[^"]*)?"`),
      );
      // Never a static import: in one ES module it is hoisted and loads at every command's start
      // (pg and nodemailer are for a database state and email channels only).
      expect(bundle, `${dep} is imported statically`).not.toMatch(new RegExp(`^import [^\\n]*from\\s*"${dep.replace(/[/.]/g, '\\$&')}(?:/[^"]*)?"`, 'm'));
    }
    // What is bundled travels with its license.
    const licenses = readFileSync(join(work, 'prefix', 'lib', 'node_modules', pkg.name, 'dist', 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    for (const bundled of [...imported].filter((d) => !Object.hasOwn(pkg.dependencies ?? {}, d)))
      expect(licenses, bundled).toMatch(new RegExp(`^${bundled.replace(/[/.]/g, '\\$&')}@\\d+\\.\\d+\\.\\d+ \\(`, 'm'));
    expect(licenses).toContain('Permission is hereby granted, free of charge');
    // And what is bundled is not installed again beside the bundle.
    const installed = join(work, 'prefix', 'lib', 'node_modules', pkg.name, 'node_modules');
    const extra = existsSync(installed) ? readdirSync(installed).filter((d) => !d.startsWith('.') && !Object.hasOwn(pkg.dependencies ?? {}, d)) : [];
    expect(extra.filter((d) => imported.has(d))).toEqual([]);
  });
});
