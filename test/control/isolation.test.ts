// Control calls act on the world they name: journal and faults per world, snapshots and reset of
// an isolated world, unknown control parameters refused, filtered totals and the since= cursor,
// and the journal's record of every answer's outcome.
import t from 'tap';
import { build, graphGet, graphCreds, signed, FIXTURES } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body?: unknown) =>
  app.inject({ method: 'POST', url, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });
const get = (url: string) => app.inject({ method: 'GET', url });
const del = (url: string) => app.inject({ method: 'DELETE', url });

type Entry = { seq: number; path: string; world: string; app: string | null; user: string | null; ok: boolean; ret: number | null; errcode: number | null; msg: string | null; status: number; params: Record<string, string>; headers: Record<string, string>; response: { body: string; bytes: number; truncated: boolean } };
const journal = async (q = ''): Promise<{ total: number; last: number; entries: Entry[] }> => (await get(`/_emulator/journal${q}`)).json();

/** A world with a graph token for `user`. */
async function worldWithToken(user: string) {
  const w = (await post('/_emulator/worlds')).json();
  const tok = (await post('/_emulator/tokens/graph', { world: w.id, user, appid: w.graph.appid })).json();
  return { id: w.id as string, appid: w.graph.appid as string, creds: { access_token: tok.access_token, oauth_consumer_key: tok.oauth_consumer_key, openid: tok.openid } };
}

t.test('a world has its own journal, under parallel calls', async (t) => {
  await del('/_emulator/journal');
  const [a, b] = await Promise.all([worldWithToken('alice'), worldWithToken('bob')]);
  const d = graphCreds(app, 'carol');
  // 3 × 15 calls interleaved: world a, world b, the default world
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 15; i++) {
    calls.push(graphGet(app, '/user/get_user_info', a.creds, { n: i }));
    calls.push(graphGet(app, '/user/get_user_info', b.creds, { n: i }));
    calls.push(graphGet(app, '/user/get_user_info', d, { n: i }));
  }
  await Promise.all(calls);
  const ja = await journal(`?world=${a.id}&limit=100`);
  const jb = await journal(`?world=${b.id}&limit=100`);
  const jd = await journal('?limit=100');
  t.equal(ja.total, 15, 'world a: its 15 calls');
  t.equal(jb.total, 15, 'world b: its 15 calls');
  t.equal(jd.total, 15, 'default world: its own 15 only');
  t.ok(ja.entries.every((e) => e.world === a.id && e.app === a.appid && e.user === 'alice' && e.ok), 'a holds only a');
  t.ok(jb.entries.every((e) => e.world === b.id && e.user === 'bob'), 'b holds only b');
  t.ok(jd.entries.every((e) => e.world === 'default' && e.user === 'carol'), 'default holds only default');
  t.same(new Set(ja.entries.map((e) => e.params.n)).size, 15, 'each call once');
  // clearing one world's journal leaves the others
  t.equal((await del(`/_emulator/journal?world=${a.id}`)).json().cleared, 15);
  t.equal((await journal(`?world=${a.id}`)).total, 0);
  t.equal((await journal(`?world=${b.id}`)).total, 15, 'b untouched');
  t.equal((await journal()).total, 15, 'default untouched');
  t.equal((await get('/_emulator/journal?world=wnope')).statusCode, 404, 'an unknown world is refused');
  await del(`/_emulator/worlds/${a.id}`);
  await del(`/_emulator/worlds/${b.id}`);
});

t.test('faults with world=W break W alone', async (t) => {
  const w = await worldWithToken('alice');
  const d = graphCreds(app, 'alice');
  const f = await post('/_emulator/faults', { world: w.id, path: '/user/get_user_info', count: 5, ret: 4, msg: 'busy in W' });
  t.equal(f.statusCode, 200);
  t.equal((await get('/_emulator/faults')).json().faults.length, 0, 'the default world lists no fault');
  t.equal((await get(`/_emulator/faults?world=${w.id}`)).json().faults.length, 1);
  t.equal((await graphGet(app, '/user/get_user_info', d)).json().ret, 0, 'default world answers normally');
  t.same((await graphGet(app, '/user/get_user_info', w.creds)).json(), { ret: 4, msg: 'busy in W' }, 'W gets the fault');
  t.equal((await del('/_emulator/faults')).json().cleared, 0, 'clearing the default world clears nothing of W');
  t.equal((await graphGet(app, '/user/get_user_info', w.creds)).json().ret, 4, 'still faulted');
  t.equal((await del(`/_emulator/faults?world=${w.id}`)).json().cleared, 1);
  t.equal((await graphGet(app, '/user/get_user_info', w.creds)).json().ret, 0);
  await del(`/_emulator/worlds/${w.id}`);
});

