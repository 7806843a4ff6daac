/**
 * Node's entry point, exec'd by the launcher inside the user namespace.
 *
 * It runs the bundled CLI (dist/tpod.cjs: one file, so no module resolution
 * at start-up) from the V8 code cache written at build time, which spares
 * compiling it on every call. Measured with bench/startup.mjs: about 74 ms
 * for `version` as separate ES modules, 44 ms bundled, 33 ms bundled and
 * cached, against 22 ms for `node -e 0`. Node 22 has this cache built in
 * (module.enableCompileCache); Node 20 does not.
 *
 * dist/quick.cjs, a small bundle of its own, goes first: it answers `tpod ps`
 * when it can without the main bundle (src/quick.ts), whose reading and
 * setting up would be most of a ps.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

/** Runs the bundle dist/NAME; returns its exports. */
function load(name: string): Record<string, unknown> {
  const file = join(__dirname, name);
  const cacheFile = `${file}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // Built without a cache: compile as usual.
  }
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  // The build runs one command with this set, so the cache holds the functions that command compiled too.
  if (process.env.TPOD_WRITE_CODE_CACHE) process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, require, bundle, file, __dirname);
  return bundle.exports;
}

const { quick } = load('quick.cjs') as { quick: (words: readonly string[]) => number | undefined };
const code = quick(process.argv.slice(2));
if (code === undefined) load('tpod.cjs');
else process.exitCode = code;
