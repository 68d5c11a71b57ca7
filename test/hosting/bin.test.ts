// The `tencent-open-emulator` command (package.json bin → bin/tencent-open-emulator.js).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { bundleInto } from '../dist.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bin = join(root, pkg.bin['tencent-open-emulator']);
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });

t.test('package.json names the bin and it is an executable node script', async (t) => {
  t.equal(pkg.bin['tencent-open-emulator'], 'bin/tencent-open-emulator.js');
  t.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  t.ok(statSync(bin).mode & 0o100, 'executable bit set');
});

t.test('--help from the TypeScript sources prints the usage and exits 0', async (t) => {
  const r = run(['--help'], { EMU_FROM_SOURCE: '1' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^Usage: tencent-open-emulator \[options\]/);
  for (const flag of ['--port', '--db', '--seed', '--https', '--cert-dir', '--help']) t.match(r.stdout, flag);
});

t.test('--help through the default path (dist when built and fresh, else sources) exits 0', async (t) => {
  const r = run(['--help']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^Usage: tencent-open-emulator \[options\]/);
  t.match(r.stdout, '--https', 'a dist older than the sources is not used');
});

t.test('an unknown flag prints the usage on stderr and exits 2', async (t) => {
  const r = run(['--no-such-flag'], { EMU_FROM_SOURCE: '1' });
  t.equal(r.status, 2);
  t.match(r.stderr, /no-such-flag/);
  t.match(r.stderr, /Usage: tencent-open-emulator/);
  t.equal(r.stdout, '');
});

t.test('the one-file bundle (`npm run bundle`, what `npm start` runs) starts healthy on the seeded world', async (t) => {
  // the package's own bundle command, written beside dist/'s bundle so it finds package.json the same way
  const out = join(root, 'dist', `.bundle-test-${process.pid}.js`);
  t.teardown(() => {
    rmSync(out, { force: true });
    rmSync(out.replace(/\.js$/, '.cjs'), { force: true });
  });
  t.equal(pkg.scripts.bundle, 'node bin/bundle.js', 'npm run bundle is bin/bundle.js');
  const b = bundleInto(out);
  t.equal(b.status, 0, `bundle: ${b.stdout}${b.stderr}`);
  const child = spawn(process.execPath, [out, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill());
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const on = (d: Buffer) => {
      text += d;
      const m = /listening on http:\/\/[^\s]*:(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (c) => reject(new Error(`exited ${c}: ${text}`)));
  });
  const info = (await (await fetch(`http://127.0.0.1:${port}/_emulator/info`)).json()) as { version: string; counts: Record<string, number> };
  t.equal(info.version, pkg.version, 'finds package.json from dist/');
  t.equal(info.counts.users, 40);
  t.equal(info.counts.tweets, 3000);
});
