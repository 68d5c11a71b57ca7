import t from 'tap';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { counterDrift } from '../../db/counters.js';
import { build, graphGet, signed, parseXml, weiboCreds, FIXTURES } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body?: unknown) =>
  app.inject({ method: 'POST', url, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });

async function tweetCount(creds = weiboCreds(app, 'alice')) {
  const res = await signed(app, creds, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  return res.json().data.tweetnum as number;
}
async function addTweet(text: string) {
  const creds = weiboCreds(app, 'alice');
  const res = await signed(app, creds, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: text, clientip: '127.0.0.1' } });
  if (res.json().ret !== 0) throw new Error(`t/add ${text}: ${res.body}`);
  return res.json().data.id as string;
}

t.test('health answers ok as JSON', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/_emulator/health' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/json/);
  t.same(res.json(), { status: 'ok' });
});

t.test('info: version, config, schema version, counts', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/_emulator/info' });
  t.equal(res.statusCode, 200);
  const b = res.json();
  t.equal(b.version, '0.1.0');
  t.equal(b.name, 'tencent-open-emulator');
  t.type(b.schemaVersion, 'number');
  t.ok(b.schemaVersion >= 1);
  t.match(b.config, { db: ':memory:', seed: 1, size: 'small', adminToken: false });
  t.equal(b.counts.users, 40);
  t.ok(b.counts.tweets > 1000);
  t.equal(b.fixtures.graphApp.appid, FIXTURES.graphApp.appid);
});

t.test('unknown control path is a JSON 404', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/_emulator/nope' });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { error: /no control endpoint/ });
});

t.test('reset goes back to the seeded world; inject sees it', async (t) => {
  const before = await tweetCount();
  await addTweet('before reset 1');
  t.equal(await tweetCount(), before + 1, 'write visible');
  const info1 = (await app.inject({ method: 'GET', url: '/_emulator/info' })).json();
  const res = await post('/_emulator/reset');
  t.equal(res.statusCode, 200);
  t.equal(res.json().status, 'reset');
  t.type(res.json().ms, 'number');
  t.equal(res.json().counts.tweets, info1.counts.tweets - 1, 'one tweet fewer');
  // tokens minted before the reset are gone with the old world: a fresh token sees the seeded count
  t.equal(await tweetCount(), before);
  // graph: a token from before the reset is refused, a new one works
  const g = (await post('/_emulator/tokens/graph', { user: 'alice' })).json();
  const ok = await graphGet(app, '/user/get_user_info', { access_token: g.access_token, oauth_consumer_key: g.oauth_consumer_key, openid: g.openid });
  t.equal(ok.json().ret, 0);
  await post('/_emulator/reset');
  const stale = await graphGet(app, '/user/get_user_info', { access_token: g.access_token, oauth_consumer_key: g.oauth_consumer_key, openid: g.openid });
  t.not(stale.json().ret, 0, 'token of the old world refused after reset');
});

t.test('snapshots: take, list, restore, delete, errors', async (t) => {
  await post('/_emulator/reset');
  const base = await tweetCount();
  const snap = await post('/_emulator/snapshots/one');
  t.equal(snap.statusCode, 200);
  t.equal(snap.json().name, 'one');
  t.ok(snap.json().bytes > 0);
  await addTweet('after snapshot');
  t.equal(await tweetCount(), base + 1);
  await post('/_emulator/snapshots/two');
  const list = (await app.inject({ method: 'GET', url: '/_emulator/snapshots' })).json();
  t.same(list.snapshots.map((s: { name: string }) => s.name), ['one', 'two']);
  const r1 = await post('/_emulator/snapshots/one/restore');
  t.equal(r1.statusCode, 200);
  t.equal(await tweetCount(), base, 'restored to one');
  await post('/_emulator/snapshots/two/restore');
  t.equal(await tweetCount(), base + 1, 'restored to two');
  // restoring twice from the same snapshot gives the same state (snapshot not consumed)
  await addTweet('x');
  await post('/_emulator/snapshots/two/restore');
  t.equal(await tweetCount(), base + 1);
  t.equal((await post('/_emulator/snapshots/missing/restore')).statusCode, 404);
  t.equal((await post('/_emulator/snapshots/bad%20name')).statusCode, 400);
  t.equal((await app.inject({ method: 'DELETE', url: '/_emulator/snapshots/one' })).statusCode, 200);
  t.equal((await post('/_emulator/snapshots/one/restore')).statusCode, 404);
});

