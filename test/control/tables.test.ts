// Paged control reads: GET /_emulator/users, /tweets, /relations, /tokens (offset, limit, user,
// world): pages are disjoint, totals count the rows, newest first, one world at a time.
import t from 'tap';
import { build, signed, weiboCreds, FIXTURES } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() };
};
const post = (url: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const n = (sql: string, ...a: unknown[]) => (app.world.db.prepare(sql).get(...a) as { n: number }).n;

t.test('users: pages of limit rows from offset, total = users, openid in the graph app', async (t) => {
  const p1 = await get('/_emulator/users?limit=15');
  const p2 = await get('/_emulator/users?limit=15&offset=15');
  t.equal(p1.status, 200);
  t.equal(p1.body.total, n('SELECT COUNT(*) n FROM users'));
  t.equal(p1.body.rows.length, 15);
  t.same([p1.body.offset, p1.body.limit, p2.body.offset], [0, 15, 15]);
  const ids = [...p1.body.rows, ...p2.body.rows].map((u: { id: number }) => u.id);
  t.equal(new Set(ids).size, 30, 'pages do not overlap');
  t.same(ids, [...ids].sort((a, b) => a - b), 'by id');
  t.match(p1.body.rows[0], { id: 1, name: 'alice', openid: '54C1E9379DCED958BE5DB9487D077538' });
  const plain = await get(`/_emulator/users?limit=1&appid=${FIXTURES.graphAppPlain.appid}`);
  t.equal(plain.body.rows[0].openid, '1118ABC0EB7D2ABAF6AA0C84F26F11FA', 'openid per app');
  const last = await get('/_emulator/users?limit=500&offset=39');
  t.equal(last.body.rows.length, last.body.total - 39, 'the last page is short');
});

t.test('tweets: newest first, user filter, a new tweet on top', async (t) => {
  app.world.rules.postBurst = 0;
  const text = `paged ${Date.now()}`;
  const add = await signed(app, weiboCreds(app, 'bob'), { method: 'POST', path: '/api/t/add', params: { format: 'json', content: text, clientip: '127.0.0.1' } });
  t.equal(add.json().ret, 0);
  const all = await get('/_emulator/tweets?limit=50');
  t.equal(all.body.total, n('SELECT COUNT(*) n FROM tweets'));
  t.match(all.body.rows[0], { id: Number(add.json().data.id), user: 'bob', origtext: text });
  const ids = all.body.rows.map((w: { id: number }) => w.id);
  t.same(ids, [...ids].sort((a: number, b: number) => b - a), 'newest inserted first (id descending)');
  const next = await get('/_emulator/tweets?limit=50&offset=50');
  t.notOk(next.body.rows.some((w: { id: number }) => all.body.rows.some((x: { id: number }) => x.id === w.id)), 'the next page is disjoint');
  // one of carol's tweets deleted through the API: still listed, with its status
  const victim = (await get('/_emulator/tweets?limit=1&user=carol')).body.rows[0].id;
  const del = await signed(app, weiboCreds(app, 'carol'), { method: 'POST', path: '/api/t/del', params: { format: 'json', id: String(victim) } });
  t.equal(del.json().ret, 0, 'deleted');
  const carol = await get('/_emulator/tweets?limit=500&user=carol');
  t.equal(carol.body.total, n("SELECT COUNT(*) n FROM tweets WHERE user_id = (SELECT id FROM users WHERE name = 'carol')"));
  t.ok(carol.body.rows.length > 0 && carol.body.rows.every((w: { user: string }) => w.user === 'carol'), 'only carol');
  t.equal(carol.body.rows.length, Math.min(500, carol.body.total), 'every status of hers is listed (deleted and under review too)');
  t.not(carol.body.rows.find((w: { id: number }) => w.id === victim)?.status, 0, 'the deleted tweet is listed with its status');
  const keys = carol.body.rows.map((w: { timestamp: number; id: number }) => [w.timestamp, w.id]);
  t.ok(keys.every((k: number[], i: number) => i === 0 || k[0] < keys[i - 1][0] || (k[0] === keys[i - 1][0] && k[1] < keys[i - 1][1])), "a user's tweets by timestamp, id descending");
  t.same((await get('/_emulator/tweets?user=nobody')).status, 404, 'unknown user');
});

t.test('relations and tokens: newest first, by user, states', async (t) => {
  t.equal((await post('/_emulator/relations', { fan: 'dave', idol: 'erin', special: true })).statusCode, 200);
  const rel = await get('/_emulator/relations?limit=5');
  t.equal(rel.body.total, n('SELECT COUNT(*) n FROM follows'));
  t.match(rel.body.rows[0], { fan: 'dave', idol: 'erin', special: 1 }, 'the new follow first');
  const erin = await get('/_emulator/relations?limit=500&user=erin');
  t.ok(erin.body.rows.every((r: { fan: string; idol: string }) => r.fan === 'erin' || r.idol === 'erin'));
  t.equal(erin.body.total, n("SELECT COUNT(*) n FROM follows WHERE fan_id = 5 OR idol_id = 5"));

  const g = (await post('/_emulator/tokens/graph', { user: 'dave', scope: 'get_user_info' })).json();
  const w = (await post('/_emulator/tokens/weibo', { user: 'dave' })).json();
  const toks = await get('/_emulator/tokens?user=dave');
  t.equal(toks.body.total, 2);
  t.match(toks.body.rows, [
    { user: 'dave', state: 'live' },
    { user: 'dave', state: 'live' },
  ]);
  t.same(toks.body.rows.map((r: { token: string }) => r.token).sort(), [g.access_token, w.oauth_token].sort());
  t.match(toks.body.rows.find((r: { platform: string }) => r.platform === 'graph'), { appid: FIXTURES.graphApp.appid, scope: 'get_user_info' });
  t.match(toks.body.rows.find((r: { platform: string }) => r.platform === 'weibo'), { appid: FIXTURES.weiboApp.appid, scope: 'access' });
  app.world.db.prepare('UPDATE oauth2_tokens SET revoked = 1 WHERE access_token = ?').run(g.access_token);
  t.equal((await get('/_emulator/tokens?user=dave')).body.rows.find((r: { platform: string }) => r.platform === 'graph').state, 'revoked');
  t.notOk((await get('/_emulator/tokens?user=dave')).body.rows.some((r: { token: string }) => r.token === 'secret'), 'no token secret in the rows');
  t.notMatch(JSON.stringify((await get('/_emulator/tokens')).body), w.oauth_token_secret, 'weibo token secrets are not listed');
});

t.test('world= reads that world only; bad paging refused', async (t) => {
  const iso = (await post('/_emulator/worlds', {})).json();
  t.equal((await post('/_emulator/users', { world: iso.id, name: 'frank' })).statusCode, 200);
  const there = await get(`/_emulator/users?world=${iso.id}&limit=500`);
  const here = await get('/_emulator/users?limit=500');
  t.ok(there.body.rows.some((u: { name: string }) => u.name === 'frank'), 'in the isolated world');
  t.notOk(here.body.rows.some((u: { name: string }) => u.name === 'frank'), 'not in the default world');
  t.equal(there.body.total, here.body.total + 1);
  t.equal((await get('/_emulator/tweets?world=nope')).status, 404);
  const typo = await get('/_emulator/tweets?limt=5');
  t.equal(typo.status, 400, 'a misspelled parameter is refused');
  t.match(typo.body.error, 'limt');
  for (const q of ['limit=0', 'limit=501', 'offset=-1', 'limit=x', 'offset=1.5']) {
    const r = await get(`/_emulator/tweets?${q}`);
    t.equal(r.status, 400, q);
    t.match(r.body.error, /^(limit|offset) must be/, `${q}: names the parameter`);
  }
});

t.test('with an admin token the paged reads need it', async (t) => {
  const guarded = await build({ adminToken: 's3cret' });
  t.teardown(() => guarded.close());
  for (const p of ['users', 'tweets', 'relations', 'tokens']) {
    t.equal((await guarded.inject({ method: 'GET', url: `/_emulator/${p}` })).statusCode, 401, p);
    t.equal((await guarded.inject({ method: 'GET', url: `/_emulator/${p}`, headers: { authorization: 'Bearer s3cret' } })).statusCode, 200, `${p} with the token`);
  }
});
