// G1–G3: /oauth2.0/authorize, /oauth2.0/token, /oauth2.0/me — byte-level answers, every
// documented error code, and the whole code flow over a real listening port.
import t from 'tap';
import { request } from 'node:http';
import { build, GRAPH, GRAPH_PLAIN, qs, userId } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const REDIRECT = 'http://localhost:3000/callback';

async function authorize(params: Record<string, string>) {
  return app.inject({ method: 'GET', url: `/oauth2.0/authorize?${qs(params)}` });
}

async function codeFor(user = 'alice', scope = 'all', redirect = REDIRECT) {
  const res = await authorize({ response_type: 'code', client_id: GRAPH.appid, redirect_uri: redirect, state: 'st', scope, emu_user: user });
  const loc = new URL(res.headers.location as string);
  return loc.searchParams.get('code')!;
}

async function token(params: Record<string, string>, method: 'GET' | 'POST' = 'GET') {
  if (method === 'GET') return app.inject({ method, url: `/oauth2.0/token?${qs(params)}` });
  return app.inject({ method, url: '/oauth2.0/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs(params) });
}

const exchange = (code: string, extra: Record<string, string> = {}) =>
  token({ grant_type: 'authorization_code', client_id: GRAPH.appid, client_secret: GRAPH.secret, code, redirect_uri: REDIRECT, ...extra });

t.test('G1 authorize (code): 302 to redirect_uri with code before state', async (t) => {
  const res = await authorize({ response_type: 'code', client_id: GRAPH.appid, redirect_uri: REDIRECT, state: 'test' });
  t.equal(res.statusCode, 302);
  const loc = res.headers.location as string;
  t.match(loc, /^http:\/\/localhost:3000\/callback\?code=[0-9A-F]{32}&state=test$/);
  t.match(/code=(\w+)&state=(\w+)&?/.exec(loc)?.[2], 'test', "the Java SDK's regex extracts the state");
});

t.test('G1 authorize keeps an existing query and echoes state byte for byte', async (t) => {
  const res = await authorize({ response_type: 'code', client_id: GRAPH.appid, redirect_uri: `${REDIRECT}?from=qq`, state: 'a b&c' });
  const loc = new URL(res.headers.location as string);
  t.equal(loc.searchParams.get('from'), 'qq');
  t.equal(loc.searchParams.get('state'), 'a b&c');
  t.ok(loc.search.indexOf('code=') < loc.search.indexOf('state='));
});

t.test('G1 authorize (token): implicit grant in the fragment, access_token first', async (t) => {
  const res = await authorize({ response_type: 'token', client_id: GRAPH.appid, redirect_uri: REDIRECT, state: 's1', emu_user: 'bob' });
  t.equal(res.statusCode, 302);
  const loc = res.headers.location as string;
  t.match(loc, /^http:\/\/localhost:3000\/callback#access_token=[0-9A-F]{32}&expires_in=7776000&state=s1$/);
  const at = /access_token=(\w+)/.exec(loc)![1];
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}&fmt=json` });
  t.equal(me.json().openid, app.world.apps.openidFor(GRAPH.appid, userId(app, 'bob')), 'the token is for the chosen user');
});

t.test('G1 authorize picks the user from the x-emulator-user header', async (t) => {
  const res = await app.inject({
    method: 'GET',
    url: `/oauth2.0/authorize?${qs({ response_type: 'code', client_id: GRAPH.appid, redirect_uri: REDIRECT, state: 'x' })}`,
    headers: { 'x-emulator-user': 'carol' },
  });
  const code = new URL(res.headers.location as string).searchParams.get('code')!;
  t.equal(app.world.oauth2.getCode(code)!.user_id, userId(app, 'carol'));
});

t.test('G1 authorize errors are shown on a page, never sent to the redirect_uri', async (t) => {
  const cases: [Record<string, string>, number][] = [
    [{ client_id: GRAPH.appid, redirect_uri: REDIRECT }, 100000],
    [{ response_type: 'bogus', client_id: GRAPH.appid, redirect_uri: REDIRECT }, 100000],
    [{ response_type: 'code', redirect_uri: REDIRECT }, 100001],
    [{ response_type: 'code', client_id: '999', redirect_uri: REDIRECT }, 100008],
    [{ response_type: 'code', client_id: GRAPH.appid }, 100010],
    [{ response_type: 'code', client_id: GRAPH.appid, redirect_uri: 'http://evil.example.com/callback' }, 100010],
    [{ response_type: 'code', client_id: GRAPH.appid, redirect_uri: 'http://localhost:3000/other' }, 100010],
    [{ response_type: 'code', client_id: GRAPH.appid, redirect_uri: 'javascript:alert(1)' }, 100010],
    [{ response_type: 'code', client_id: GRAPH.appid, redirect_uri: REDIRECT, emu_user: 'nobody' }, 100035],
  ];
  for (const [params, code] of cases) {
    const res = await authorize(params);
    t.equal(res.statusCode, 200, JSON.stringify(params));
    t.notOk(res.headers.location, 'no redirect');
    t.match(res.headers['content-type'], /text\/html/);
    t.match(res.body, `data-error="${code}"`, `error ${code} for ${JSON.stringify(params)}`);
  }
});

t.test('G2 token: url-encoded answer in the exact field order, then /me and an API call', async (t) => {
  const res = await exchange(await codeFor());
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/html');
  t.match(res.body, /^access_token=[0-9A-F]{32}&expires_in=7776000&refresh_token=[0-9A-F]{32}$/, "the Java SDK's regex matches");
  const at = new URLSearchParams(res.body).get('access_token')!;
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}` });
  const openid = app.world.apps.openidFor(GRAPH.appid, userId(app, 'alice'));
  t.equal(me.body, `callback( {"client_id":"${GRAPH.appid}","openid":"${openid}"} );\n`, 'exact bytes');
  t.equal(me.headers['content-type'], 'text/html');
  t.equal(me.body.slice(10, -4), `{"client_id":"${GRAPH.appid}","openid":"${openid}"}`, "python-social-auth's content[10:-3] (less the newline) is the JSON");
  const info = await app.inject({ method: 'GET', url: `/user/get_user_info?${qs({ access_token: at, oauth_consumer_key: GRAPH.appid, openid })}` });
  t.equal(info.json().ret, 0);
});

