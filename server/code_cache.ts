// The start of the one-file build: bin/bundle.js bundles this module into
// dist/tencent-open-emulator.js and the server beside it as dist/tencent-open-emulator.cjs (the
// body). A start's largest single cost after node's own is V8 compiling that 1.5 MB body: this
// loader compiles it with V8's code cache (vm.Script cachedData), kept in the cache folder
// (server/cache_dir.ts) under the body's hash, node's version and arch. The cache is made after
// the first start has listened, so it holds every function a start runs, not only the top level;
// V8 checks it against the source (by length only: the name carries the body's hash, taken when
// bin/bundle.js wrote both files) and refuses a mismatch (then it is made again). Node 22's
// module.enableCompileCache does this for any module; Node 20 has only vm.Script.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { cacheDirFrom, CODE_CACHE_STATE, keepInCache, type CodeCacheState } from './cache_dir.js';

/** bin/bundle.js defines these: the body's file name beside this one, and its sha256 */
declare const __BODY__: string;
declare const __BODY_HASH__: string;

/** Code caches kept, this build's included: a few builds' worth (a checkout switching branches). */
const KEPT = 3;

const here = dirname(fileURLToPath(import.meta.url));
const bodyPath = join(here, __BODY__);
const dir = cacheDirFrom(here);
const name = `code-${__BODY_HASH__.slice(0, 16)}-${process.version}-${process.arch}.v8`;

let cached: Buffer | undefined;
try {
  cached = readFileSync(join(dir, name));
} catch {
  /* the first start of this build */
}
// a CommonJS module's wrapper; the body's first line is esbuild's shebang, a comment here
const source = readFileSync(bodyPath, 'utf8').replace(/^#!/, '//');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bodyPath,
  cachedData: cached,
  // none of the body's own imports is dynamic; this keeps an import() working if one comes
  importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// V8's own word: cachedDataRejected is undefined when no cache was given
const state: CodeCacheState = script.cachedDataRejected === false ? 'used' : script.cachedDataRejected ? 'refused' : 'missing';
(globalThis as Record<symbol, unknown>)[CODE_CACHE_STATE] = state;
const body = { exports: {} as { started?: Promise<unknown> } };
script.runInThisContext()(body.exports, createRequire(bodyPath), body, bodyPath, here);

if (state !== 'used') {
  // once the server listens (the start resolves with the app; `--help` with nothing), or at its
  // exit if a SIGTERM came first: a start stopped at once (bin/warm-cache.js) still leaves it
  void body.exports.started?.then((app) => {
    if (!app) return;
    setImmediate(keep);
    process.once('exit', keep);
  });
}

let kept = false;
function keep(): void {
  if (kept) return;
  kept = true;
  keepInCache(dir, name, () => script.createCachedData(), /^code-.*\.v8$/, KEPT);
}
