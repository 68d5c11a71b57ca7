import t from 'tap';
import { build, signed, graphGet, FIXTURES } from '../helpers.js';
import { loadConfig } from '../../server/config.js';
import { makePng } from '../../seed/png.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });

t.test('isolated worlds: fresh credentials, routed by credential, deletable', async (t) => {
  const r1 = await post('/_emulator/worlds');
  t.equal(r1.statusCode, 200);
  const w1 = r1.json();
  t.match(w1.id, /^w[0-9a-f]{12}$/);
  t.match(w1.graph.appid, /^\d{9}$/);
  t.match(w1.graph.secret, /^[0-9A-F]{32}$/);
  t.match(w1.weibo.consumer_key, /^\d{9}$/);
  t.match(w1.weibo.consumer_secret, /^[0-9a-f]{32}$/);
  const w2 = (await post('/_emulator/worlds')).json();
  const ids = [w1.graph.appid, w1.weibo.consumer_key, w2.graph.appid, w2.weibo.consumer_key, FIXTURES.graphApp.appid, FIXTURES.weiboApp.appid];
  t.equal(new Set(ids).size, ids.length, 'credentials unique across worlds');
  t.not(w1.graph.secret, w2.graph.secret);

  // weibo: a token minted in world 1, used with world 1's consumer key, writes into world 1 only
  const tok = (await post('/_emulator/tokens/weibo', { world: w1.id, user: 'alice', appid: w1.weibo.consumer_key })).json();
  t.equal(tok.oauth_consumer_secret, w1.weibo.consumer_secret);
  const c1 = { token: tok.oauth_token, secret: tok.oauth_token_secret, consumerKey: tok.oauth_consumer_key, consumerSecret: tok.oauth_consumer_secret };
  const before = (await signed(app, c1, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).json();
  t.equal(before.ret, 0, 'served by world 1');
  const add = await signed(app, c1, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'only in world 1', clientip: '127.0.0.1' }, via: 'header' });
  t.equal(add.json().ret, 0);
  const after = (await signed(app, c1, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).json();
  t.equal(after.data.tweetnum, before.data.tweetnum + 1);
  // the default world and world 2 do not see it
  const d = (await post('/_emulator/tokens/weibo', { user: 'alice' })).json();
  const cd = { token: d.oauth_token, secret: d.oauth_token_secret, consumerKey: d.oauth_consumer_key, consumerSecret: d.oauth_consumer_secret };
  t.equal((await signed(app, cd, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).json().data.tweetnum, before.data.tweetnum);
  t.equal((await app.inject({ method: 'GET', url: `/_emulator/export?world=${w2.id}` })).json().tables.tweets.length, (await app.inject({ method: 'GET', url: `/_emulator/export?world=${w1.id}` })).json().tables.tweets.length - 1);
  // world 1's token is unknown to the default world's consumer key
  const cross = await signed(app, { ...c1, consumerKey: FIXTURES.weiboApp.appid, consumerSecret: FIXTURES.weiboApp.secret }, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.not(cross.json().ret, 0);

  // graph: routed by oauth_consumer_key, client_id, or the access_token alone (oauth2.0/me)
  const g = (await post('/_emulator/tokens/graph', { world: w2.id, user: 'bob', appid: w2.graph.appid })).json();
  const info = await graphGet(app, '/user/get_user_info', { access_token: g.access_token, oauth_consumer_key: g.oauth_consumer_key, openid: g.openid });
  t.equal(info.json().ret, 0);
  t.equal(info.json().nickname, '鲍勃');
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${g.access_token}` });
  t.match(me.body, new RegExp(g.openid));
  const refreshed = await app.inject({
    method: 'GET',
    url: `/oauth2.0/token?grant_type=refresh_token&client_id=${w2.graph.appid}&client_secret=${w2.graph.secret}&refresh_token=${g.refresh_token}`,
  });
  t.match(refreshed.body, /access_token=[0-9A-F]{32}/, 'token endpoint served by world 2');
  // the default world does not know world 2's token
  const wrong = await graphGet(app, '/user/get_user_info', { access_token: g.access_token, oauth_consumer_key: FIXTURES.graphApp.appid, openid: g.openid });
  t.not(wrong.json().ret, 0);

  // journal names the world
  const j = (await app.inject({ method: 'GET', url: `/_emulator/journal?world=${w1.id}` })).json();
  t.ok(j.entries.length >= 3);
  t.ok(j.entries.every((e: { world: string }) => e.world === w1.id));

  const list = (await app.inject({ method: 'GET', url: '/_emulator/worlds' })).json();
  t.equal(list.worlds.length, 2);
  const del = await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${w1.id}` });
  t.equal(del.statusCode, 200);
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${w1.id}` })).statusCode, 404);
  const gone = await signed(app, c1, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.not(gone.json().ret, 0, 'deleted world no longer answers its credentials');
  t.equal((await post('/_emulator/tokens/weibo', { world: w1.id, user: 'alice' })).statusCode, 404);
  // reset of the default world leaves world 2 alone
  await post('/_emulator/reset');
  t.equal((await graphGet(app, '/user/get_user_info', { access_token: g.access_token, oauth_consumer_key: g.oauth_consumer_key, openid: g.openid })).json().ret, 0);
});

t.test('isolated worlds: multipart uploads route by body credentials; picture links are served', async (t) => {
  const w = (await post('/_emulator/worlds')).json();
  const tok = (await post('/_emulator/tokens/weibo', { world: w.id, user: 'dave', appid: w.weibo.consumer_key })).json();
  const c = { token: tok.oauth_token, secret: tok.oauth_token_secret, consumerKey: tok.oauth_consumer_key, consumerSecret: tok.oauth_consumer_secret };
  const png = makePng(3, 5, [1, 2, 3], [250, 251, 252]);
  const res = await signed(app, c, {
    method: 'POST',
    path: '/api/t/add_pic',
    params: { format: 'json', content: 'picture in an isolated world', clientip: '127.0.0.1' },
    files: { pic: { filename: 'p.png', contentType: 'image/png', data: png } },
    via: 'body',
  });
  t.equal(res.json().ret, 0, res.body);
  const show = await signed(app, c, { method: 'GET', path: '/api/t/show', params: { format: 'json', id: res.json().data.id } });
  const url = show.json().data.image[0] as string;
  t.match(url, /\/mblogpic\/[0-9a-f]{32}$/);
  const pic = await app.inject({ method: 'GET', url: new URL(url).pathname + '/160' });
  t.equal(pic.statusCode, 200);
  t.same(pic.rawPayload, png, 'served from the isolated world');
  await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${w.id}` });
  t.equal((await app.inject({ method: 'GET', url: new URL(url).pathname })).statusCode, 404, 'gone with its world');
});

