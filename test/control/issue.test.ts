import t from 'tap';
import { build, graphGet, signed, parseXml, FIXTURES } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body?: unknown) =>
  app.inject({ method: 'POST', url, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });

const weibo = (b: { oauth_token: string; oauth_token_secret: string; oauth_consumer_key: string; oauth_consumer_secret: string }) => ({
  token: b.oauth_token,
  secret: b.oauth_token_secret,
  consumerKey: b.oauth_consumer_key,
  consumerSecret: b.oauth_consumer_secret,
});

t.test('tokens/graph mints a working QQ Connect token', async (t) => {
  const res = await post('/_emulator/tokens/graph', { user: 'bob' });
  t.equal(res.statusCode, 200);
  const b = res.json();
  t.same(Object.keys(b).sort(), ['access_token', 'expires_in', 'oauth_consumer_key', 'openid', 'refresh_token']);
  t.match(b.access_token, /^[0-9A-F]{32}$/);
  t.match(b.openid, /^[0-9A-F]{32}$/);
  t.equal(b.oauth_consumer_key, FIXTURES.graphApp.appid);
  t.equal(b.expires_in, 7776000);
  const info = await graphGet(app, '/user/get_user_info', { access_token: b.access_token, oauth_consumer_key: b.oauth_consumer_key, openid: b.openid });
  t.equal(info.json().ret, 0);
  t.equal(info.json().nickname, '鲍勃');
  const xml = await graphGet(app, '/user/get_user_info', { access_token: b.access_token, oauth_consumer_key: b.oauth_consumer_key, openid: b.openid, format: 'xml' });
  t.match(xml.body, /<ret>0<\/ret>/);
  // the refresh token works with the token endpoint
  const r = await app.inject({
    method: 'GET',
    url: `/oauth2.0/token?grant_type=refresh_token&client_id=${FIXTURES.graphApp.appid}&client_secret=${FIXTURES.graphApp.secret}&refresh_token=${b.refresh_token}`,
  });
  t.match(r.body, /access_token=[0-9A-F]{32}/);
});

t.test('tokens/graph: appid and scope, refusals', async (t) => {
  const b = (await post('/_emulator/tokens/graph', { user: 'alice', appid: FIXTURES.graphAppPlain.appid, scope: 'get_user_info' })).json();
  t.equal(b.oauth_consumer_key, FIXTURES.graphAppPlain.appid);
  const ok = await graphGet(app, '/user/get_user_info', { access_token: b.access_token, oauth_consumer_key: b.oauth_consumer_key, openid: b.openid });
  t.equal(ok.json().ret, 0);
  const denied = await graphGet(app, '/user/get_vip_info', { access_token: b.access_token, oauth_consumer_key: b.oauth_consumer_key, openid: b.openid });
  t.not(denied.json().ret, 0, 'scope limited');
  t.equal((await post('/_emulator/tokens/graph', {})).statusCode, 400);
  t.match((await post('/_emulator/tokens/graph', {})).json().error, /user/);
  t.equal((await post('/_emulator/tokens/graph', { user: 'nobody' })).statusCode, 404);
  t.equal((await post('/_emulator/tokens/graph', { user: 'alice', appid: '1' })).statusCode, 404);
  t.equal((await post('/_emulator/tokens/graph', { user: 'alice', appid: FIXTURES.weiboApp.appid })).statusCode, 400);
  const bad = await app.inject({ method: 'POST', url: '/_emulator/tokens/graph', headers: { 'content-type': 'application/json' }, payload: '{' });
  t.equal(bad.statusCode, 400);
});

t.test('tokens/weibo mints a working OAuth 1.0a access token', async (t) => {
  const res = await post('/_emulator/tokens/weibo', { user: 'carol' });
  t.equal(res.statusCode, 200);
  const b = res.json();
  t.same(Object.keys(b).sort(), ['name', 'oauth_consumer_key', 'oauth_consumer_secret', 'oauth_token', 'oauth_token_secret']);
  t.equal(b.name, 'carol');
  t.equal(b.oauth_consumer_key, FIXTURES.weiboApp.appid);
  t.equal(b.oauth_consumer_secret, FIXTURES.weiboApp.secret);
  const info = await signed(app, weibo(b), { method: 'GET', path: '/api/user/info', params: { format: 'xml' } });
  const x = parseXml(info.body) as { root: { ret: string; data: { name: string } } };
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.name, 'carol');
  t.equal((await post('/_emulator/tokens/weibo', { user: 'zzz' })).statusCode, 404);
  t.equal((await post('/_emulator/tokens/weibo', { user: 'alice', appid: FIXTURES.graphApp.appid })).statusCode, 400);
});