t.test('export / import round trip (BLOBs base64)', async (t) => {
  await post('/_emulator/reset');
  const id = await addTweet('exported tweet');
  const exp = await app.inject({ method: 'GET', url: '/_emulator/export' });
  t.equal(exp.statusCode, 200);
  const data = exp.json();
  t.type(data.schemaVersion, 'number');
  t.ok(Array.isArray(data.tables.users) && data.tables.users.length === 40);
  t.ok(data.tables.tweets.some((r: { id: number }) => String(r.id) === id));
  const file = data.tables.files[0];
  t.ok(file, 'files exported');
  t.type(file.bytes.$base64, 'string');
  t.ok(Buffer.from(file.bytes.$base64, 'base64').length > 0);
  await post('/_emulator/reset');
  const creds0 = weiboCreds(app, 'alice');
  const gone = await signed(app, creds0, { method: 'GET', path: '/api/t/show', params: { format: 'json', id } });
  t.not(gone.json().ret, 0, 'tweet gone after reset');
  const imp = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: exp.body });
  t.equal(imp.statusCode, 200, imp.body);
  t.equal(imp.json().counts.users, 40);
  const creds = weiboCreds(app, 'alice');
  const back = await signed(app, creds, { method: 'GET', path: '/api/t/show', params: { format: 'xml', id } });
  const x = parseXml(back.body) as { root: { ret: string; data: { text: string } } };
  t.equal(x.root.ret, '0');
  t.match(x.root.data.text, /exported tweet/);
  // pictures round-trip byte for byte
  const again = (await app.inject({ method: 'GET', url: '/_emulator/export' })).json();
  t.same(again.tables.files[0], file);
  // bad imports leave the world alone
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: '{nope' })).statusCode, 400);
  t.equal((await post('/_emulator/import', { tables: { nosuch: [] } })).statusCode, 400);
  t.equal((await post('/_emulator/import', { tables: { users: [{ bogus: 1 }] } })).statusCode, 400);
  t.equal((await post('/_emulator/import', { schemaVersion: 999, tables: {} })).statusCode, 400);
  t.equal((await post('/_emulator/import', { tables: { follows: [{ fan_id: 999, idol_id: 998, special: 0, created_at: 1, seq: 1 }] } })).statusCode, 400, 'broken foreign keys refused');
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/info' })).json().counts.users, 40, 'world unchanged');
});

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/** An app on a store file of its own in a temporary folder, removed when the test ends. */
async function fileBacked(t: Test, beforeBuild?: () => void) {
  const dir = mkdtempSync(join(tmpdir(), 'emu-test-'));
  const file = join(dir, 'world.sqlite');
  beforeBuild?.();
  const fapp = await build({ db: file });
  t.teardown(async () => {
    await fapp.close();
    fapp.world.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { fapp, file };
}

t.test('a file-backed store is reset and restored in place (the file keeps the state)', async (t) => {
  const { fapp, file } = await fileBacked(t);
  const fileTweets = () => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM tweets').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const seeded = fileTweets();
  const fpost = (url: string, body?: unknown) =>
    fapp.inject({ method: 'POST', url, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });
  const tweet = async (content: string) => {
    const b = (await fpost('/_emulator/tokens/weibo', { user: 'alice' })).json();
    const c = { token: b.oauth_token, secret: b.oauth_token_secret, consumerKey: b.oauth_consumer_key, consumerSecret: b.oauth_consumer_secret };
    const res = await signed(fapp, c, { method: 'POST', path: '/api/t/add', params: { format: 'json', content, clientip: '127.0.0.1' } });
    t.equal(res.json().ret, 0);
  };
  await tweet('file 1');
  t.equal(fileTweets(), seeded + 1);
  t.equal((await fpost('/_emulator/snapshots/s')).statusCode, 200);
  await tweet('file 2');
  t.equal(fileTweets(), seeded + 2);
  t.equal((await fpost('/_emulator/snapshots/s/restore')).statusCode, 200);
  t.equal(fileTweets(), seeded + 1, 'restore rewrote the file');
  t.same(counterDrift(fapp.world.db), [], 'counters recounted after the in-place restore');
  t.equal((await fpost('/_emulator/reset')).statusCode, 200);
  t.equal(fileTweets(), seeded, 'reset rewrote the file');
  t.same(counterDrift(fapp.world.db), [], 'counters recounted after the in-place reset');
  t.equal(fapp.world.db.name, file, 'still the same file');
  await tweet('file 3');
  t.equal(fileTweets(), seeded + 1, 'writes after reset land in the file');
  const exp = (await fapp.inject({ method: 'GET', url: '/_emulator/export' })).body;
  await fpost('/_emulator/reset');
  t.equal(fileTweets(), seeded);
  const imp = await fapp.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: exp });
  t.equal(imp.statusCode, 200);
  t.equal(fileTweets(), seeded + 1, 'import rewrote the file');
  t.same(counterDrift(fapp.world.db), [], 'counters recounted after the in-place import');
});

