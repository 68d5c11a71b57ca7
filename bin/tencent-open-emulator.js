#!/usr/bin/env node
// Launcher for `tencent-open-emulator` (package.json "bin", and `npm start`): runs the compiled
// server from `npm run build` — the one-file bundle dist/tencent-open-emulator.js (one script,
// compiled through V8's code cache: the fastest start), else dist/server/start.js — or the TypeScript sources through tsx
// when dist is missing or older than a source file (a checkout edited since its last build).
// EMU_FROM_SOURCE=1 forces the sources. Arguments pass through: `--port 8080 --https`, `--help`.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newestSource } from './sources.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'tencent-open-emulator.js');
const tscOutput = join(root, 'dist', 'server', 'start.js');
const compiled = existsSync(bundle) ? bundle : tscOutput;
const source = join(root, 'server', 'start.ts');

const useCompiled =
  process.env.EMU_FROM_SOURCE !== '1' && existsSync(compiled) && (!existsSync(source) || statSync(compiled).mtimeMs >= newestSource(root));

if (useCompiled) {
  await import(pathToFileURL(compiled).href);
} else if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  process.stderr.write(`tencent-open-emulator: neither ${bundle}, ${tscOutput} nor ${source} exists; run \`npm run build\`\n`);
  process.exit(1);
}
