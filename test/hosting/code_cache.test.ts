// The one-file build's V8 code cache (server/code_cache.ts): kept after a first start, used by the
// next, refused and made again when it does not fit, never needed to start. Each case has its own
// cache folder (EMU_CACHE_DIR); GET /_emulator/info says what the start found.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleOfCheckout, ROOT } from '../dist.js';

// dist/'s bundle when fresh, else this checkout bundled into a scratch folder that resolves its node_modules
const { bundle, drop } = bundleOfCheckout('emu-code-cache-');
const work = mkdtempSync(join(tmpdir(), 'emu-code-cache-'));
const children: ChildProcess[] = [];
t.teardown(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  drop();
  rmSync(work, { recursive: true, force: true });
});

/** A start of the bundle with `cache` as its cache folder: its port, what info says, and its stop. */
async function start(cache: string): Promise<{ codeCache?: string; tweets: number; stop: () => Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [bundle, '--port', '0'], { cwd: ROOT, env: { ...process.env, EMU_CACHE_DIR: cache }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      text += d;
      const m = /listening on http:\/\/[^\s]*:(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`exited ${c}: ${text}${err}`)));
  });
  const info = (await (await fetch(`http://127.0.0.1:${port}/_emulator/info`)).json()) as { codeCache?: string; counts: { tweets: number } };
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
  return { codeCache: info.codeCache, tweets: info.counts.tweets, stop, stderr: () => err };
}
const codeFiles = (dir: string) => readdirSync(dir).filter((n) => /^code-.*\.v8$/.test(n));
/** The cache is kept right after the start listens: wait for it (a few ms) rather than for the stop. */
async function kept(dir: string): Promise<string[]> {
  for (let i = 0; i < 200 && codeFiles(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return codeFiles(dir);
}

t.test('a first start keeps the cache while serving; the next start uses it and leaves it as it was', async (t) => {
  const cache = join(work, 'first');
  const one = await start(cache);
  t.equal(one.codeCache, 'missing', 'nothing kept yet');
  t.equal(one.tweets, 3000, 'the seeded world is served');
  const files = await kept(cache);
  t.equal(files.length, 1, `one code cache kept while the server runs (${files.join(', ')})`);
  t.match(files[0], new RegExp(`^code-[0-9a-f]{16}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`), "named by the body's hash, node's version and arch");
  t.equal(await one.stop(), 0);
  const bytes = readFileSync(join(cache, files[0]));
  const mtime = statSync(join(cache, files[0])).mtimeMs;
  const two = await start(cache);
  t.equal(two.codeCache, 'used', 'V8 took the kept cache');
  t.equal(two.tweets, 3000);
  t.equal(await two.stop(), 0);
  t.same(readFileSync(join(cache, files[0])), bytes, 'not written again');
  t.equal(statSync(join(cache, files[0])).mtimeMs, mtime);
});

t.test('a cache V8 refuses (damaged, another build) is made again; the start is unaffected', async (t) => {
  const cache = join(work, 'damaged');
  const first = await start(cache);
  const [name] = await kept(cache);
  await first.stop();
  writeFileSync(join(cache, name), Buffer.alloc(4096, 7));
  const s = await start(cache);
  t.equal(s.codeCache, 'refused');
  t.equal(s.tweets, 3000, 'it serves as usual');
  t.equal(s.stderr(), '', 'and says nothing on stderr');
  await s.stop();
  t.notSame(readFileSync(join(cache, name)), Buffer.alloc(4096, 7), 'the refused cache is replaced');
  const again = await start(cache);
  t.equal(again.codeCache, 'used', 'and the replacement is taken');
  await again.stop();
});

t.test('--help keeps no cache (a start that never served would keep a poor one)', async (t) => {
  const cache = join(work, 'help');
  const r = spawnSync(process.execPath, [bundle, '--help'], { cwd: ROOT, env: { ...process.env, EMU_CACHE_DIR: cache }, encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^Usage: tencent-open-emulator/);
  let names: string[] = [];
  try {
    names = readdirSync(cache);
  } catch {
    /* no folder made at all */
  }
  t.same(names, []);
});

t.test('a cache folder that cannot be made costs nothing but the compile', async (t) => {
  // a path under a regular file: mkdir fails even for root
  const file = join(work, 'a-file');
  writeFileSync(file, 'x');
  const s = await start(join(file, 'cache'));
  t.equal(s.codeCache, 'missing');
  t.equal(s.tweets, 3000);
  t.equal(await s.stop(), 0, 'stops cleanly, the failed write included');
  t.equal(s.stderr(), '', 'nothing on stderr');
});

t.test('older builds’ caches are pruned to the newest few', async (t) => {
  const cache = join(work, 'prune');
  mkdirSync(cache, { recursive: true });
  const old = ['code-aaaaaaaaaaaaaaaa-v0-x.v8', 'code-bbbbbbbbbbbbbbbb-v0-x.v8', 'code-cccccccccccccccc-v0-x.v8', 'code-dddddddddddddddd-v0-x.v8'];
  old.forEach((n, i) => {
    writeFileSync(join(cache, n), 'old');
    utimesSync(join(cache, n), 1_000_000 + i, 1_000_000 + i);
  });
  writeFileSync(join(cache, 'world-keep-me.sqlite'), 'not ours to prune');
  const s = await start(cache);
  await kept(cache);
  await s.stop();
  const names = readdirSync(cache).sort();
  t.equal(codeFiles(cache).length, 3, `this build's and the two newest others (${names.join(', ')})`);
  t.ok(names.includes('code-dddddddddddddddd-v0-x.v8') && names.includes('code-cccccccccccccccc-v0-x.v8'), 'the newest kept');
  t.ok(names.includes('world-keep-me.sqlite'), 'world images left to seed/cache.ts');
});
