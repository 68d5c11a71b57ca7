// POST /_emulator/tokens/weibo flavour=oauth2: an open.t.qq.com OAuth 2.0 token without the
// browser flow, working unsigned with oauth_version=2.a; refused flavours; isolated worlds.
import t from 'tap';
import { build, qs, parseXml, FIXTURES } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

t.test('flavour=oauth2 mints a token the API accepts with the 2.a parameters', async (t) => {
  const res = await post('/_emulator/tokens/weibo', { user: 'carol', flavour: 'oauth2' });
  t.equal(res.statusCode, 200);
  const b = res.json();
  t.same(Object.keys(b).sort(), ['access_token', 'expires_in', 'name', 'nick', 'oauth_consumer_key', 'oauth_version', 'openid', 'refresh_token']);
  t.match(b, { name: 'carol', nick: 'Carol', oauth_consumer_key: FIXTURES.weiboApp.appid, oauth_version: '2.a', expires_in: 604800 });
  const call = { oauth_consumer_key: b.oauth_consumer_key, access_token: b.access_token, openid: b.openid, oauth_version: b.oauth_version, format: 'xml' };
  const info = parseXml((await app.inject({ method: 'GET', url: `/api/user/info?${qs(call)}` })).body) as { root: { ret: string; data: { name: string; openid: string } } };
  t.equal(info.root.ret, '0');
  t.equal(info.root.data.name, 'carol');
  t.equal(info.root.data.openid, b.openid);
  // the refresh token works at /cgi-bin/oauth2/access_token
  const refreshed = new URLSearchParams((await app.inject({ method: 'GET', url: `/cgi-bin/oauth2/access_token?${qs({ grant_type: 'refresh_token', client_id: b.oauth_consumer_key, refresh_token: b.refresh_token })}` })).body);
  t.equal(refreshed.get('name'), 'carol');
});

t.test('refusals, and a world\'s own weibo app', async (t) => {
  t.equal((await post('/_emulator/tokens/weibo', { user: 'carol', flavour: 'oauth3' })).statusCode, 400);
  t.equal((await post('/_emulator/tokens/weibo', { user: 'nobody', flavour: 'oauth2' })).statusCode, 404);
  t.equal((await post('/_emulator/tokens/weibo', { user: 'alice', flavour: 'oauth2', appid: FIXTURES.graphApp.appid })).statusCode, 400);
  // the default flavour is still OAuth 1.0a
  t.ok((await post('/_emulator/tokens/weibo', { user: 'alice' })).json().oauth_token_secret);

  const world = (await app.inject({ method: 'POST', url: '/_emulator/worlds' })).json();
  const weiboAppid = world.weibo.consumer_key;
  t.ok(weiboAppid, 'the world has a weibo app');
  const b = (await post('/_emulator/tokens/weibo', { user: 'alice', flavour: 'oauth2', world: world.id, appid: weiboAppid })).json();
  const call = { oauth_consumer_key: weiboAppid, access_token: b.access_token, openid: b.openid, oauth_version: '2.a' };
  t.equal(JSON.parse((await app.inject({ method: 'GET', url: `/api/user/info?${qs(call)}` })).body).data.name, 'alice', 'served by that world');
});
