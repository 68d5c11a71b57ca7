// Reset of a file world returns to the seed the file was made from (kept in world_meta), not to
// whatever the file held at start; the start line says whether it opened an existing world or
// seeded a new one, and warns when --seed/--size differ from the file's.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, signed, weiboCreds } from '../helpers.js';
import { START } from '../dist.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'reset-seed-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'world.sqlite');

const counts = async (app: Awaited<ReturnType<typeof build>>) => (await app.inject({ method: 'GET', url: '/_emulator/info' })).json().counts;
const newest = (app: Awaited<ReturnType<typeof build>>) => (app.world.db.prepare('SELECT origtext FROM tweets ORDER BY id DESC LIMIT 1').get() as { origtext: string }).origtext;

t.test('reset of a reopened file world goes back to its seed, whatever the flags say', async (t) => {
  const seed1 = await build({ seed: 1, size: 'small' });
  const seed1Counts = await counts(seed1);
  const seed1Newest = newest(seed1);
  await seed1.close();

  const first = await build({ db: file, seed: 1, size: 'small' });
  const r = await signed(first, weiboCreds(first, 'alice'), { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'written before the restart', clientip: '127.0.0.1' } });
  t.match(r.json(), { ret: 0 });
  await first.close();

  // restarted with other flags on the same file: it serves the file's world
  const again = await build({ db: file, seed: 2, size: 'small' });
  t.teardown(() => again.close());
  t.equal((await counts(again)).tweets, seed1Counts.tweets + 1, 'the file as left, with the tweet');
  t.equal(newest(again), 'written before the restart');
  const reset = await again.inject({ method: 'POST', url: '/_emulator/reset' });
  t.equal(reset.statusCode, 200);
  t.same(reset.json().counts, seed1Counts, 'reset: seed 1 counts, not the file at start (nor seed 2)');
  t.equal(newest(again), seed1Newest, 'seed 1 rows');
  // the seed went back as a file image (put in place by the backup API), not copied row by row
  const w = await signed(again, weiboCreds(again, 'alice'), { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'after the reset', clientip: '127.0.0.1' } });
  t.match(w.json(), { ret: 0 });
  const twice = await again.inject({ method: 'POST', url: '/_emulator/reset' });
  t.same(twice.json().counts, seed1Counts, 'a second reset too');
  t.same(readdirSync(dir).filter((n) => n.startsWith('.emu-image-')), [], 'no copies left beside the store');
  const other = new Database(file, { readonly: true });
  t.teardown(() => other.close());
  t.equal((other.prepare('SELECT COUNT(*) AS n FROM tweets').get() as { n: number }).n, seed1Counts.tweets, 'another connection reads the seed from the file');
});

t.test('a file world keeps its seed through a reset: the next start resets to the seed again', async (t) => {
  const f = join(dir, 'kept-origin.sqlite');
  const seed1 = await build({ seed: 1, size: 'small' });
  const seed1Counts = await counts(seed1);
  await seed1.close();
  const post = (app: Awaited<ReturnType<typeof build>>, content: string) =>
    signed(app, weiboCreds(app, 'alice'), { method: 'POST', path: '/api/t/add', params: { format: 'json', content, clientip: '127.0.0.1' } });

  const first = await build({ db: f, seed: 1, size: 'small' });
  t.match((await post(first, 'before the first restart')).json(), { ret: 0 });
  await first.close();

  // reopened: the reset goes back to seed 1 (the origin image), then more is written
  const second = await build({ db: f, seed: 1, size: 'small' });
  t.same((await second.inject({ method: 'POST', url: '/_emulator/reset' })).json().counts, seed1Counts, 'the first reset: seed 1');
  const m = new Database(f, { readonly: true });
  t.same(m.prepare("SELECT key, value FROM world_meta WHERE key IN ('seed', 'size') ORDER BY key").all(), [{ key: 'seed', value: '1' }, { key: 'size', value: 'small' }], 'the reset file still records its seed');
  m.close();
  t.match((await post(second, 'after the reset, before the second restart')).json(), { ret: 0 });
  await second.close();

  // reopened again: reset still returns to the seed, not to the file as this start found it
  const third = await build({ db: f, seed: 1, size: 'small' });
  t.teardown(() => third.close());
  t.equal((await counts(third)).tweets, seed1Counts.tweets + 1, 'the file as left');
  t.same((await third.inject({ method: 'POST', url: '/_emulator/reset' })).json().counts, seed1Counts, 'reset after the second restart: seed 1 again');
});

t.test('the start line: a new world seeded, then an existing one opened with a warning', async (t) => {
  const f = join(dir, 'spawned.sqlite');
  const startLine = (extra: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [START, '--port', '0', '--db', f, ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`no start line: ${out}`))), 30000);
      child.stdout.on('data', (d) => {
        out += d;
        if (/console /.test(out)) {
          clearTimeout(timer);
          child.once('exit', () => resolve(out));
          child.kill('SIGTERM');
        }
      });
    });
  const fresh = await startLine(['--seed', '1', '--size', 'small']);
  t.match(fresh, /\(db \S+spawned\.sqlite, seeded a new world, seed 1, size small\)/);
  t.notMatch(fresh, /warning/);
  const reopened = await startLine(['--seed', '2', '--size', 'medium']);
  t.match(reopened, /opened an existing world of 40 users, 3000 tweets, seed 1, size small\)/);
  t.match(reopened, /warning: --seed 2 --size medium differ from \S+'s seed 1, size small/);
});
