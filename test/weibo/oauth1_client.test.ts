// T1–T3 through real clients on a real socket: node-oauth (params in the Authorization
// header, POST token requests, `oob`), and a Tencent-SDK-style client (GET, every
// parameter in the query string or the form body), then signed API calls with the token.
import t from 'tap';
import oauth from 'oauth';
import { build, listening, WEIBO, oauthParams, sign, parseXml } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const ORIGIN = await listening(app);
const REQUEST_URL = `${ORIGIN}/cgi-bin/request_token`;
const ACCESS_URL = `${ORIGIN}/cgi-bin/access_token`;
const CALLBACK = 'http://localhost:3000/weibo/callback';

interface Reply {
  status: number;
  body: string;
}

const client = (callback: string) => new oauth.OAuth(REQUEST_URL, ACCESS_URL, WEIBO.appid, WEIBO.secret, '1.0', callback, 'HMAC-SHA1');

function requestToken(oa: oauth.OAuth): Promise<{ token: string; secret: string; results: Record<string, unknown> }> {
  return new Promise((resolve, reject) =>
    oa.getOAuthRequestToken((err, token, secret, results) => (err ? reject(err) : resolve({ token, secret, results: results as Record<string, unknown> }))),
  );
}

function accessToken(oa: oauth.OAuth, token: string, secret: string, verifier: string): Promise<{ token: string; secret: string; results: Record<string, unknown> }> {
  return new Promise((resolve, reject) =>
    oa.getOAuthAccessToken(token, secret, verifier, (err, at, as, results) => (err ? reject(err) : resolve({ token: at, secret: as, results: results as Record<string, unknown> }))),
  );
}

function oaGet(oa: oauth.OAuth, url: string, token: string, secret: string): Promise<Reply> {
  return new Promise((resolve) =>
    oa.get(url, token, secret, (err, data, res) => {
      const e = err as { statusCode?: number; data?: string } | null;
      resolve({ status: e?.statusCode ?? res?.statusCode ?? 0, body: String(e?.data ?? data ?? '') });
    }),
  );
}

function oaPost(oa: oauth.OAuth, url: string, token: string, secret: string, body: Record<string, string>): Promise<Reply> {
  return new Promise((resolve) =>
    oa.post(url, token, secret, body, 'application/x-www-form-urlencoded', (err, data, res) => {
      const e = err as { statusCode?: number; data?: string } | null;
      resolve({ status: e?.statusCode ?? res?.statusCode ?? 0, body: String(e?.data ?? data ?? '') });
    }),
  );
}

/** The user approves in the browser: authorize answers a 302 to the callback (not followed). */
async function authorize(token: string, user = 'bob'): Promise<Response> {
  return fetch(`${ORIGIN}/cgi-bin/authorize?oauth_token=${token}&emu_user=${user}`, { redirect: 'manual' });
}

/** Out-of-band: the authorize page shows the verifier. */
async function pin(token: string, user = 'bob'): Promise<string> {
  const res = await authorize(token, user);
  const html = await res.text();
  const m = /<span id="oauth_verifier">(\d+)<\/span>/.exec(html);
  if (res.status !== 200 || !m) throw new Error(`no verifier in ${res.status} ${html}`);
  return m[1];
}