t.test('a file-backed store saves states as file copies and puts them back with the backup API; requests during a restore wait', async (t) => {
  const { fapp, file } = await fileBacked(t);
  // a second connection to the file, as another emulator process would hold
  const other = new Database(file);
  t.teardown(() => other.close());
  const template = fapp.control.template;
  t.equal(template.kind, 'file', 'the template of a file store is a file copy, not bytes in memory');
  if (template.kind === 'file') t.notOk(existsSync(template.dir), 'its file is unlinked at once (nothing left behind by a killed emulator)');
  const otherTweets = () => (other.prepare('SELECT COUNT(*) AS n FROM tweets').get() as { n: number }).n;
  const seeded = otherTweets();
  const fpost = (url: string) => fapp.inject({ method: 'POST', url });
  const b = (await fapp.inject({ method: 'POST', url: '/_emulator/tokens/weibo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ user: 'alice' }) })).json();
  const c = { token: b.oauth_token, secret: b.oauth_token_secret, consumerKey: b.oauth_consumer_key, consumerSecret: b.oauth_consumer_secret };
  fapp.world.rules.postBurst = 0;
  const tweet = (content: string) => signed(fapp, c, { method: 'POST', path: '/api/t/add', params: { format: 'json', content, clientip: '127.0.0.1' } });

  t.equal((await tweet('before snapshot')).json().ret, 0);
  const snap = (await fpost('/_emulator/snapshots/f')).json();
  t.ok(snap.bytes > 0, `snapshot of ${snap.bytes} bytes`);
  t.equal(fapp.control.main.snapshots.get('f')!.image.kind, 'file');
  t.equal((await tweet('after snapshot')).json().ret, 0);
  t.equal(otherTweets(), seeded + 2);
  t.equal((await fpost('/_emulator/snapshots/f/restore')).statusCode, 200);
  t.equal(otherTweets(), seeded + 1, 'the other connection sees the restored file');

  // writes sent while a restore is putting the file back wait for it, then land in the restored
  // world (the snapshot holds the caller's token; a reset would not)
  const restoring = fpost('/_emulator/snapshots/f/restore');
  for (let i = 0; !fapp.control.restoring; i++) {
    if (i > 100000) throw new Error('the restore never started');
    await new Promise((r) => setImmediate(r));
  }
  const writes = await Promise.all(Array.from({ length: 12 }, (_, i) => tweet(`during restore ${i}`)));
  t.equal((await restoring).statusCode, 200);
  t.same(writes.map((r) => r.json().ret), writes.map(() => 0), 'every write sent during the restore answered ret 0');
  t.equal(otherTweets(), seeded + 1 + 12, 'all of them are in the file, after the restore');
  const ids = writes.map((r) => r.json().data.id as string);
  t.equal(ids.filter((id) => other.prepare('SELECT 1 FROM tweets WHERE id = ?').get(id)).length, 12, 'by id');
  t.equal(fapp.world.db.pragma('journal_mode', { simple: true }), 'wal', 'still in WAL mode');
  t.equal(fapp.world.db.pragma('quick_check', { simple: true }), 'ok');
  t.same(counterDrift(fapp.world.db), [], 'counters equal a recount');

  t.equal((await fpost('/_emulator/reset')).statusCode, 200);
  t.equal(otherTweets(), seeded, 'reset: the other connection sees the seeded file');
  // an isolated world is opened in memory from the file template
  const iso = await fpost('/_emulator/worlds');
  t.equal(iso.statusCode, 200);
  const exported = (await fapp.inject({ method: 'GET', url: `/_emulator/export?world=${iso.json().id}` })).json();
  t.equal(exported.tables.tweets.length, seeded, 'an isolated world from the file template holds the seeded tweets');
  t.equal((await fapp.inject({ method: 'DELETE', url: '/_emulator/snapshots/f' })).statusCode, 200);
  t.notOk(fapp.control.main.snapshots.has('f'));
});

t.test('a file store in a folder where TMPDIR is not writable still saves and restores its states', async (t) => {
  const saved = process.env.TMPDIR;
  t.teardown(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });
  const { fapp, file } = await fileBacked(t, () => (process.env.TMPDIR = '/nonexistent/emu-tmp'));
  t.equal(fapp.control.template.kind, 'file');
  const count = () => (fapp.world.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n;
  const seeded = count();
  fapp.world.db.prepare('DELETE FROM tweets WHERE id = (SELECT MAX(id) FROM tweets)').run();
  t.equal((await fapp.inject({ method: 'POST', url: '/_emulator/reset' })).statusCode, 200);
  t.equal(count(), seeded, 'reset');
  const exp = (await fapp.inject({ method: 'GET', url: '/_emulator/export' })).body;
  const imp = await fapp.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: exp });
  t.equal(imp.statusCode, 200, 'import into the file store');
  t.same(readdirSync(dirname(file)).filter((n) => n.startsWith('.emu-image-')), [], 'no copies left beside the store');
});

t.test('a file store holds its state in the file itself: the WAL is emptied after seeding and after every restore', async (t) => {
  const { fapp, file } = await fileBacked(t);
  const wal = () => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
  t.equal(wal(), 0, 'seeded: nothing left in the WAL');
  const seededSize = statSync(file).size;
  t.ok(seededSize > 100_000, `the store file holds the seed (${seededSize} bytes)`);
  const seededTweets = (fapp.world.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n;
  for (let i = 0; i < 5; i++) t.equal((await fapp.inject({ method: 'POST', url: '/_emulator/reset' })).statusCode, 200);
  t.equal(wal(), 0, 'five resets: nothing left in the WAL (each used to append a whole copy)');
  // the file alone, as a copy taken now would be, holds the seeded world
  const copy = join(dirname(file), 'copy.sqlite');
  copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  const n = (table: string) => (db.prepare(`SELECT COUNT(*) n FROM ${table}`).get() as { n: number }).n;
  t.same([n('users'), n('tweets')], [40, seededTweets]);
  db.close();
});
