#!/usr/bin/env node
// The Docker build's last step: one start of the one-file build (`node bin/warm-cache.js
// [dist/tencent-open-emulator.js] [start options]`), stopped once it listens, so the image holds
// what a first start keeps in the cache folder (server/cache_dir.ts): the default world's seeded
// image and the compiled code cache. The image's runtime user cannot write there, so without
// this every container would seed and compile at every start. Exits 1 with the server's output
// when the start fails.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [file = join(root, 'dist', 'tencent-open-emulator.js'), ...args] = process.argv.slice(2);
const child = spawn(process.execPath, [file, '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
let text = '';
const timer = setTimeout(() => fail('no listening line in 60 s'), 60_000);
const listening = (d) => {
  text += d;
  if (/listening on /.test(text)) child.kill('SIGTERM');
};
child.stdout.on('data', listening);
child.stderr.on('data', (d) => (text += d));
child.on('exit', (code) => {
  clearTimeout(timer);
  if (code !== 0 || !/listening on /.test(text)) fail(`the start exited ${code}`);
  process.stdout.write(`warm-cache: ${file} started and stopped; its cache folder holds the seeded world and the code cache\n`);
});

function fail(why) {
  process.stderr.write(`warm-cache: ${why}\n${text}`);
  child.kill('SIGKILL');
  process.exit(1);
}