t.test('node-oauth: request_token, authorize (302), access_token, then signed API calls', async (t) => {
  const oa = client(CALLBACK);
  const rt = await requestToken(oa);
  t.match(rt.token, /^[0-9a-f]{32}$/, 'request token is 32 hex');
  t.match(rt.secret, /^[0-9a-f]{32}$/, 'request token secret is 32 hex');
  t.equal(rt.results.oauth_callback_confirmed, 'true');

  const res = await authorize(rt.token);
  t.equal(res.status, 302);
  const loc = new URL(res.headers.get('location')!);
  t.equal(`${loc.origin}${loc.pathname}`, CALLBACK, 'back to the callback');
  t.equal(loc.searchParams.get('oauth_token'), rt.token);
  const verifier = loc.searchParams.get('oauth_verifier')!;
  t.match(verifier, /^\d{6}$/, 'six-digit verifier');

  const at = await accessToken(oa, rt.token, rt.secret, verifier);
  t.match(at.token, /^[0-9a-f]{32}$/);
  t.not(at.token, rt.token, 'a new token, not the request token');
  t.equal(at.results.name, 'bob', 'name of the approving user');

  // GET with the oauth_* parameters in the Authorization header and the API's own in the query
  const info = await oaGet(oa, `${ORIGIN}/api/user/info?format=json`, at.token, at.secret);
  t.equal(info.status, 200);
  const ib = JSON.parse(info.body);
  t.equal(ib.ret, 0);
  t.equal(ib.data.name, 'bob', 'the token acts as bob');

  const xml = await oaGet(oa, `${ORIGIN}/api/user/info?format=xml`, at.token, at.secret);
  const x = parseXml(xml.body) as { root: { ret: string; data: { name: string } } };
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.name, 'bob');

  // POST with a form body (node-oauth signs the body fields too): '+', '&', '!*()' and Chinese
  const content = `node-oauth 发表 a+b=c&d !*'() ${Date.now()}`;
  const post = await oaPost(oa, `${ORIGIN}/api/t/add`, at.token, at.secret, { format: 'json', content, clientip: '127.0.0.1' });
  t.equal(post.status, 200);
  const pb = JSON.parse(post.body);
  t.equal(pb.ret, 0, `t/add accepted: ${post.body}`);
  t.match(pb.data.id, /^\d+$/);
  const shown = JSON.parse((await oaGet(oa, `${ORIGIN}/api/t/show?format=json&id=${pb.data.id}`, at.token, at.secret)).body);
  t.equal(shown.ret, 0);
  t.equal(shown.data.origtext, content, 'the posted text arrived intact');
  t.equal(shown.data.name, 'bob');

  // query parameters that node-oauth parses and signs itself (`+` is a space, %2B a plus)
  const q = await oaGet(oa, `${ORIGIN}/api/user/info?format=json&x=a+b&y=1%2B1&z=%E4%B8%AD%E6%96%87`, at.token, at.secret);
  t.equal(JSON.parse(q.body).ret, 0, 'extra query parameters sign correctly');

  // signUrl: every oauth_* parameter in the query string
  const signedUrl = oa.signUrl(`${ORIGIN}/api/user/info?format=json`, at.token, at.secret, 'GET');
  t.match(signedUrl, /oauth_signature=/);
  const su = (await (await fetch(signedUrl)).json()) as { ret: number; data: { name: string } };
  t.equal(su.ret, 0, 'signUrl (query-string oauth params) accepted');
  t.equal(su.data.name, 'bob');

  // a signed POST with the consumer credentials only (no token) to request_token
  const rtPost = await oaPost(oa, REQUEST_URL, '', '', { oauth_callback: 'null', note: '中文 + plus' });
  t.equal(rtPost.status, 200, rtPost.body);
  t.match(rtPost.body, /^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}&oauth_callback_confirmed=true$/);
});

t.test('node-oauth: the access token is refused once revoked, and the request token cannot be exchanged twice', async (t) => {
  const oa = client(CALLBACK);
  const rt = await requestToken(oa);
  const verifier = new URL((await authorize(rt.token, 'carol')).headers.get('location')!).searchParams.get('oauth_verifier')!;
  const at = await accessToken(oa, rt.token, rt.secret, verifier);
  t.equal(at.results.name, 'carol');
  const again = await new Promise<{ statusCode: number; data: string }>((resolve) =>
    oa.getOAuthAccessToken(rt.token, rt.secret, verifier, (err) => resolve(err as { statusCode: number; data: string })),
  );
  t.equal(again.statusCode, 401, 'second exchange is a non-2xx error for node-oauth');
  t.match(JSON.parse(again.data), { ret: 3, errcode: 1, data: null });

  t.equal(JSON.parse((await oaGet(oa, `${ORIGIN}/api/user/info?format=json`, at.token, at.secret)).body).data.name, 'carol');
  app.world.oauth1.revoke(at.token);
  const refused = await oaGet(oa, `${ORIGIN}/api/user/info?format=json`, at.token, at.secret);
  t.match(JSON.parse(refused.body), { ret: 3, errcode: 1, data: null }, 'revoked token');
});

t.test('node-oauth: a wrong consumer secret fails request_token with HTTP 401 and ret 3 errcode 9', async (t) => {
  const oa = new oauth.OAuth(REQUEST_URL, ACCESS_URL, WEIBO.appid, 'not-the-secret', '1.0', CALLBACK, 'HMAC-SHA1');
  const err = await new Promise<{ statusCode: number; data: string }>((resolve) => oa.getOAuthRequestToken((e) => resolve(e as { statusCode: number; data: string })));
  t.equal(err.statusCode, 401);
  t.same(JSON.parse(err.data), { data: null, errcode: 9, msg: 'check sign error', ret: 3 });
});