t.test('apps, users and relations, visible through the API', async (t) => {
  const a = await post('/_emulator/apps', { platform: 'weibo', name: 'My Client' });
  t.equal(a.statusCode, 200);
  const app1 = a.json();
  t.match(app1.appid, /^8019\d{5}$/);
  t.match(app1.secret, /^[0-9a-f]{32}$/);
  t.equal(app1.platform, 'weibo');
  const g = (await post('/_emulator/apps', { platform: 'graph', appid: '101999999', grantedApis: ['get_vip_info'] })).json();
  t.equal(g.appid, '101999999');
  t.match(g.secret, /^[0-9A-F]{32}$/);
  t.same(g.grantedApis, ['get_vip_info']);
  t.equal((await post('/_emulator/apps', { platform: 'graph', appid: '101999999' })).statusCode, 409);
  t.equal((await post('/_emulator/apps', { platform: 'email' })).statusCode, 400);

  const u = await post('/_emulator/users', { name: 'zed', nick: '泽德', sex: 1 });
  t.equal(u.statusCode, 200);
  t.equal(u.json().name, 'zed');
  t.type(u.json().id, 'number');
  t.match(u.json().openids[FIXTURES.graphApp.appid], /^[0-9A-F]{32}$/);
  t.ok(u.json().openids['101999999'], 'openid in the new app too');
  t.equal((await post('/_emulator/users', { name: 'zed' })).statusCode, 409);
  t.equal((await post('/_emulator/users', {})).statusCode, 400);
  t.equal((await post('/_emulator/users', { name: '1 bad' })).statusCode, 400);
  t.equal((await post('/_emulator/users', { name: 'okname', sex: 7 })).statusCode, 400);

  // the new user signs in to the new app and follows alice
  const tok = weibo((await post('/_emulator/tokens/weibo', { user: 'zed', appid: app1.appid })).json());
  const me = await signed(app, tok, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.equal(me.json().data.nick, '泽德');
  t.equal(me.json().data.idolnum, 0);
  const rel = await post('/_emulator/relations', { fan: 'zed', idol: 'alice' });
  t.equal(rel.statusCode, 200);
  t.match(rel.json(), { fan: 'zed', idol: 'alice', created: true, special: false });
  t.equal((await post('/_emulator/relations', { fan: 'zed', idol: 'alice' })).json().created, false, 'idempotent');
  const me2 = await signed(app, tok, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.equal(me2.json().data.idolnum, 1);
  t.equal((await post('/_emulator/relations', { fan: 'zed', idol: 'zed' })).statusCode, 400);
  t.equal((await post('/_emulator/relations', { fan: 'zed', idol: 'ghost' })).statusCode, 404);
  t.equal((await post('/_emulator/relations', { fan: 'zed' })).statusCode, 400);
});

t.test('clock: get, set, advance, freeze, reset; token expiry follows it', async (t) => {
  const c0 = (await app.inject({ method: 'GET', url: '/_emulator/clock' })).json();
  t.type(c0.now, 'number');
  t.equal(c0.frozen, false);
  t.ok(Math.abs(c0.now - Date.now() / 1000) < 5);
  const set = (await post('/_emulator/clock', { set: 1500000000, freeze: true })).json();
  t.equal(set.now, 1500000000);
  t.equal(set.frozen, true);
  await new Promise((r) => setTimeout(r, 1100));
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/clock' })).json().now, 1500000000, 'frozen');
  t.equal((await post('/_emulator/clock', { advance: 60 })).json().now, 1500000060);
  // a token minted now expires 90 days later on the emulator's clock
  const b = (await post('/_emulator/tokens/graph', { user: 'alice' })).json();
  const creds = { access_token: b.access_token, oauth_consumer_key: b.oauth_consumer_key, openid: b.openid };
  t.equal((await graphGet(app, '/user/get_user_info', creds)).json().ret, 0);
  await post('/_emulator/clock', { advance: 7776000 + 1 });
  const expired = (await graphGet(app, '/user/get_user_info', creds)).json();
  t.not(expired.ret, 0, 'expired after advancing past expires_in');
  const unf = (await post('/_emulator/clock', { freeze: false })).json();
  t.equal(unf.frozen, false);
  const r = (await post('/_emulator/clock', { reset: true })).json();
  t.equal(r.frozen, false);
  t.ok(Math.abs(r.now - Date.now() / 1000) < 5);
  t.equal((await post('/_emulator/clock', { set: 'soon' })).statusCode, 400);
  t.equal((await post('/_emulator/clock', { advance: 'x' })).statusCode, 400);
  t.equal((await post('/_emulator/clock', { freeze: 'maybe' })).statusCode, 400);
  // form bodies work too
  const form = await app.inject({ method: 'POST', url: '/_emulator/clock', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'set=1600000000&freeze=true' });
  t.equal(form.json().now, 1600000000);
  await post('/_emulator/clock', { reset: true });
});