t.test('admin token guards every control path', async (t) => {
  const guarded = await (await import('../helpers.js')).build({ adminToken: 's3cret' });
  t.teardown(() => guarded.close());
  for (const [method, url] of [['GET', '/_emulator/info'], ['POST', '/_emulator/reset'], ['GET', '/_emulator/journal'], ['GET', '/_emulator/journal/verify'], ['POST', '/_emulator/health']] as const) {
    const none = await guarded.inject({ method, url });
    t.equal(none.statusCode, 401, `${method} ${url} without token`);
    t.match(none.json().error, /Bearer/);
    const wrong = await guarded.inject({ method, url, headers: { authorization: 'Bearer nope' } });
    t.equal(wrong.statusCode, 401, `${url} wrong token`);
    t.equal((await guarded.inject({ method, url, headers: { authorization: 'Bearer s3cret2' } })).statusCode, 401, `${url} longer token`);
    t.equal((await guarded.inject({ method, url, headers: { authorization: 'Basic s3cret' } })).statusCode, 401, `${url} other scheme`);
    const ok = await guarded.inject({ method, url, headers: { authorization: 'Bearer s3cret' } });
    t.equal(ok.statusCode, url.endsWith('health') ? 404 : 200, `${url} with token`);
    // the scheme is case-insensitive (RFC 9110 §11.1)
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      t.equal((await guarded.inject({ method, url, headers: { authorization: `${scheme} s3cret` } })).statusCode, url.endsWith('health') ? 404 : 200, `${url} with ${scheme}`);
    }
  }
  // health holds nothing: a readiness loop needs no token
  const health = await guarded.inject({ method: 'GET', url: '/_emulator/health' });
  t.equal(health.statusCode, 200, 'GET /_emulator/health without token');
  t.same(health.json(), { status: 'ok' });
  const info = (await guarded.inject({ method: 'GET', url: '/_emulator/info', headers: { authorization: 'Bearer s3cret' } })).json();
  t.equal(info.config.adminToken, true, 'info says a token is set, not which');
  // API paths are not affected
  const api = await guarded.inject({ method: 'GET', url: '/user/get_user_info' });
  t.not(api.statusCode, 401);
  // config: flag and environment
  t.equal(loadConfig(['--admin-token', 'abc'], {}).adminToken, 'abc');
  t.equal(loadConfig([], { EMU_ADMIN_TOKEN: 'xyz' }).adminToken, 'xyz');
  t.equal(loadConfig([], {}).adminToken, '');
});
