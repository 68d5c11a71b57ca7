// The foundation: deterministic seed, migrations, transactional writes, request-rate limit,
// upload bounds, and bodies the APIs do not read.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase, schemaVersion } from '../../db/store.js';
import { migrations } from '../../db/migrations.js';
import { World } from '../../db/world.js';
import { seedWorld, worldSize } from '../../seed/generate.js';
import { openWorld } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { tweetHtml } from '../../routes/shapes.js';
import { build, weiboCreds, signed, parseXml, PNG_1x1, graphCreds, qs } from '../helpers.js';

/** Every table's rows in a stable order, for byte comparison. */
function dump(db: Database.Database): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  return tables
    .map((name) => {
      const rows = db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all();
      return name + ':' + JSON.stringify(rows, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('base64') : v));
    })
    .join('\n');
}

t.test('the same seed number gives byte-identical data; another seed differs', async (t) => {
  const a = new World(openDatabase(':memory:'));
  const b = new World(openDatabase(':memory:'));
  const c = new World(openDatabase(':memory:'));
  seedWorld(a, { seed: 7, size: 'small' });
  seedWorld(b, { seed: 7, size: 'small' });
  seedWorld(c, { seed: 8, size: 'small' });
  const da = dump(a.db);
  t.equal(da, dump(b.db));
  t.not(da, dump(c.db));
  const n = (w: World, sql: string) => (w.db.prepare(sql).get() as { n: number }).n;
  t.equal(n(a, 'SELECT COUNT(*) n FROM users'), 40);
  t.equal(n(a, 'SELECT COUNT(*) n FROM tweets'), 3000);
  t.ok(n(a, 'SELECT COUNT(*) n FROM tweets WHERE type = 2') > 100, 'reposts');
  t.ok(n(a, 'SELECT COUNT(*) n FROM tweets WHERE type IN (4, 7)') > 100, 'replies and comments');
  t.ok(n(a, 'SELECT COUNT(*) n FROM mentions') > 100, 'mentions');
  t.ok(n(a, 'SELECT COUNT(*) n FROM tweet_topics') > 100, 'topics');
  t.ok(n(a, "SELECT COUNT(*) n FROM tweets WHERE image IS NOT NULL") > 10, 'pictures');
  t.ok(n(a, 'SELECT COUNT(*) n FROM (SELECT timestamp FROM tweets GROUP BY timestamp HAVING COUNT(*) > 1)') > 10, 'ties on the same second');
  t.ok(n(a, 'SELECT COUNT(*) n FROM follows WHERE idol_id = 1') > 30, "alice's fans paginate");
  for (const w of [a, b, c]) w.db.close();
});

