#!/usr/bin/env node
// `npm run bundle` (the last step of `npm run build`): the server as one file, by esbuild's API.
// `node bin/bundle.js [outfile]` writes dist/tencent-open-emulator.js (or `outfile`: the Docker
// tests bundle a stale checkout into a scratch folder, as the image's build does) and, beside it,
// the body it starts: tencent-open-emulator.cjs. The .js is server/code_cache.ts, which compiles
// the body with V8's code cache; the body is every module of the server in one CommonJS script
// (a vm.Script takes a script, not an ES module). better-sqlite3's native addon stays in
// node_modules (db/sqlite.ts loads it by its path; its JavaScript is bundled), as does
// pino-pretty (a transport: pino's worker thread loads it by name, as it
// loads its own worker files, which server/logging.ts names in node_modules). __BUNDLED__ tells
// seed/cache.ts it is this one file.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ?? join(root, 'dist', 'tencent-open-emulator.js');
const bodyFile = outfile.replace(/(\.js)?$/, '.cjs');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // whitespace and syntax only: names stay, so a stack trace still reads; ~5 % off a start (the
  // parse of a 1.5 MB file is a sixth of a start's CPU profile without the code cache)
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
const body = await build({
  ...common,
  entryPoints: [join(root, 'server', 'start.ts')],
  outfile: bodyFile,
  write: false,
  format: 'cjs',
  // better-sqlite3's addon is loaded by its path (db/sqlite.ts); `bindings` only where it is not in
  // build/Release, from node_modules (bundled, it would search beside the bundle)
  external: ['bindings', 'pino-pretty'],
  // the sources are ES modules: strict, and import.meta.url is this file's URL
  define: { __BUNDLED__: 'true', 'import.meta.url': '__emuImportMetaUrl' },
  banner: { js: "'use strict';const __emuImportMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
});
const text = body.outputFiles[0].contents;
mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(bodyFile, text);
// the loader last: its mtime is what bin/tencent-open-emulator.js compares with the sources
await build({
  ...common,
  entryPoints: [join(root, 'server', 'code_cache.ts')],
  outfile,
  format: 'esm',
  banner: { js: '#!/usr/bin/env node' },
  define: { __BODY__: JSON.stringify(basename(bodyFile)), __BODY_HASH__: JSON.stringify(createHash('sha256').update(text).digest('hex')) },
});
