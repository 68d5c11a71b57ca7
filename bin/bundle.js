#!/usr/bin/env node
// `npm run bundle` (the last step of `npm run build`): the server as one file, by esbuild's API.
// `node bin/bundle.js [outfile]` writes it to dist/tencent-open-emulator.js or to `outfile` (the
// Docker tests bundle a stale checkout into a scratch folder, as the image's build does).
// better-sqlite3 is a native addon and pino loads its transports by file name at run time: both
// stay in node_modules. __BUNDLED__ tells seed/cache.ts it is this one file.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'server', 'start.ts')],
  outfile: process.argv[2] ?? join(root, 'dist', 'tencent-open-emulator.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pino', 'pino-pretty'],
  define: { __BUNDLED__: 'true' },
  // CommonJS dependencies inside an ES module bundle call require()
  banner: { js: "import { createRequire as __emuRequire } from 'node:module'; const require = __emuRequire(import.meta.url);" },
  // whitespace and syntax only: names stay, so a stack trace still reads; ~5 % off a start (the
  // parse of a 2.2 MB file is a sixth of a start's CPU profile)
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