t.test('snapshots, reset, clock and issuance act on the named world', async (t) => {
  const w = await worldWithToken('alice');
  const users = () => app.world.users.count();
  const before = users();
  t.equal((await post('/_emulator/users', { world: w.id, name: 'wonly' })).statusCode, 200);
  t.equal(users(), before, 'the user went to W, not the default world');
  t.equal((await post(`/_emulator/snapshots/s1?world=${w.id}`)).statusCode, 200);
  t.equal((await get('/_emulator/snapshots')).json().snapshots.length, 0, 'the default world has no snapshot');
  t.equal((await get(`/_emulator/snapshots?world=${w.id}`)).json().snapshots.length, 1);
  t.equal((await post('/_emulator/users', { world: w.id, name: 'wlater' })).statusCode, 200);
  t.equal((await post(`/_emulator/snapshots/s1/restore?world=${w.id}`)).statusCode, 200);
  const names = async () => ((await get(`/_emulator/export?world=${w.id}`)).json().tables.users as { name: string }[]).map((u) => u.name);
  t.ok((await names()).includes('wonly'), 'restored: wonly kept');
  t.notOk((await names()).includes('wlater'), 'restored: wlater gone');
  t.equal((await post(`/_emulator/snapshots/s1/restore`)).statusCode, 404, 'not a default-world snapshot');
  // clock
  const c0 = (await get('/_emulator/clock')).json().now;
  await post('/_emulator/clock', { world: w.id, advance: 86400 });
  t.ok((await get(`/_emulator/clock?world=${w.id}`)).json().now >= c0 + 86400, 'W advanced');
  t.ok((await get('/_emulator/clock')).json().now < c0 + 86400, 'default clock untouched');
  // reset W: back to the template, its credentials kept
  const r = await post('/_emulator/reset', { world: w.id });
  t.equal(r.json().world, w.id);
  t.notOk((await names()).includes('wonly'), 'reset W: its users gone');
  t.equal(users(), before, 'the default world was not reset into anything');
  const tok = (await post('/_emulator/tokens/graph', { world: w.id, user: 'bob', appid: w.appid })).json();
  t.equal((await graphGet(app, '/user/get_user_info', { access_token: tok.access_token, oauth_consumer_key: tok.oauth_consumer_key, openid: tok.openid })).json().ret, 0, 'W still reachable by its app');
  await del(`/_emulator/worlds/${w.id}`);
});

t.test('unknown or misspelt control parameters are refused, naming them', async (t) => {
  const c0 = (await get('/_emulator/clock')).json();
  const r = await app.inject({ method: 'POST', url: '/_emulator/clock', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'advanc=10' });
  t.equal(r.statusCode, 400);
  t.match(r.json().error, /unknown parameter advanc\b.*known: .*advance/);
  t.equal((await get('/_emulator/clock')).json().offsetSeconds, c0.offsetSeconds, 'nothing changed');
  const j = await get('/_emulator/journal?pth=/api/x&usr=a');
  t.equal(j.statusCode, 400);
  t.match(j.json().error, /unknown parameters pth, usr/);
  t.equal((await post('/_emulator/faults', { path: '/api/user/info', ret: 4, cuont: 2 })).statusCode, 400);
  t.equal((await get('/_emulator/faults')).json().faults.length, 0, 'no fault set by a refused call');
  t.equal((await post('/_emulator/users', { name: 'x1', nik: 'y' })).statusCode, 400);
  t.equal((await get('/_emulator/health?x=1')).statusCode, 400);
});

