/**
 * The CLI's first module (dist/main.js, run by bin/runbook.js). It runs the bundled CLI
 * (dist/cli.js, one script) with the V8 code cache the build made for it (dist/cli.js.cache), so
 * that V8 does not parse and compile the bundle again on every start.
 *
 * The cache is an optimisation only: when it is missing, was made for another build of the
 * bundle, or is rejected by V8 (another Node.js version, other V8 flags), the bundle is compiled
 * from its source as usual. Nothing is written at run time; the build (scripts/build.mjs) makes the
 * cache by running the CLI once with RUNBOOK_WRITE_CODE_CACHE set to the file to write it to.
 *
 * The bundle is a function expression, `(function (exports, require, module, __filename,
 * __dirname) {...})`, whose first line starts with its build id, `/*<64 hex digits>*\/`; the
 * cache file is the same id followed by V8's data.
 */
import { createRequire } from 'node:module';
import { VERSION } from './version.js';

// Node's built-ins through require: importing one into an ES module makes Node build its ES
// module facade, which for node:fs loads its streams too (~3 ms at every start).
const require = createRequire(import.meta.url);
const { readFileSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
const { dirname, join } = require('node:path') as typeof import('node:path');
const { fileURLToPath } = require('node:url') as typeof import('node:url');
const { Script } = require('node:vm') as typeof import('node:vm');

type Main = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

const ID = /^\/\*([0-9a-f]{64})\*\//;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What commander prints for it, without loading the CLI.
  process.stdout.write(`${VERSION}\n`);
} else {
  start();
}

function start(): void {
  const dir = dirname(fileURLToPath(import.meta.url));
  const file = join(dir, 'cli.js');
  const source = readFileSync(file, 'utf8');
  const id = ID.exec(source.slice(0, 68))?.[1];
  const cachedData = id ? readCache(`${file}.cache`, id) : undefined;
  const script = new Script(source, { filename: file, cachedData });

  const writeTo = process.env.RUNBOOK_WRITE_CODE_CACHE;
  if (writeTo && id) {
    // At exit, so that the functions the run compiled are in the cache too.
    process.once('exit', () => writeFileSync(writeTo, Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()])));
  }
  if (process.env.RUNBOOK_DEBUG_START) {
    process.stderr.write(`runbook: code cache ${!cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
  }

  const module = { exports: {} };
  (script.runInThisContext() as Main)(module.exports, createRequire(file), module, file, dir);
}

/** The cache's data, if the file is there and was made for this build of the bundle. */
function readCache(path: string, id: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  if (data.length <= id.length || data.toString('latin1', 0, id.length) !== id) return undefined;
  return data.subarray(id.length);
}