t.test('world sizes: named and by tweet count', async (t) => {
  t.same(worldSize('small'), { users: 40, tweets: 3000 });
  t.same(worldSize(1000000), { users: 10000, tweets: 1000000 });
  t.throws(() => worldSize('huge'));
  const w = new World(openDatabase(':memory:'));
  seedWorld(w, { seed: 1, size: 20000 });
  t.equal((w.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n, 20000);
  t.equal((w.db.prepare('SELECT COUNT(*) n FROM users').get() as { n: number }).n, 200);
  w.db.close();
});

t.test('migrations: a file store is created at the latest version, in WAL, with foreign keys, seeded once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'world.sqlite');
  const w = openWorld({ db: file, seed: 3, size: 'small' });
  t.equal(schemaVersion(w.db), migrations[migrations.length - 1].version);
  t.equal(w.db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(w.db.pragma('foreign_keys', { simple: true }), 1);
  w.tweets.post({ userId: 1, type: 1, content: 'kept across restarts' });
  w.db.close();
  const again = openWorld({ db: file, seed: 3, size: 'small' });
  t.equal((again.db.prepare("SELECT COUNT(*) n FROM tweets WHERE origtext = 'kept across restarts'").get() as { n: number }).n, 1, 'not re-seeded');
  t.equal(again.users.count(), 40);
  again.db.close();
});

t.test('migration 6: a store of version 5 keeps its nonces, now in time order, and still refuses their replay', async (t) => {
  const db = new Database(':memory:');
  for (const m of migrations.filter((m) => m.version <= 5)) db.exec(m.sql);
  db.pragma('user_version = 5');
  const now = Math.floor(Date.now() / 1000);
  db.prepare('INSERT INTO oauth1_nonces (appid, nonce, timestamp) VALUES (?, ?, ?)').run('801000001', 'seen-before', now);
  migrate(db);
  t.ok(schemaVersion(db) >= 6);
  t.same(db.prepare('SELECT appid, nonce, timestamp FROM oauth1_nonces').all(), [{ appid: '801000001', nonce: 'seen-before', timestamp: now }], 'the nonce came along');
  t.match(String((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'oauth1_nonces'").get() as { sql: string }).sql), /PRIMARY KEY \(timestamp, appid, nonce\)\s*\) WITHOUT ROWID/);
  const w = new World(db);
  t.equal(w.oauth1.useNonce('801000001', 'seen-before', now, 300), false, 'a replay of a nonce from before the upgrade');
  t.equal(w.oauth1.useNonce('801000001', 'new-one', now, 300), true);
  db.close();
});

t.test('a refused write inside a transaction leaves nothing behind', async (t) => {
  const w = new World(openDatabase(':memory:'));
  seedWorld(w, { seed: 1, size: 'small' });
  const before = (w.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n;
  t.throws(() => w.tx(() => {
    w.tweets.post({ userId: 1, type: 1, content: 'first of two' });
    w.tweets.post({ userId: 1, type: 2, content: '', reid: 999 });
  }));
  t.equal((w.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n, before);
  w.db.close();
});

t.test('config: flags win over environment, bad numbers are refused', async (t) => {
  const c = loadConfig(['--port', '9000', '--seed', '4'], { EMU_PORT: '7000', EMU_DB: '/tmp/x.sqlite' });
  t.equal(c.port, 9000);
  t.equal(c.seed, 4);
  t.equal(c.db, '/tmp/x.sqlite');
  t.equal(loadConfig([], {}).db, ':memory:');
  t.throws(() => loadConfig(['--port', 'abc'], {}), /--port/);
  t.throws(() => loadConfig(['--bogus'], {}));
});

t.test('tweet text: links wrapped, everything else escaped', async (t) => {
  t.equal(tweetHtml('a <b> & "c" http://x.cn/a?b=1&c=2中文'), 'a &lt;b&gt; &amp; &quot;c&quot; <a href="http://x.cn/a?b=1&amp;c=2" target="_blank">http://x.cn/a?b=1&amp;c=2</a>中文');
});

t.test('request-rate limit answers ret 2 across APIs, per app and user, and clears with the window', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  app.world.rules.rateLimit = 3;
  app.world.rules.rateWindowSeconds = 60;
  const alice = weiboCreds(app, 'alice');
  const bob = weiboCreds(app, 'bob');
  const call = (c = alice, path = '/api/user/info') => signed(app, c, { method: 'GET', path }).then((r) => r.json());
  t.equal((await call()).ret, 0);
  t.equal((await call(alice, '/api/statuses/home_timeline')).ret, 0);
  t.equal((await call()).ret, 0);
  t.match(await call(), { ret: 2, data: null, msg: /rate/ });
  t.match(await call(alice, '/api/statuses/broadcast_timeline'), { ret: 2 }, 'across APIs');
  t.equal((await call(bob)).ret, 0, 'another user has a budget of their own');
  const creds = graphCreds(app, 'alice');
  const g = await app.inject({ method: 'GET', url: `/user/get_info?${qs(creds)}` });
  t.equal(g.json().ret, 0, "graph.qq.com's wrappers count per app: another app, another budget");
  app.world.clock.advance(61);
  t.equal((await call()).ret, 0, 'the window slides');
});

t.test('an oversized upload names its field and answers in the format of the body', async (t) => {
  const app = await build({ maxUpload: 1024 });
  t.teardown(() => app.close());
  const alice = weiboCreds(app, 'alice');
  const big = Buffer.concat([PNG_1x1, Buffer.alloc(4096)]);
  const files = { pic: { filename: 'big.png', contentType: 'image/png', data: big } };
  const json = await signed(app, alice, { method: 'POST', path: '/api/t/add_pic', params: { content: 'big one' }, files });
  t.match(json.json(), { ret: 1, errcode: 1, data: null, msg: /^error pic param: upload too large/ });
  const xml = await signed(app, alice, { method: 'POST', path: '/api/t/add_pic', params: { content: 'big one', format: 'xml' }, files });
  t.match((parseXml(xml.body) as { root: { msg: string; ret: string } }).root, { ret: '1', msg: /pic/ });
  t.equal((app.world.db.prepare("SELECT COUNT(*) n FROM tweets WHERE origtext = 'big one'").get() as { n: number }).n, 0, 'nothing stored');
});

t.test('JSON bodies are not read (the APIs take forms and multipart only)', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const creds = graphCreds(app, 'alice');
  const res = await app.inject({ method: 'POST', url: `/t/add_t?${qs(creds)}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ content: 'via json' }) });
  t.match(res.json(), { ret: 1, msg: /content/ });
  const broken = await app.inject({ method: 'POST', url: `/t/add_t?${qs(creds)}`, headers: { 'content-type': 'application/json' }, payload: '{not json' });
  t.equal(broken.statusCode, 200);
  t.match(broken.json(), { ret: 1 });
});

t.test('a multipart body that cannot be read is a parameter error, in JSON and in XML, and stores nothing', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const creds = graphCreds(app, 'alice');
  const before = (app.world.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n;
  for (const contentType of ['multipart/form-data', 'multipart/form-data; boundary=xx']) {
    const json = await app.inject({ method: 'POST', url: `/t/add_t?${qs(creds)}`, headers: { 'content-type': contentType }, payload: 'not a multipart body' });
    t.equal(json.statusCode, 200);
    t.match(json.json(), { ret: 1, msg: /^error param: .*multipart/i }, `${contentType}: ret 1 naming the body`);
    const xml = await app.inject({ method: 'POST', url: `/t/add_t?${qs({ ...creds, format: 'xml' })}`, headers: { 'content-type': contentType }, payload: 'not a multipart body' });
    t.match(xml.headers['content-type'], /xml/);
    t.match((parseXml(xml.body) as { root: { data: { ret: string; msg: string } } }).root.data, { ret: '1', msg: /multipart/i });
  }
  const weibo = await signed(app, weiboCreds(app, 'alice'), { method: 'POST', path: '/api/t/add', params: { content: 'x' } });
  t.equal(weibo.json().ret, 0, 'a well-formed body still posts');
  t.equal((app.world.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n, before + 1, 'only the well-formed post stored');
});

t.test('unknown paths answer the platform envelope with 404', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const w = await app.inject({ method: 'GET', url: '/api/nope/nothing?format=xml' });
  t.equal(w.statusCode, 404);
  t.match(w.body, /<root>.*<ret>-9<\/ret>/s);
  const g = await app.inject({ method: 'GET', url: '/user/nothing' });
  t.equal(g.statusCode, 404);
  t.match(g.json(), { ret: -9, msg: /does not exist/ });
});