for (const cb of ['oob', 'null']) {
  t.test(`node-oauth: out-of-band flow with callback ${cb} (the page shows the verifier)`, async (t) => {
    const oa = client(cb);
    const rt = await requestToken(oa);
    t.equal(rt.results.oauth_callback_confirmed, 'true');
    const res = await authorize(rt.token, 'dave');
    t.equal(res.status, 200, 'no redirect');
    t.match(res.headers.get('content-type'), /text\/html/);
    const html = await res.text();
    const m = /<span id="oauth_verifier">(\d{6})<\/span>/.exec(html);
    t.ok(m, 'verifier shown in the page');
    const at = await accessToken(oa, rt.token, rt.secret, m![1]);
    t.equal(at.results.name, 'dave');
    const info = JSON.parse((await oaGet(oa, `${ORIGIN}/api/user/info?format=json`, at.token, at.secret)).body);
    t.equal(info.data.name, 'dave');
  });
}

t.test('node-oauth with GET token requests (requestTokenHttpMethod GET)', async (t) => {
  const oa = client('oob');
  oa.setClientOptions({ requestTokenHttpMethod: 'GET', accessTokenHttpMethod: 'GET', followRedirects: true });
  const rt = await requestToken(oa);
  const at = await accessToken(oa, rt.token, rt.secret, await pin(rt.token, 'erin'));
  t.equal(at.results.name, 'erin');
});

// ---- a Tencent-SDK-style client: no header, every parameter in the query (GET) or form body (POST)

interface Creds {
  token?: string;
  secret?: string;
}

function sdkRequest(method: 'GET' | 'POST', path: string, params: Record<string, string>, c: Creds = {}): Promise<Response> {
  const oauthSet = oauthParams({ consumerKey: WEIBO.appid, token: c.token }, {}, app.world.clock.now());
  const all = { ...params, ...oauthSet };
  const url = `${ORIGIN}${path}`;
  const sig = sign(method, url, all, WEIBO.secret, c.secret ?? '');
  const wire = new URLSearchParams({ ...all, oauth_signature: sig }).toString();
  if (method === 'GET') return fetch(`${url}?${wire}`, { redirect: 'manual' });
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: wire });
}

const parseForm = (s: string) => Object.fromEntries(new URLSearchParams(s));

t.test('Tencent SDK style: GET with everything in the query string (oauth_callback=null)', async (t) => {
  const r1 = await sdkRequest('GET', '/cgi-bin/request_token', { oauth_callback: 'null' });
  t.equal(r1.status, 200);
  const rt = parseForm(await r1.text());
  t.equal(rt.oauth_callback_confirmed, 'true');
  const verifier = await pin(rt.oauth_token, 'alice');
  const r2 = await sdkRequest('GET', '/cgi-bin/access_token', { oauth_verifier: verifier }, { token: rt.oauth_token, secret: rt.oauth_token_secret });
  t.equal(r2.status, 200);
  const at = parseForm(await r2.text());
  t.same(Object.keys(at), ['oauth_token', 'oauth_token_secret', 'name'], 'fields in the documented order');
  t.equal(at.name, 'alice');
  const c = { token: at.oauth_token, secret: at.oauth_token_secret };

  const info = (await (await sdkRequest('GET', '/api/user/info', { format: 'json', note: '腾讯 微博+1' }, c)).json()) as { ret: number; data: { name: string } };
  t.equal(info.ret, 0);
  t.equal(info.data.name, 'alice');

  const content = `SDK 表单发表 1+1=2 ${Date.now()}`;
  const add = (await (await sdkRequest('POST', '/api/t/add', { format: 'json', content, clientip: '10.0.0.1' }, c)).json()) as { ret: number; data: { id: string } };
  t.equal(add.ret, 0, 'form-body POST signed with the access token');
  const shown = (await (await sdkRequest('GET', '/api/t/show', { format: 'json', id: add.data.id }, c)).json()) as { ret: number; data: { origtext: string } };
  t.equal(shown.data.origtext, content);
});

t.test('Tencent SDK style: POST token requests with the form body', async (t) => {
  const r1 = await sdkRequest('POST', '/cgi-bin/request_token', { oauth_callback: 'http://client.example/cb?x=1' });
  const rt = parseForm(await r1.text());
  const res = await authorize(rt.oauth_token, 'bob');
  t.equal(res.status, 302);
  const loc = res.headers.get('location')!;
  t.match(loc, /^http:\/\/client\.example\/cb\?x=1&oauth_token=[0-9a-f]{32}&oauth_verifier=\d{6}$/, 'parameters appended to the callback query');
  const verifier = new URL(loc).searchParams.get('oauth_verifier')!;
  const r2 = await sdkRequest('POST', '/cgi-bin/access_token', { oauth_verifier: verifier }, { token: rt.oauth_token, secret: rt.oauth_token_secret });
  t.equal(parseForm(await r2.text()).name, 'bob');
});