t.test('journal: total counts the filtered entries, since= reads only what came after', async (t) => {
  await del('/_emulator/journal');
  const g = graphCreds(app, 'alice');
  await graphGet(app, '/user/get_user_info', g);
  const mark = (await journal()).last;
  await graphGet(app, '/user/get_user_info', g);
  await graphGet(app, '/user/get_vip_info', g);
  await get('/api/none');
  const all = await journal();
  t.equal(all.total, 4);
  const info = await journal('?path=/user/get_user_info&limit=1');
  t.equal(info.total, 2, 'total is the filtered count');
  t.equal(info.entries.length, 1, 'limit still applies to entries');
  const since = await journal(`?since=${mark}`);
  t.equal(since.total, 3, 'since: only the three after the mark');
  t.ok(since.entries.every((e) => e.seq > mark));
  t.equal((await journal(`?since=${mark}&ok=false`)).entries[0].path, '/api/none');
  // verify: a count for an assertion
  t.same((await get(`/_emulator/journal/verify?path=/user/get_user_info&since=${mark}&user=alice`)).json().count, 1);
  t.same((await get(`/_emulator/journal/verify?path=/user/*&app=${FIXTURES.graphApp.appid}`)).json().count, 3);
  t.same((await get(`/_emulator/journal/verify?param=openid=${g.openid}&path=/user/get_vip_info`)).json().count, 1);
  t.same((await get(`/_emulator/journal/verify?user=bob`)).json().count, 0);
  t.equal((await get('/_emulator/journal/verify?param=novalue')).statusCode, 400);
});

t.test('journal: every answer has its outcome, headers masked, response body kept', async (t) => {
  await del('/_emulator/journal');
  const g = graphCreds(app, 'alice');
  await graphGet(app, '/user/get_user_info', g);
  await get(`/oauth2.0/token?grant_type=authorization_code&client_id=${FIXTURES.graphApp.appid}&client_secret=${FIXTURES.graphApp.secret}&code=nope&redirect_uri=http://localhost:3000/callback`);
  await get(`/oauth2.0/authorize?response_type=code&client_id=${FIXTURES.graphApp.appid}&redirect_uri=http://evil.example/&state=x`);
  await get('/oauth2.0/authorize?response_type=code&client_id=999&redirect_uri=http://localhost:3000/callback');
  await get(`/cgi-bin/request_token?oauth_consumer_key=${FIXTURES.weiboApp.appid}&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1&oauth_nonce=x&oauth_signature=zz&oauth_callback=oob`);
  await get('/cgi-bin/authorize?oauth_token=nope');
  await app.inject({ method: 'GET', url: '/user/get_user_info', headers: { authorization: 'Bearer topsecret', cookie: 'sid=abc' } });
  const [hdr, cgiAuth, reqTok, auth8, auth10, token, ok] = (await journal()).entries;
  t.match(ok, { path: '/user/get_user_info', ok: true, ret: 0, status: 200, user: 'alice' });
  t.match(ok.response.body, /"nickname"/, 'response body kept');
  t.match(ok.params.access_token, /^[0-9A-F]{6}…\*\*\*$/, 'token shortened');
  t.match(token, { path: '/oauth2.0/token', ok: false, ret: 100019, msg: 'code to access token error', status: 200 });
  t.equal(token.params.client_secret, '***');
  t.match(auth10, { path: '/oauth2.0/authorize', ok: false, ret: 100010, msg: 'redirect uri is illegal' });
  t.match(auth8, { path: '/oauth2.0/authorize', ok: false, ret: 100008 });
  t.match(reqTok, { path: '/cgi-bin/request_token', ok: false, ret: 3, errcode: 4, status: 401 });
  t.match(reqTok.msg, /oauth_timestamp/);
  t.equal(reqTok.params.oauth_signature, '***');
  t.match(cgiAuth, { path: '/cgi-bin/authorize', ok: false, status: 400, msg: 'invalid oauth_token' });
  t.equal(hdr.headers.authorization, 'Bearer ***', 'authorization masked');
  t.equal(hdr.headers.cookie, '***', 'cookie masked');
  t.notOk(JSON.stringify(await journal()).includes(FIXTURES.graphApp.secret), 'no secret anywhere in the journal');
  t.notOk(JSON.stringify(await journal()).includes(g.access_token), 'no whole token anywhere in the journal');
});

t.test('journal: a signed call header masked, long values cut with their size', async (t) => {
  await del('/_emulator/journal');
  const c = (await post('/_emulator/tokens/weibo', { user: 'alice' })).json();
  const creds = { token: c.oauth_token, secret: c.oauth_token_secret, consumerKey: c.oauth_consumer_key, consumerSecret: c.oauth_consumer_secret };
  await signed(app, creds, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'x'.repeat(5000), clientip: '127.0.0.1' }, via: 'header' });
  const [e] = (await journal()).entries;
  t.match(e.headers.authorization, /^OAuth .*oauth_signature="\*\*\*"/);
  t.notOk(e.headers.authorization.includes(c.oauth_token), 'the token is not shown whole');
  t.match(e.params.content, /^x{1024}…\[5000 bytes\]$/, 'a long value is cut, its size noted');
  t.equal(e.errcode, 8, 'content too long');
  t.equal(e.ok, false);
});