t.test('G2 token by POST form, fmt=json and need_openid', async (t) => {
  const res = await token({ grant_type: 'authorization_code', client_id: GRAPH.appid, client_secret: GRAPH.secret, code: await codeFor('bob'), redirect_uri: REDIRECT, fmt: 'json', need_openid: '1' }, 'POST');
  const body = res.json();
  t.same(Object.keys(body), ['access_token', 'expires_in', 'refresh_token', 'openid']);
  t.equal(body.expires_in, '7776000', 'expires_in is a string');
  t.equal(body.openid, app.world.apps.openidFor(GRAPH.appid, userId(app, 'bob')));
});

t.test('G2 token errors: JSONP by default, bare JSON with fmt=json, HTTP 200', async (t) => {
  const code = await codeFor();
  const base = { grant_type: 'authorization_code', client_id: GRAPH.appid, client_secret: GRAPH.secret, code, redirect_uri: REDIRECT };
  const cases: [Record<string, string>, number, string?][] = [
    [{ ...base, grant_type: '' }, 100004],
    [{ ...base, grant_type: 'password' }, 100004],
    [{ ...base, client_id: '' }, 100001],
    [{ ...base, client_id: '42' }, 100008],
    [{ ...base, client_secret: '' }, 100002],
    [{ ...base, client_secret: 'WRONG' }, 100009, 'client_secret is wrong'],
    [{ ...base, client_secret: GRAPH_PLAIN.secret }, 100009],
    [{ ...base, code: '' }, 100005],
    [{ ...base, code: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' }, 100019, 'code to access token error'],
    [{ ...base, redirect_uri: 'http://localhost:3000/callback/x' }, 100010, 'redirect uri is illegal'],
    [{ ...base, client_id: GRAPH_PLAIN.appid, client_secret: GRAPH_PLAIN.secret }, 100019],
  ];
  for (const [params, error, desc] of cases) {
    const res = await token(params);
    t.equal(res.statusCode, 200);
    const m = /^callback\( (\{.*\}) \);\n$/.exec(res.body);
    t.ok(m, `JSONP body for ${error}: ${res.body}`);
    const err = JSON.parse(m![1]);
    t.equal(err.error, error, JSON.stringify(params));
    if (desc) t.equal(err.error_description, desc);
    const j = await token({ ...params, fmt: 'json' });
    t.equal(j.json().error, error, 'fmt=json');
  }
  // the code survived all refusals above and still works once
  t.equal((await exchange(code)).statusCode, 200);
  const again = await exchange(code);
  t.equal(again.body, 'callback( {"error":100020,"error_description":"code is reused error"} );\n', 'reused code');
});

t.test('G2 codes expire after 10 minutes', async (t) => {
  const code = await codeFor();
  app.world.clock.advance(601);
  t.teardown(() => app.world.clock.advance(-601));
  const res = await exchange(code, { fmt: 'json' });
  t.equal(res.json().error, 100019);
});

t.test('G2 refresh_token grant rotates the pair; an old refresh token is spent', async (t) => {
  const first = new URLSearchParams((await exchange(await codeFor())).body);
  const refresh = (rt: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'refresh_token', client_id: GRAPH.appid, client_secret: GRAPH.secret, refresh_token: rt, ...extra });
  const second = await refresh(first.get('refresh_token')!);
  t.match(second.body, /^access_token=[0-9A-F]{32}&expires_in=7776000&refresh_token=[0-9A-F]{32}$/);
  const s = new URLSearchParams(second.body);
  t.not(s.get('access_token'), first.get('access_token'));
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${s.get('access_token')}&fmt=json` });
  t.equal(me.json().client_id, GRAPH.appid);
  t.equal((await refresh(first.get('refresh_token')!, { fmt: 'json' })).json().error, 100021, 'spent refresh token');
  t.equal((await refresh('', { fmt: 'json' })).json().error, 100006, 'missing refresh token');
  t.equal((await refresh('NOPE', { fmt: 'json' })).json().error, 100036, 'unknown refresh token');
  const other = await token({ grant_type: 'refresh_token', client_id: GRAPH_PLAIN.appid, client_secret: GRAPH_PLAIN.secret, refresh_token: s.get('refresh_token')!, fmt: 'json' });
  t.equal(other.json().error, 100041, "another app's refresh token");
  app.world.clock.advance(15552001);
  t.teardown(() => app.world.clock.advance(-15552001));
  t.equal((await refresh(s.get('refresh_token')!, { fmt: 'json' })).json().error, 100037, 'expired refresh chain');
});

t.test('G3 me: fmt=json, unionid, callback name, and its errors', async (t) => {
  const at = new URLSearchParams((await exchange(await codeFor())).body).get('access_token')!;
  const openid = app.world.apps.openidFor(GRAPH.appid, userId(app, 'alice'));
  const unionid = app.world.users.byName('alice')!.unionid;
  const j = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}&fmt=json` });
  t.equal(j.body, `{"client_id":"${GRAPH.appid}","openid":"${openid}"}`);
  const u = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}&unionid=1` });
  t.equal(u.body, `callback( {"client_id":"${GRAPH.appid}","openid":"${openid}","unionid":"${unionid}"} );\n`);
  t.match(unionid, /^UID_[0-9A-F]{32}$/);
  const cb = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}&callback=jQuery123_456` });
  t.match(cb.body, /^jQuery123_456\( \{/);
  const evil = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}&callback=${encodeURIComponent('alert(1);//')}` });
  t.match(evil.body, /^callback\( \{/, 'unsafe callback names are not echoed');

  const err = async (q: string) => (await app.inject({ method: 'GET', url: `/oauth2.0/me?${q}` })).body;
  t.equal(await err(''), 'callback( {"error":100007,"error_description":"access token is missing"} );\n');
  t.equal(await err('access_token=BAD'), 'callback( {"error":100016,"error_description":"access token check failed"} );\n');
  t.equal(await err('access_token=BAD&fmt=json'), '{"error":100013,"error_description":"access token is illegal"}');

  // unionid without the permission fails instead of dropping unionid
  const plain = app.world.oauth2.issueToken(GRAPH_PLAIN.appid, userId(app, 'alice'), 'get_user_info');
  t.match(await err(`access_token=${plain.access_token}&unionid=1&fmt=json`), /"error":100048/);
  t.equal(JSON.parse(await err(`access_token=${plain.access_token}&fmt=json`)).openid, app.world.apps.openidFor(GRAPH_PLAIN.appid, userId(app, 'alice')), 'openid differs per app');
  t.not(app.world.apps.openidFor(GRAPH_PLAIN.appid, userId(app, 'alice')), openid);

  app.world.oauth2.revoke(plain.access_token);
  t.match(await err(`access_token=${plain.access_token}`), /"error":100015/);
  const old = app.world.oauth2.issueToken(GRAPH.appid, userId(app, 'alice'), 'all');
  app.world.clock.advance(7776001);
  t.teardown(() => app.world.clock.advance(-7776001));
  t.match(await err(`access_token=${old.access_token}`), /"error":100014/);
});

t.test('whole code flow with a real HTTP client against a listening port', async (t) => {
  const live = await build();
  t.teardown(() => live.close());
  const address = await live.listen({ port: 0, host: '127.0.0.1' });
  const get = (url: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      request(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
        .on('error', reject)
        .end();
    });
  const auth = await get(`${address}/oauth2.0/authorize?${qs({ response_type: 'code', client_id: GRAPH.appid, redirect_uri: REDIRECT, state: 'live', scope: 'get_user_info,get_info', emu_user: 'dave' })}`);
  t.equal(auth.status, 302);
  const cb = new URL(auth.headers.location as string);
  t.equal(cb.searchParams.get('state'), 'live');
  const tok = await get(`${address}/oauth2.0/token?${qs({ grant_type: 'authorization_code', client_id: GRAPH.appid, client_secret: GRAPH.secret, code: cb.searchParams.get('code')!, redirect_uri: REDIRECT })}`);
  t.equal(tok.headers['content-type'], 'text/html');
  const at = new URLSearchParams(tok.body).get('access_token')!;
  const me = await get(`${address}/oauth2.0/me?access_token=${at}`);
  t.equal(me.headers['content-length'], String(Buffer.byteLength(me.body)));
  const m = /^callback\( (\{.*\}) \);\n$/.exec(me.body);
  t.ok(m);
  const { client_id, openid } = JSON.parse(m![1]);
  t.equal(client_id, GRAPH.appid);
  const info = await get(`${address}/user/get_user_info?${qs({ access_token: at, oauth_consumer_key: client_id, openid })}`);
  t.equal(info.status, 200);
  t.match(info.headers['content-type'], /^text\/html/);
  const user = JSON.parse(info.body);
  t.equal(user.ret, 0);
  t.equal(user.nickname, '大卫');
  const pic = await get(user.figureurl_qq_1);
  t.equal(pic.status, 200, 'the avatar URL the answer gives is served');
});
