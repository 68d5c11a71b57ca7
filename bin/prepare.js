#!/usr/bin/env node
// npm runs `prepare` after `npm ci` / `npm install` in a checkout: build dist/ (type-check,
// compile, bundle) so `npm start` runs compiled code rather than compiling TypeScript at every
// start. Skipped where there is nothing to build yet (the Dockerfile installs before it copies
// the sources, and builds after) or no compiler (`npm ci --omit=dev`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const missing = ['server/start.ts', 'tsconfig.json', 'node_modules/typescript', 'node_modules/esbuild'].filter((p) => !existsSync(join(root, p)));
if (missing.length) {
  process.stdout.write(`prepare: not building dist/ (missing ${missing.join(', ')})\n`);
  process.exit(0);
}
const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
