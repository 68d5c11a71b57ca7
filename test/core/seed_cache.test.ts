// The kept seeded images (seed/cache.ts): a start from the image is the world a fresh seed makes,
// each (seed, size, code) has its own image, a damaged image is made again, and a new store file
// starts as the image.
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDatabase } from '../../db/store.js';
import { World } from '../../db/world.js';
import { seedWorld } from '../../seed/generate.js';
import { HASH_FILE, imageName, seededImage, sourcesHash } from '../../seed/cache.js';
import { openWorld } from '../../server/app.js';
import { build } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'emu-seed-cache-'));
const before = process.env.EMU_CACHE_DIR;
process.env.EMU_CACHE_DIR = dir;
t.teardown(() => {
  if (before === undefined) delete process.env.EMU_CACHE_DIR;
  else process.env.EMU_CACHE_DIR = before;
  rmSync(dir, { recursive: true, force: true });
});

const freshSeed = (seed: number) => {
  const w = new World(openDatabase(':memory:'));
  seedWorld(w, { seed, size: 'small' });
  const bytes = w.db.serialize();
  w.db.close();
  return bytes;
};

t.test('the first open keeps an image; the next opens it; both are byte for byte a fresh seed', async (t) => {
  const file = join(dir, imageName({ seed: 5, size: 'small' }));
  t.notOk(existsSync(file));
  const first = openWorld({ db: ':memory:', seed: 5, size: 'small' });
  t.ok(existsSync(file), 'image kept');
  const mtime = statSync(file).mtimeMs;
  const second = openWorld({ db: ':memory:', seed: 5, size: 'small' });
  t.equal(statSync(file).mtimeMs, mtime, 'the second open read the image, did not write it again');
  const fresh = freshSeed(5);
  t.ok(first.db.serialize().equals(fresh), 'first open = a fresh seed');
  t.ok(second.db.serialize().equals(fresh), 'open from the image = a fresh seed');
  t.equal(second.db.pragma('foreign_keys', { simple: true }), 1);
  // a world opened from the image is a writable copy: the image stays as it was
  second.tweets.post({ userId: 1, type: 1, content: 'not in the image' });
  const third = openWorld({ db: ':memory:', seed: 5, size: 'small' });
  t.equal((third.db.prepare("SELECT COUNT(*) n FROM tweets WHERE origtext = 'not in the image'").get() as { n: number }).n, 0);
  for (const w of [first, second, third]) w.db.close();
});

t.test('each seed and size has its own image; a seed number never opens another seed', async (t) => {
  t.not(imageName({ seed: 5, size: 'small' }), imageName({ seed: 6, size: 'small' }));
  t.not(imageName({ seed: 5, size: 'small' }), imageName({ seed: 5, size: 'medium' }));
  t.not(imageName({ seed: 5, size: 'small' }), imageName({ seed: 5, size: '3000' }));
  const six = openWorld({ db: ':memory:', seed: 6, size: 'small' });
  t.ok(six.db.serialize().equals(freshSeed(6)), 'seed 6 is seed 6');
  t.notOk(six.db.serialize().equals(freshSeed(5)));
  six.db.close();
});

t.test('a damaged image is made again', async (t) => {
  const file = join(dir, imageName({ seed: 7, size: 'small' }));
  writeFileSync(file, 'not a database');
  const bytes = seededImage({ seed: 7, size: 'small' }, dir)!;
  t.ok(bytes.equals(freshSeed(7)));
  t.equal(statSync(file).size, bytes.length, 'the damaged file replaced');
});

t.test('worlds too large to keep are seeded without an image', async (t) => {
  t.equal(seededImage({ seed: 1, size: 300000 }, dir), undefined);
  t.notOk(readdirSync(dir).some((n) => n.includes('300000')));
});

t.test('an unwritable cache folder only costs the seeding time', async (t) => {
  const blocked = join(dir, 'a-file');
  writeFileSync(blocked, '');
  const bytes = seededImage({ seed: 8, size: 'small' }, join(blocked, 'cache'));
  t.ok(bytes!.equals(freshSeed(8)));
});

t.test('a new store file starts as the image (WAL, seeded); an existing one is left alone', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'emu-seed-file-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const file = join(work, 'world.sqlite');
  const w = openWorld({ db: file, seed: 5, size: 'small' });
  t.equal(w.db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(w.users.count(), 40);
  t.equal((w.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n, 3000);
  w.tweets.post({ userId: 1, type: 1, content: 'kept in the file' });
  w.db.close();
  t.same(readdirSync(work).filter((n) => n.endsWith('.new')), [], 'no temporary file left');
  const again = openWorld({ db: file, seed: 5, size: 'small' });
  t.equal((again.db.prepare("SELECT COUNT(*) n FROM tweets WHERE origtext = 'kept in the file'").get() as { n: number }).n, 1, 'not replaced by the image');
  again.db.close();
});

t.test('an app built on the default world serves the seed from the image', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/_emulator/info' });
  const info = res.json() as { counts: Record<string, number> };
  t.equal(info.counts.users, 40);
  t.equal(info.counts.tweets, 3000);
});

t.test('the sources, dist/ and the bundle key a world alike (the hash `npm run build` records)', async (t) => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const recorded = join(root, HASH_FILE);
  t.ok(existsSync(recorded), `${HASH_FILE} is written by npm run build (npm ci's prepare step)`);
  const fresh = existsSync(recorded) && readFileSync(recorded, 'utf8').trim() === sourcesHash(root);
  if (!fresh) {
    // sources edited since the last build: dist/ is another generator, and must key otherwise
    t.not(existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : '', sourcesHash(root), 'dist/ was built from other sources: npm run build to compare');
    return;
  }
  const compiled = spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(join(root, 'dist', 'seed', 'cache.js'))}).then((m) => process.stdout.write(m.imageName({ seed: 1, size: 'small' })))`], { encoding: 'utf8' });
  t.equal(compiled.stdout, imageName({ seed: 1, size: 'small' }), 'dist/seed/cache.js names the image as the sources do');
  // the bundle (npm start, and the Docker build's warm start) reads the same record
  t.match(readFileSync(join(root, 'dist', 'tencent-open-emulator.cjs'), 'utf8'), /generator-hash\.txt/, 'the bundle reads the record too');
});
