// open.t.qq.com OAuth 2.0: /cgi-bin/oauth2/authorize (code and token flows, interactive page),
// /cgi-bin/oauth2/access_token (authorization_code and refresh_token grants, every refusal), and
// the OAuth 2.0 parameters on /api/* (each refusal in JSON and XML).
import t from 'tap';
import { build, qs, parseXml, WEIBO, GRAPH, graphCreds, weiboCreds, signed, userId } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const world = app.world;
const CALLBACK = 'http://localhost:3000/weibo/callback';

/** Runs the code flow as a browser would (emu_user names who approves); the 302's query. */
async function authorizeCode(user = 'bob', extra: Record<string, string> = {}): Promise<URLSearchParams> {
  const res = await app.inject({ method: 'GET', url: `/cgi-bin/oauth2/authorize?${qs({ client_id: WEIBO.appid, response_type: 'code', redirect_uri: CALLBACK, emu_user: user, ...extra })}` });
  if (res.statusCode !== 302) throw new Error(`authorize answered ${res.statusCode}: ${res.body}`);
  return new URL(String(res.headers.location)).searchParams;
}

function tokenCall(params: Record<string, string>, method: 'GET' | 'POST' = 'POST') {
  if (method === 'GET') return app.inject({ method: 'GET', url: `/cgi-bin/oauth2/access_token?${qs(params)}` });
  return app.inject({ method: 'POST', url: '/cgi-bin/oauth2/access_token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs(params) });
}

const codeGrant = (code: string, extra: Record<string, string> = {}) => ({ grant_type: 'authorization_code', client_id: WEIBO.appid, client_secret: WEIBO.secret, code, redirect_uri: CALLBACK, ...extra });

/** OAuth 2.0 API parameters as the SDKs send them. */
const v2 = (access_token: string, openid: string) => ({ oauth_consumer_key: WEIBO.appid, access_token, openid, clientip: '203.0.113.7', oauth_version: '2.a', scope: 'all' });

async function signIn(user = 'bob') {
  const q = await authorizeCode(user);
  const res = await tokenCall(codeGrant(q.get('code')!));
  return new URLSearchParams(res.body);
}

t.test('code flow: redirect with code, openid, openkey, state; token answer in the SDKs\' order', async (t) => {
  const q = await authorizeCode('bob', { state: 'xyz', wap: '2', forcelogin: 'true' });
  t.match(q.get('code'), /^[0-9A-F]{32}$/);
  t.equal(q.get('openid'), world.apps.openidFor(WEIBO.appid, userId(app, 'bob')));
  t.match(q.get('openkey'), /^[0-9a-f]{32}$/);
  t.equal(q.get('state'), 'xyz');
  t.same([...q.keys()], ['code', 'openid', 'openkey', 'state']);

  const res = await tokenCall(codeGrant(q.get('code')!), 'GET');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  const a = new URLSearchParams(res.body);
  t.same([...a.keys()], ['access_token', 'expires_in', 'refresh_token', 'openid', 'name', 'nick']);
  t.equal(a.get('expires_in'), '604800');
  t.equal(a.get('openid'), q.get('openid'));
  t.equal(a.get('name'), 'bob');
  t.equal(a.get('nick'), '鲍勃');

  const info = await app.inject({ method: 'GET', url: `/api/user/info?${qs(v2(a.get('access_token')!, a.get('openid')!))}` });
  const body = JSON.parse(info.body);
  t.equal(body.ret, 0);
  t.equal(body.data.name, 'bob');
});

t.test('token flow: the token in the fragment, no code', async (t) => {
  const res = await app.inject({ method: 'GET', url: `/cgi-bin/oauth2/authorize?${qs({ client_id: WEIBO.appid, response_type: 'token', redirect_uri: CALLBACK, state: 's1', emu_user: 'carol' })}` });
  t.equal(res.statusCode, 302);
  const loc = new URL(String(res.headers.location));
  t.equal(loc.search, '');
  const f = new URLSearchParams(loc.hash.slice(1));
  t.same([...f.keys()], ['access_token', 'expires_in', 'openid', 'openkey', 'state']);
  t.equal(f.get('expires_in'), '604800');
  const info = JSON.parse((await app.inject({ method: 'GET', url: `/api/user/info?${qs(v2(f.get('access_token')!, f.get('openid')!))}` })).body);
  t.equal(info.data.name, 'carol');
});

t.test('authorize refusals are a 400 page, never a redirect', async (t) => {
  const base = { client_id: WEIBO.appid, response_type: 'code', redirect_uri: CALLBACK };
  const cases: [string, Record<string, string>, RegExp][] = [
    ['no client_id', { ...base, client_id: '' }, /client_id is missing/],
    ['unknown client_id', { ...base, client_id: '809999999' }, /does not exist/],
    ['a graph.qq.com appid', { ...base, client_id: GRAPH.appid }, /does not exist/],
    ['bad response_type', { ...base, response_type: 'id_token' }, /response_type/],
    ['redirect_uri on another host', { ...base, redirect_uri: 'http://evil.example/cb' }, /redirect_uri/],
    ['no redirect_uri', { ...base, redirect_uri: '' }, /redirect_uri/],
    ['unknown user', { ...base, emu_user: 'nobody' }, /no such emulated user/],
  ];
  for (const [name, p, msg] of cases) {
    const res = await app.inject({ method: 'GET', url: `/cgi-bin/oauth2/authorize?${qs(p)}` });
    t.equal(res.statusCode, 400, name);
    t.notOk(res.headers.location, `${name}: no redirect`);
    t.match(res.body, msg, name);
  }
});

t.test('redirect_uri: under a registered one; an app that registered none takes any http(s) URL', async (t) => {
  const go = (client_id: string, redirect_uri: string) =>
    app.inject({ method: 'GET', url: `/cgi-bin/oauth2/authorize?${qs({ client_id, response_type: 'code', redirect_uri, emu_user: 'bob' })}` });
  t.equal((await go(WEIBO.appid, `${CALLBACK}/deeper`)).statusCode, 302, 'below the registered path');
  t.equal((await go(WEIBO.appid, 'http://localhost:3000/weibo/callbackx')).statusCode, 400, 'not on a path boundary');
  const open = world.apps.create({ appid: '801000555', secret: 'c'.repeat(32), name: 'No URIs', platform: 'weibo' });
  const res = await go(open.appid, 'https://anywhere.example/cb?x=1');
  t.equal(res.statusCode, 302);
  t.match(res.headers.location, /^https:\/\/anywhere\.example\/cb\?x=1&code=/);
  t.equal((await go(open.appid, 'javascript:alert(1)')).statusCode, 400, 'only http(s)');
});

t.test('interactive page: approve and deny post back with the original parameters', async (t) => {
  const ia = await build({ interactive: true });
  t.teardown(() => ia.close());
  const p = { client_id: WEIBO.appid, response_type: 'code', redirect_uri: CALLBACK, state: 'st<>' };
  const page = await ia.inject({ method: 'GET', url: `/cgi-bin/oauth2/authorize?${qs(p)}` });
  t.equal(page.statusCode, 200);
  t.match(page.body, 'action="/cgi-bin/oauth2/authorize"');
  t.match(page.body, 'value="st&#60;&#62;"');
  const post = (decision: string) =>
    ia.inject({ method: 'POST', url: '/cgi-bin/oauth2/authorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs({ ...p, decision, user: 'dave' }) });
  const ok = new URL(String((await post('approve')).headers.location));
  t.ok(ok.searchParams.get('code'));
  t.equal(ok.searchParams.get('openid'), ia.world.apps.openidFor(WEIBO.appid, userId(ia, 'dave')));
  const no = new URL(String((await post('deny')).headers.location));
  t.equal(no.searchParams.get('error'), 'access_denied');
  t.equal(no.searchParams.get('state'), 'st<>');
  t.notOk(no.searchParams.get('code'));
});

t.test('access_token refusals: errorCode/errorMsg and the RFC error, url-encoded', async (t) => {
  const fresh = async () => (await authorizeCode('bob')).get('code')!;
  const cases: [string, Record<string, string>, number, number, string][] = [
    ['no grant_type', { ...codeGrant(await fresh()), grant_type: '' }, 400, 4, 'unsupported_grant_type'],
    ['password grant', { ...codeGrant(await fresh()), grant_type: 'password' }, 400, 4, 'unsupported_grant_type'],
    ['no client_id', { ...codeGrant(await fresh()), client_id: '' }, 400, 1, 'invalid_request'],
    ['unknown client', codeGrant(await fresh(), { client_id: '809999999' }), 401, 2, 'invalid_client'],
    ['graph appid', codeGrant(await fresh(), { client_id: GRAPH.appid, client_secret: GRAPH.secret }), 401, 2, 'invalid_client'],
    ['wrong secret', codeGrant(await fresh(), { client_secret: 'x' }), 401, 3, 'invalid_client'],
    ['no secret', codeGrant(await fresh(), { client_secret: '' }), 400, 1, 'invalid_request'],
    ['no code', codeGrant(''), 400, 1, 'invalid_request'],
    ['unknown code', codeGrant('0123456789ABCDEF0123456789ABCDEF'), 400, 5, 'invalid_grant'],
    ['other redirect_uri', codeGrant(await fresh(), { redirect_uri: 'http://localhost:3000/weibo/other' }), 400, 7, 'invalid_grant'],
  ];
  for (const [name, p, status, code, rfc] of cases) {
    const res = await tokenCall(p);
    t.equal(res.statusCode, status, name);
    const a = new URLSearchParams(res.body);
    t.same([...a.keys()], ['errorCode', 'errorMsg', 'error', 'error_description'], name);
    t.equal(a.get('errorCode'), String(code), name);
    t.equal(a.get('error'), rfc, name);
    t.notOk(a.get('access_token'), name);
  }

  // a graph.qq.com code is not a weibo code, and a weibo code does not work at graph.qq.com
  const graphCode = world.oauth2.createCode(GRAPH.appid, userId(app, 'bob'), CALLBACK, 'all');
  t.equal(new URLSearchParams((await tokenCall(codeGrant(graphCode))).body).get('errorCode'), '5');

  const code = await fresh();
  t.equal((await tokenCall(codeGrant(code))).statusCode, 200);
  const again = new URLSearchParams((await tokenCall(codeGrant(code))).body);
  t.equal(again.get('errorCode'), '6', 'a code is spent once');

  const late = await fresh();
  world.clock.advance(601);
  t.teardown(() => world.clock.reset());
  t.equal(new URLSearchParams((await tokenCall(codeGrant(late))).body).get('errorCode'), '5', 'codes live 10 minutes');
  world.clock.reset();
});

t.test('refresh_token: a new pair, the old refresh token spent, other apps refused', async (t) => {
  const first = await signIn('bob');
  const refresh = (rt: string, extra: Record<string, string> = {}) => tokenCall({ grant_type: 'refresh_token', client_id: WEIBO.appid, refresh_token: rt, ...extra });
  const res = await refresh(first.get('refresh_token')!);
  t.equal(res.statusCode, 200);
  const next = new URLSearchParams(res.body);
  t.same([...next.keys()], ['access_token', 'expires_in', 'refresh_token', 'openid', 'name', 'nick']);
  t.not(next.get('access_token'), first.get('access_token'));
  t.not(next.get('refresh_token'), first.get('refresh_token'));
  t.equal(next.get('openid'), first.get('openid'));
  t.equal(new URLSearchParams((await refresh(first.get('refresh_token')!)).body).get('errorCode'), '9', 'spent');
  t.equal(new URLSearchParams((await refresh(next.get('refresh_token')!, { client_secret: 'wrong' })).body).get('errorCode'), '3');
  t.equal(new URLSearchParams((await refresh('0123456789ABCDEF0123456789ABCDEF')).body).get('errorCode'), '8');
  t.equal(new URLSearchParams((await refresh('')).body).get('errorCode'), '1');
  const graphToken = world.oauth2.issueToken(GRAPH.appid, userId(app, 'bob'), 'all');
  t.equal(new URLSearchParams((await refresh(graphToken.refresh_token)).body).get('errorCode'), '8', 'another app\'s refresh token');

  // after the access token expired, the refresh token still gives a working one
  world.clock.advance(604801);
  t.teardown(() => world.clock.reset());
  const expired = await app.inject({ method: 'GET', url: `/api/user/info?${qs(v2(next.get('access_token')!, next.get('openid')!))}` });
  t.equal(JSON.parse(expired.body).errcode, 4);
  const renewed = new URLSearchParams((await refresh(next.get('refresh_token')!, { client_secret: WEIBO.secret })).body);
  const ok = await app.inject({ method: 'GET', url: `/api/user/info?${qs(v2(renewed.get('access_token')!, renewed.get('openid')!))}` });
  t.equal(JSON.parse(ok.body).ret, 0);
  world.clock.reset();
});

t.test('/api/* refusals of OAuth 2.0 calls: ret 3 with the sub-code, JSON and XML', async (t) => {
  const bob = await signIn('bob');
  const at = bob.get('access_token')!;
  const openid = bob.get('openid')!;
  const good = v2(at, openid);
  const aliceOpenid = world.apps.openidFor(WEIBO.appid, userId(app, 'alice'));

  // another weibo app and its token for bob
  const other = world.apps.create({ appid: '801000777', secret: 'b'.repeat(32), name: 'Other', platform: 'weibo' });
  const otherToken = world.oauth2.issueToken(other.appid, userId(app, 'bob'), 'all', 604800);
  const revoked = world.oauth2.issueToken(WEIBO.appid, userId(app, 'bob'), 'all', 604800);
  world.oauth2.revoke(revoked.access_token);
  const stale = world.oauth2.issueToken(WEIBO.appid, userId(app, 'bob'), 'all', -1);
  const graph = graphCreds(app, 'bob');

  const drop = (k: string) => Object.fromEntries(Object.entries(good).filter(([key]) => key !== k));
  const cases: [string, Record<string, string>, number, RegExp][] = [
    ['no oauth_version', drop('oauth_version'), 102, /missing parameter oauth_version/],
    ['oauth_version 2.0', { ...good, oauth_version: '2.0' }, 5, /oauth_version 2\.0/],
    ['no access_token', drop('access_token'), 102, /missing parameter access_token/],
    ['no openid', drop('openid'), 102, /missing parameter openid/],
    ['no oauth_consumer_key', drop('oauth_consumer_key'), 102, /missing parameter oauth_consumer_key/],
    ['unknown consumer key', { ...good, oauth_consumer_key: '809999999' }, 7, /unknown oauth_consumer_key/],
    ['graph appid as consumer key', { ...good, oauth_consumer_key: GRAPH.appid }, 7, /unknown oauth_consumer_key/],
    ['unknown token', { ...good, access_token: '0123456789ABCDEF0123456789ABCDEF' }, 3, /access_token does not exist/],
    ['another app\'s token', { ...good, access_token: otherToken.access_token }, 3, /access_token does not exist/],
    ['a graph.qq.com token', { ...good, access_token: graph.access_token }, 3, /access_token does not exist/],
    ['revoked token', { ...good, access_token: revoked.access_token }, 1, /revoked/],
    ['expired token', { ...good, access_token: stale.access_token }, 4, /expired/],
    ['another user\'s openid', { ...good, openid: aliceOpenid }, 7, /openid/],
    ['garbage openid', { ...good, openid: 'x' }, 7, /openid/],
  ];
  for (const [name, p, errcode, msg] of cases) {
    for (const format of ['json', 'xml']) {
      const res = await app.inject({ method: 'GET', url: `/api/statuses/home_timeline?${qs({ ...p, format, reqnum: 2 })}` });
      t.equal(res.statusCode, 200, `${name} ${format}`);
      const body = format === 'xml' ? (parseXml(res.body).root as Record<string, string>) : JSON.parse(res.body);
      t.equal(String(body.ret), '3', `${name} ${format}: ret`);
      t.equal(String(body.errcode), String(errcode), `${name} ${format}: errcode`);
      t.match(body.msg, msg, `${name} ${format}: msg`);
      t.notOk(body.data, `${name} ${format}: no data`);
    }
  }
  // the openid in lower case (as a 2013 capture shows it) is the same openid
  const lower = JSON.parse((await app.inject({ method: 'GET', url: `/api/user/info?${qs({ ...good, openid: openid.toLowerCase() })}` })).body);
  t.equal(lower.ret, 0);
});

t.test('a weibo OAuth 2.0 token is no graph.qq.com token', async (t) => {
  const bob = await signIn('bob');
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${bob.get('access_token')}` });
  t.match(me.body, /^callback\( \{"error":100016,/);
  t.notMatch(me.body, bob.get('openid')!);
  const json = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${bob.get('access_token')}&fmt=json` });
  t.equal(JSON.parse(json.body).error, 100013);
  const api = await app.inject({ method: 'GET', url: `/user/get_info?${qs({ access_token: bob.get('access_token')!, oauth_consumer_key: WEIBO.appid, openid: bob.get('openid')!, format: 'json' })}` });
  t.equal(JSON.parse(api.body).ret, 100008, 'a weibo app key is no graph appid');
});

t.test('OAuth 2.0 parameters in a form body; OAuth 1.0a calls unchanged beside them', async (t) => {
  const carol = await signIn('carol');
  const add = await app.inject({
    method: 'POST',
    url: '/api/t/add',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: qs({ ...v2(carol.get('access_token')!, carol.get('openid')!), format: 'json', content: 'posted with OAuth 2.0 form parameters' }),
  });
  const body = JSON.parse(add.body);
  t.equal(body.ret, 0, add.body);
  const show = await signed(app, weiboCreds(app, 'alice'), { method: 'GET', path: '/api/t/show', params: { id: body.data.id } });
  t.equal(JSON.parse(show.body).data.name, 'carol');
  // a signed call that also names oauth_version=2.a is judged as OAuth 1.0a (errcode 5, as before)
  const mixed = await signed(app, weiboCreds(app, 'alice'), { method: 'GET', path: '/api/user/info', oauth: { oauth_version: '2.a' } });
  t.equal(JSON.parse(mixed.body).errcode, 5);
});
