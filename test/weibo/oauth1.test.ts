// T1–T3 (request_token, authorize, access_token) and the OAuth 1.0a verification every
// open.t.qq.com call goes through: each refusal with ret 3 and its errcode, and the
// signature base string details (encoding, duplicates, multipart, host/port/scheme).
import t from 'tap';
import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
// @ts-expect-error oauth-sign ships no types
import oauthSign from 'oauth-sign';
import type { InjectOptions } from 'fastify';
import { build, weiboCreds, signed, parseXml, multipart, PNG_1x1, WEIBO, GRAPH, authHeader, userId, type WeiboCreds } from '../helpers.js';

const { hmacsign } = oauthSign as { hmacsign: (m: string, u: string, p: Record<string, string[]>, cs: string, ts: string) => string };

const app = await build();
t.teardown(() => app.close());
const clock = app.world.clock;

type Pairs = [string, string][];

/** RFC 3986 encoding, as careful clients put values on the wire. */
const enc = (s: string) => encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const wire = (p: Pairs) => p.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');

interface Creds {
  consumerKey: string;
  consumerSecret: string;
  token?: string;
  secret?: string;
}

interface Spec {
  method?: 'GET' | 'POST';
  path: string;
  /** API parameters in the query string / form body (signed) */
  query?: Pairs;
  body?: Pairs;
  /** where the oauth_* parameters travel (default: query for GET, body for POST) */
  via?: 'query' | 'body' | 'header';
  /** override oauth_* values; null leaves the parameter out */
  oauth?: Record<string, string | null>;
  /** the base URI the client signs (default http://open.t.qq.com + path) */
  signUri?: string;
  host?: string;
  headers?: Record<string, string>;
  consumerSecret?: string;
  tokenSecret?: string;
  /** sent but left out of the signature (a client bug) */
  unsignedQuery?: Pairs;
  /** multipart: text fields (signed) and files (not signed) */
  multipart?: { fields: Record<string, string>; files: Record<string, { filename: string; contentType: string; data: Buffer }> };
  /** extra pairs the client signed but did not send */
  signedOnly?: Pairs;
  /** raw query appended as is (after signing `query`) */
  rawQuery?: string;
  /** the oauth_timestamp (default: the emulator's clock) */
  at?: number;
}

/** Builds a signed request (a plain object, so it can be sent twice). */
function req(c: Creds, s: Spec): InjectOptions {
  const method = s.method ?? 'GET';
  const via = s.via ?? (method === 'GET' ? 'query' : 'body');
  const oauth: Pairs = [];
  const base: Record<string, string> = {
    oauth_consumer_key: c.consumerKey,
    oauth_nonce: randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(s.at ?? clock.now()),
    oauth_version: '1.0',
  };
  if (c.token) base.oauth_token = c.token;
  for (const [k, v] of Object.entries({ ...base, ...(s.oauth ?? {}) })) if (v !== null && k !== 'oauth_signature') oauth.push([k, v]);
  const bag: Record<string, string[]> = Object.create(null);
  const fields = Object.entries(s.multipart?.fields ?? {});
  for (const [k, v] of [...(s.query ?? []), ...(s.body ?? []), ...fields, ...oauth, ...(s.signedOnly ?? [])]) (bag[k] ??= []).push(v);
  const sig = hmacsign(method, s.signUri ?? `http://open.t.qq.com${s.path}`, bag, s.consumerSecret ?? c.consumerSecret, s.tokenSecret ?? c.secret ?? '');
  const sigOverride = s.oauth?.oauth_signature;
  if (sigOverride !== null) oauth.push(['oauth_signature', sigOverride ?? sig]);
  const headers: Record<string, string> = { host: s.host ?? 'open.t.qq.com', ...(s.headers ?? {}) };
  if (via === 'header') headers.authorization = authHeader(Object.fromEntries(oauth));
  const query = [...(s.query ?? []), ...(via === 'query' ? oauth : []), ...(s.unsignedQuery ?? [])];
  let url = s.path + (query.length ? `?${wire(query)}` : '');
  if (s.rawQuery) url += (url.includes('?') ? '&' : '?') + s.rawQuery;
  if (s.multipart) {
    const textFields = { ...s.multipart.fields, ...(via === 'body' ? Object.fromEntries(oauth) : {}) };
    const mp = multipart(textFields, s.multipart.files);
    return { method, url, headers: { ...headers, ...mp.headers }, payload: mp.payload };
  }
  const body = [...(s.body ?? []), ...(via === 'body' ? oauth : [])];
  if (method === 'POST' || body.length) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return { method, url, headers, payload: wire(body) };
  }
  return { method, url, headers };
}

const send = (c: Creds, s: Spec) => app.inject(req(c, s));
const consumer: Creds = { consumerKey: WEIBO.appid, consumerSecret: WEIBO.secret };
const fromWeibo = (w: WeiboCreds): Creds => ({ consumerKey: w.consumerKey, consumerSecret: w.consumerSecret, token: w.token, secret: w.secret });
const alice = fromWeibo(weiboCreds(app, 'alice'));
const INFO = '/api/user/info';
const form = (s: string) => Object.fromEntries(new URLSearchParams(s));

/** request_token → authorize (as `user`) → the request credentials and verifier. */
async function authorised(user = 'bob', callback = 'http://localhost:3000/weibo/callback') {
  const r = await send(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', callback]] });
  if (r.statusCode !== 200) throw new Error(r.body);
  const rt = form(r.body);
  const a = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}&emu_user=${user}` });
  const verifier = a.statusCode === 302 ? new URL(a.headers.location as string).searchParams.get('oauth_verifier')! : /id="oauth_verifier">(\d+)</.exec(a.body)![1];
  return { creds: { ...consumer, token: rt.oauth_token, secret: rt.oauth_token_secret } as Creds, verifier };
}

/** Checks a cgi-bin refusal: HTTP 401, weibo envelope, ret 3, the errcode and a msg. */
function refusedCgi(t: Test, res: Awaited<ReturnType<typeof send>>, errcode: number, msg: RegExp) {
  t.equal(res.statusCode, 401, 'HTTP 401');
  const b = res.json();
  t.same(Object.keys(b), ['data', 'errcode', 'msg', 'ret'], 'weibo envelope, keys sorted');
  t.match(b, { ret: 3, errcode, data: null, msg });
}

/** Checks an API refusal: HTTP 200, ret 3, the errcode and a msg. */
function refusedApi(t: Test, res: Awaited<ReturnType<typeof send>>, errcode: number, msg: RegExp) {
  t.equal(res.statusCode, 200, 'HTTP 200 as the real API');
  t.match(res.json(), { ret: 3, errcode, data: null, msg });
}

const ok = (t: Test, res: Awaited<ReturnType<typeof send>>, name = 'alice') => {
  const b = res.json();
  t.equal(b.ret, 0, `accepted: ${res.body.slice(0, 200)}`);
  t.equal(b.data?.name, name);
};

// ------------------------------------------------------------------------------ T1 request_token

t.test('T1 request_token answers an url-encoded token pair, oauth params in query, body or header', async (t) => {
  for (const [method, via] of [
    ['GET', 'query'],
    ['POST', 'body'],
    ['GET', 'header'],
    ['POST', 'header'],
  ] as const) {
    const res = await send(consumer, { method, via, path: '/cgi-bin/request_token', query: [['oauth_callback', 'null']] });
    t.equal(res.statusCode, 200, `${method} ${via}`);
    t.match(res.headers['content-type'], /^text\/html/);
    t.match(res.body, /^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}&oauth_callback_confirmed=true$/);
    const tok = app.world.oauth1.get(form(res.body).oauth_token)!;
    t.equal(tok.kind, 'request');
    t.equal(tok.callback, 'null');
  }
  // without oauth_callback the token is out-of-band; oauth_callback may also travel in the header
  const none = await send(consumer, { path: '/cgi-bin/request_token' });
  t.equal(app.world.oauth1.get(form(none.body).oauth_token)!.callback, 'null');
  const hdr = await send(consumer, { path: '/cgi-bin/request_token', via: 'header', oauth: { oauth_callback: 'http://client.example/cb' } });
  t.equal(app.world.oauth1.get(form(hdr.body).oauth_token)!.callback, 'http://client.example/cb');
});

t.test('T1 request_token refuses a callback that is not an http(s) URL, null, oob or empty', async (t) => {
  for (const cb of ['javascript:alert(1)', 'not a url', 'ftp://client.example/cb']) {
    refusedCgi(t, await send(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', cb]] }), 7, /oauth_callback/);
  }
  for (const cb of ['', 'oob', 'null', 'https://client.example/cb?a=1']) {
    t.equal((await send(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', cb]] })).statusCode, 200, JSON.stringify(cb));
  }
});

t.test('T1 request_token refusals: signature, consumer key, replay, and the XML error body', async (t) => {
  refusedCgi(t, await send(consumer, { path: '/cgi-bin/request_token', consumerSecret: 'wrong' }), 9, /^check sign error$/);
  // the signing key is enc(secret)&: signing with a token secret fails
  refusedCgi(t, await send(consumer, { path: '/cgi-bin/request_token', tokenSecret: 'x' }), 9, /check sign error/);
  refusedCgi(t, await send({ ...consumer, consumerKey: '800999999' }, { path: '/cgi-bin/request_token' }), 7, /oauth_consumer_key/);
  refusedCgi(t, await send({ ...consumer, consumerKey: GRAPH.appid, consumerSecret: GRAPH.secret }, { path: '/cgi-bin/request_token' }), 7, /oauth_consumer_key/);
  const once = req(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', 'null']] });
  t.equal((await app.inject(once)).statusCode, 200);
  refusedCgi(t, await app.inject(once), 2, /replay/);

  const x = await send(consumer, { path: '/cgi-bin/request_token', query: [['format', 'xml']], consumerSecret: 'wrong' });
  t.equal(x.statusCode, 401);
  t.match(x.headers['content-type'], /^text\/xml/);
  const root = (parseXml(x.body) as { root: Record<string, string> }).root;
  t.same({ ret: root.ret, errcode: root.errcode, msg: root.msg }, { ret: '3', errcode: '9', msg: 'check sign error' });
});

t.test('T1 multipart body: text parts are signed, the pic file part is not', async (t) => {
  const files = { pic: { filename: 'a.png', contentType: 'image/png', data: PNG_1x1 } };
  const fields = { oauth_callback: 'null', note: '中文 a+b' };
  for (const via of ['body', 'header'] as const) {
    const res = await send(consumer, { method: 'POST', path: '/cgi-bin/request_token', via, multipart: { fields, files } });
    t.equal(res.statusCode, 200, `multipart, oauth in ${via}: ${res.body}`);
    t.match(res.body, /^oauth_token=[0-9a-f]{32}&/);
  }
  // a text part left out of the signature is a signature error: sign without `note`, then send it
  const only = req(consumer, { method: 'POST', path: '/cgi-bin/request_token', multipart: { fields: { oauth_callback: 'null' }, files } });
  const mp = multipart({ oauth_callback: 'null', note: 'unsigned', ...oauthFieldsOf(only) }, files);
  refusedCgi(t, await app.inject({ method: 'POST', url: '/cgi-bin/request_token', headers: { host: 'open.t.qq.com', ...mp.headers }, payload: mp.payload }), 9, /check sign error/);
  // control: the same construction with every text part signed is accepted
  const all = req(consumer, { method: 'POST', path: '/cgi-bin/request_token', multipart: { fields: { oauth_callback: 'null', note: 'signed' }, files } });
  const mp2 = multipart({ oauth_callback: 'null', note: 'signed', ...oauthFieldsOf(all) }, files);
  t.equal((await app.inject({ method: 'POST', url: '/cgi-bin/request_token', headers: { host: 'open.t.qq.com', ...mp2.headers }, payload: mp2.payload })).statusCode, 200);
  // a client that signed the file part as a field gets a signature error too
  refusedCgi(t, await send(consumer, { method: 'POST', path: '/cgi-bin/request_token', multipart: { fields, files }, signedOnly: [['pic', 'a.png']] }), 9, /check sign error/);
});

/** The oauth_* text fields of a multipart request built by req() (parsed back from its payload). */
function oauthFieldsOf(r: InjectOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const text = (r.payload as Buffer).toString('latin1');
  for (const m of text.matchAll(/name="(oauth_[a-z_]+)"\r\n\r\n([^\r]*)\r\n/g)) out[m[1]] = m[2];
  return out;
}

// ------------------------------------------------------------------------------ T2 authorize

t.test('T2 authorize redirects to the callback with oauth_token and oauth_verifier', async (t) => {
  const r = form((await send(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', 'http://client.example/cb?a=1&b=%E4%B8%AD#frag']] })).body);
  const res = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${r.oauth_token}&emu_user=carol` });
  t.equal(res.statusCode, 302);
  const loc = res.headers.location as string;
  t.match(loc, new RegExp(`^http://client\\.example/cb\\?a=1&b=%E4%B8%AD&oauth_token=${r.oauth_token}&oauth_verifier=\\d{6}#frag$`), 'appended to the query, before the fragment');
  const tok = app.world.oauth1.get(r.oauth_token)!;
  t.equal(tok.user_id, userId(app, 'carol'), 'bound to the approving user');
  t.equal(tok.verifier, new URL(loc).searchParams.get('oauth_verifier'));

  // a callback with non-ASCII characters still gives a valid Location header
  const r2 = form((await send(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', 'http://client.example/回调']] })).body);
  const res2 = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${r2.oauth_token}` });
  t.equal(res2.statusCode, 302);
  t.match(res2.headers.location, /^http:\/\/client\.example\/%E5%9B%9E%E8%B0%83\?oauth_token=[0-9a-f]{32}&oauth_verifier=\d{6}$/);
  t.equal(app.world.oauth1.get(r2.oauth_token)!.user_id, userId(app, 'alice'), 'default user is the auto-approve user (alice)');

  // the X-Emulator-User header picks the user too
  const r3 = form((await send(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', 'http://client.example/cb']] })).body);
  const res3 = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${r3.oauth_token}`, headers: { 'x-emulator-user': 'dave' } });
  t.equal(res3.statusCode, 302);
  t.equal(app.world.oauth1.get(r3.oauth_token)!.user_id, userId(app, 'dave'));
});

t.test('T2 authorize out-of-band (null, oob, empty): the page shows the verifier', async (t) => {
  for (const cb of ['null', 'oob', '']) {
    const r = form((await send(consumer, { path: '/cgi-bin/request_token', query: [['oauth_callback', cb]] })).body);
    const res = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${r.oauth_token}&emu_user=bob` });
    t.equal(res.statusCode, 200, JSON.stringify(cb));
    t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
    const v = /<span id="oauth_verifier">(\d{6})<\/span>/.exec(res.body);
    t.ok(v, 'verifier in the page');
    t.equal(app.world.oauth1.get(r.oauth_token)!.verifier, v?.[1]);
  }
});

t.test('T2 authorize refusals: missing, unknown, access or used token, expired token, unknown user', async (t) => {
  const page = async (url: string, msg: RegExp, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'GET', url, headers });
    t.equal(res.statusCode, 400, url);
    t.match(res.headers['content-type'], /^text\/html/);
    t.match(res.body, /<p id="error">/);
    t.match(res.body, msg);
  };
  await page('/cgi-bin/authorize', /invalid oauth_token/);
  await page('/cgi-bin/authorize?oauth_token=0123456789abcdef0123456789abcdef', /invalid oauth_token/);
  await page(`/cgi-bin/authorize?oauth_token=${alice.token}`, /invalid oauth_token/);

  const { creds, verifier } = await authorised('bob');
  t.equal((await send(creds, { path: '/cgi-bin/access_token', query: [['oauth_verifier', verifier]] })).statusCode, 200);
  await page(`/cgi-bin/authorize?oauth_token=${creds.token}`, /already been used/);

  const r = form((await send(consumer, { path: '/cgi-bin/request_token' })).body);
  await page(`/cgi-bin/authorize?oauth_token=${r.oauth_token}&emu_user=nobody-here`, /no such emulated user/);
  await page(`/cgi-bin/authorize?oauth_token=${r.oauth_token}`, /no such emulated user/, { 'x-emulator-user': 'nobody-here' });
  clock.advance(3601);
  try {
    await page(`/cgi-bin/authorize?oauth_token=${r.oauth_token}`, /expired/);
  } finally {
    clock.advance(-3601);
  }
  t.equal(app.world.oauth1.get(r.oauth_token)!.user_id, null, 'no refusal bound a user');
});

// ------------------------------------------------------------------------------ T3 access_token

t.test('T3 access_token exchanges an authorised request token; the access token then signs API calls', async (t) => {
  for (const [method, via] of [
    ['GET', 'query'],
    ['POST', 'body'],
    ['POST', 'header'],
  ] as const) {
    const { creds, verifier } = await authorised('bob');
    const res = await send(creds, { method, via, path: '/cgi-bin/access_token', query: [['oauth_verifier', verifier]] });
    t.equal(res.statusCode, 200, `${method} ${via}: ${res.body}`);
    t.match(res.body, /^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}&name=bob$/);
    const at = form(res.body);
    const tok = app.world.oauth1.get(at.oauth_token)!;
    t.equal(tok.kind, 'access');
    t.equal(tok.user_id, userId(app, 'bob'));
    t.equal(app.world.oauth1.get(creds.token!)!.used, 1, 'request token spent');
    // read-after-write: the new token works, signed with its own secret
    const access: Creds = { ...consumer, token: at.oauth_token, secret: at.oauth_token_secret };
    ok(t, await send(access, { path: INFO, query: [['format', 'json']] }), 'bob');
    refusedApi(t, await send(access, { path: INFO, tokenSecret: creds.secret }), 9, /check sign error/);
  }
  // oauth_callback sent again on access_token (the seed lists it) is harmless
  const { creds, verifier } = await authorised('erin');
  const res = await send(creds, { path: '/cgi-bin/access_token', query: [['oauth_verifier', verifier], ['oauth_callback', 'null']] });
  t.equal(form(res.body).name, 'erin');
});

t.test('T3 access_token refusals', async (t) => {
  const at = (c: Creds, s: Partial<Spec> = {}) => send(c, { path: '/cgi-bin/access_token', ...s });
  {
    const { creds } = await authorised();
    refusedCgi(t, await at(creds), 7, /missing parameter oauth_verifier/);
  }
  {
    const { creds, verifier } = await authorised();
    const wrong = verifier === '123456' ? '654321' : '123456';
    refusedCgi(t, await at(creds, { query: [['oauth_verifier', wrong]] }), 7, /oauth_verifier is wrong/);
    // a wrong verifier does not spend the request token
    t.equal((await at(creds, { query: [['oauth_verifier', verifier]] })).statusCode, 200, 'the right verifier still works');
    refusedCgi(t, await at(creds, { query: [['oauth_verifier', verifier]] }), 1, /already been exchanged/);
  }
  {
    // not authorised yet
    const r = form((await send(consumer, { path: '/cgi-bin/request_token' })).body);
    refusedCgi(t, await at({ ...consumer, token: r.oauth_token, secret: r.oauth_token_secret }, { query: [['oauth_verifier', '123456']] }), 7, /not authorised/);
  }
  {
    // signed with the consumer secret only, or with the wrong token secret
    const { creds, verifier } = await authorised();
    refusedCgi(t, await at(creds, { query: [['oauth_verifier', verifier]], tokenSecret: '' }), 9, /^check sign error$/);
    refusedCgi(t, await at(creds, { query: [['oauth_verifier', verifier]], consumerSecret: 'nope' }), 9, /^check sign error$/);
    t.equal(app.world.oauth1.get(creds.token!)!.used, 0, 'refusals do not spend the token');
  }
  refusedCgi(t, await at(alice, { query: [['oauth_verifier', '123456']] }), 3, /not a request token/);
  refusedCgi(t, await at({ ...consumer, token: '0123456789abcdef0123456789abcdef', secret: 'x' }, { query: [['oauth_verifier', '1']] }), 3, /does not exist/);
  refusedCgi(t, await at(consumer, { query: [['oauth_verifier', '1']] }), 7, /missing parameter oauth_token/);
  {
    // the request token expires an hour after it was issued
    const { creds, verifier } = await authorised();
    clock.advance(3601);
    try {
      refusedCgi(t, await at(creds, { query: [['oauth_verifier', verifier]] }), 4, /expired/);
    } finally {
      clock.advance(-3601);
    }
  }
  {
    const { creds, verifier } = await authorised();
    const x = await at(creds, { query: [['oauth_verifier', verifier.split('').reverse().join('') + '0'], ['format', 'xml']] });
    t.equal(x.statusCode, 401);
    const root = (parseXml(x.body) as { root: Record<string, string> }).root;
    t.equal(root.ret, '3');
    t.equal(root.errcode, '7');
    t.equal(root.data, '');
  }
});

// ------------------------------------------------------------------------------ API verification

t.test('API: bad signatures are ret 3 errcode 9', async (t) => {
  ok(t, await send(alice, { path: INFO }));
  refusedApi(t, await send(alice, { path: INFO, consumerSecret: 'wrong' }), 9, /^check sign error$/);
  refusedApi(t, await send(alice, { path: INFO, tokenSecret: 'wrong' }), 9, /^check sign error$/);
  refusedApi(t, await send(alice, { path: INFO, tokenSecret: '' }), 9, /^check sign error$/);
  refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }), 9, /^check sign error$/);
  refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_signature: 'short' } }), 9, /^check sign error$/);
  // a parameter added after signing, or signed but not sent, or signed for another path
  refusedApi(t, await send(alice, { path: INFO, unsignedQuery: [['format', 'json']] }), 9, /check sign error/);
  refusedApi(t, await send(alice, { path: INFO, signedOnly: [['format', 'json']] }), 9, /check sign error/);
  refusedApi(t, await send(alice, { path: INFO, signUri: 'http://open.t.qq.com/api/user/other_info' }), 9, /check sign error/);
  // the order of parameters on the wire does not matter (the base string sorts them)
  const r = req(alice, { path: INFO, query: [['b', '2'], ['a', '1'], ['format', 'json']] });
  const [path, q] = (r.url as string).split('?');
  ok(t, await app.inject({ ...r, url: `${path}?${q.split('&').reverse().join('&')}` }));
  // signed as POST, sent as GET
  const p = req(consumer, { method: 'POST', via: 'query', path: '/cgi-bin/request_token' });
  refusedCgi(t, await app.inject({ ...p, method: 'GET' }), 9, /check sign error/);
  t.equal((await app.inject(req(consumer, { method: 'POST', via: 'query', path: '/cgi-bin/request_token' }))).statusCode, 200, 'control: POST as signed');
});

t.test('API: token refusals (unknown 3, revoked 1, request token 3, other app 3) and consumer key (7)', async (t) => {
  refusedApi(t, await send({ ...alice, token: '0123456789abcdef0123456789abcdef' }, { path: INFO }), 3, /access_token does not exist/);
  refusedApi(t, await send({ ...alice, consumerKey: '800999999' }, { path: INFO }), 7, /unknown oauth_consumer_key/);
  refusedApi(t, await send({ ...alice, consumerKey: GRAPH.appid, consumerSecret: GRAPH.secret }, { path: INFO }), 7, /unknown oauth_consumer_key/);

  const c = fromWeibo(weiboCreds(app, 'carol'));
  ok(t, await send(c, { path: INFO }), 'carol');
  t.ok(app.world.oauth1.revoke(c.token!));
  refusedApi(t, await send(c, { path: INFO }), 1, /revoked/);

  const { creds } = await authorised('bob');
  refusedApi(t, await send(creds, { path: INFO }), 3, /request token, not an access token/);

  const other = app.world.apps.get('801000077') ?? app.world.apps.create({ appid: '801000077', secret: 'b'.repeat(32), name: 'Other Weibo Client', platform: 'weibo' });
  const foreign = app.world.oauth1.createAccessToken(other.appid, userId(app, 'alice'));
  refusedApi(t, await send({ ...alice, token: foreign.token, secret: foreign.secret }, { path: INFO }), 3, /does not exist/);
  ok(t, await send({ consumerKey: other.appid, consumerSecret: other.secret, token: foreign.token, secret: foreign.secret }, { path: INFO }));
});

t.test('API: a reused nonce is a replay (errcode 2); only a well-signed request spends a nonce', async (t) => {
  for (const via of ['query', 'header'] as const) {
    const once = req(alice, { path: INFO, via, query: [['format', 'json']] });
    ok(t, await app.inject(once));
    refusedApi(t, await app.inject(once), 2, /replay/);
  }
  const post = req(consumer, { method: 'POST', path: '/cgi-bin/request_token', body: [['oauth_callback', 'null']] });
  t.equal((await app.inject(post)).statusCode, 200);
  refusedCgi(t, await app.inject(post), 2, /replay/);

  // same nonce and timestamp in another request is still a replay
  const nonce = randomBytes(16).toString('hex');
  const at = clock.now();
  ok(t, await send(alice, { path: INFO, oauth: { oauth_nonce: nonce }, at }));
  refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_nonce: nonce }, at, query: [['x', '1']] }), 2, /replay/);

  // a badly signed request does not burn its nonce
  const n2 = randomBytes(16).toString('hex');
  refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_nonce: n2 }, consumerSecret: 'bad' }), 9, /check sign error/);
  ok(t, await send(alice, { path: INFO, oauth: { oauth_nonce: n2 } }));
  // short nonces are accepted (python-oauth sent 8 digits)
  ok(t, await send(alice, { path: INFO, oauth: { oauth_nonce: '12345678' } }));
});

t.test('API: oauth_timestamp outside ±300 s of the server clock is errcode 4', async (t) => {
  const now = clock.now();
  clock.set(now, true);
  t.teardown(() => clock.reset());
  // a request signed now and delivered five minutes and one second later
  const late = req(alice, { path: INFO });
  clock.advance(301);
  refusedApi(t, await app.inject(late), 4, /oauth_timestamp is outside/);
  clock.advance(-301);
  // a client clock running ahead
  refusedApi(t, await send(alice, { path: INFO, at: now + 301 }), 4, /outside/);
  refusedApi(t, await send(alice, { path: INFO, at: now - 301 }), 4, /outside/);
  // the window edges are accepted
  ok(t, await send(alice, { path: INFO, at: now + 300 }));
  ok(t, await send(alice, { path: INFO, at: now - 300 }));
  const edge = req(alice, { path: INFO });
  clock.advance(300);
  ok(t, await app.inject(edge));
  clock.advance(-300);
  refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_timestamp: 'yesterday' } }), 4, /not a number/);
  refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_timestamp: '-5' } }), 4, /not a number/);
});

t.test('API: signature method (6), oauth_version (5), missing oauth params (7)', async (t) => {
  for (const m of ['PLAINTEXT', 'HMAC-SHA256', 'RSA-SHA1', 'hmac-sha1']) {
    refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_signature_method: m } }), 6, new RegExp(`unsupported oauth_signature_method ${m}`));
  }
  for (const v of ['2.0', '1.0a', '2.a', '']) {
    refusedApi(t, await send(alice, { path: INFO, oauth: { oauth_version: v } }), 5, /unsupported oauth_version/);
  }
  ok(t, await send(alice, { path: INFO, oauth: { oauth_version: null } }));
  for (const p of ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce', 'oauth_token']) {
    refusedApi(t, await send(alice, { path: INFO, oauth: { [p]: null } }), 7, new RegExp(`missing parameter ${p}$`));
    refusedApi(t, await send(alice, { path: INFO, oauth: { [p]: '' } }), 7, new RegExp(`missing parameter ${p}$`));
  }
  // an unsigned call
  refusedApi(t, await app.inject({ method: 'GET', url: `${INFO}?format=json` }), 7, /missing parameter/);
  // a malformed Authorization header
  refusedApi(t, await app.inject({ method: 'GET', url: INFO, headers: { authorization: 'OAuth oauth_nonce="%E4%zz"' } }), 7, /malformed Authorization/);
  // realm in the header is not signed
  ok(t, await send(alice, { path: INFO, via: 'header', headers: {} }));
  const r = req(alice, { path: INFO, via: 'header' });
  const headers = r.headers as Record<string, string>;
  ok(t, await app.inject({ ...r, headers: { ...headers, authorization: headers.authorization.replace('OAuth ', 'OAuth realm="http://open.t.qq.com/", ') } }));
});

// ------------------------------------------------------------------------------ base string details

t.test('encoding: +, spaces, reserved characters and Chinese values sign correctly', async (t) => {
  const values: Pairs = [
    ['plus', 'a+b'],
    ['space', 'a b'],
    ['chinese', '腾讯微博 开放平台'],
    ['reserved', "!*'()~-._&=?/:;,@$#%"],
    ['emoji', '😀'],
    ['empty', ''],
    ['名字', '值'],
  ];
  for (const via of ['query', 'header'] as const) ok(t, await send(alice, { path: INFO, via, query: values }), 'alice');
  for (const via of ['body', 'header'] as const) {
    const res = await send(consumer, { method: 'POST', via, path: '/cgi-bin/request_token', body: values });
    t.equal(res.statusCode, 200, `form body, oauth in ${via}: ${res.body}`);
  }
  // `+` on the wire is a space (form semantics), so a client that signed 'a b' and sent a+b is right ...
  ok(t, await send(alice, { path: INFO, signedOnly: [['q', 'a b']], rawQuery: 'q=a+b' }));
  // ... and one that signed a literal '+' but forgot to send %2B gets a signature error (OC issue #5)
  refusedApi(t, await send(alice, { path: INFO, signedOnly: [['q', 'a+b']], rawQuery: 'q=a+b' }), 9, /check sign error/);
  // a parameter without `=` is signed with an empty value
  ok(t, await send(alice, { path: INFO, signedOnly: [['flag', '']], rawQuery: 'flag' }));
  // parameter names that are Object.prototype members are ordinary names
  ok(t, await send(alice, { path: INFO, query: [['toString', '1'], ['constructor', '2'], ['__proto__', '3'], ['hasOwnProperty', '4']] }));
  const res = await send(consumer, { method: 'POST', path: '/cgi-bin/request_token', body: [['toString', '1'], ['__proto__', 'x']] });
  t.equal(res.statusCode, 200, res.body);
});

t.test('encoding: duplicated parameter names are all signed (sorted by value)', async (t) => {
  ok(t, await send(alice, { path: INFO, query: [['a', '2'], ['a', '10'], ['a', '1'], ['b', 'x']] }));
  const res = await send(consumer, { method: 'POST', path: '/cgi-bin/request_token', body: [['n', 'z'], ['n', 'a'], ['n', '中']] });
  t.equal(res.statusCode, 200, res.body);
  // the same name in the query and in the body
  const both = await send(consumer, { method: 'POST', path: '/cgi-bin/request_token', query: [['dup', 'q']], body: [['dup', 'b']] });
  t.equal(both.statusCode, 200, both.body);
  // a duplicate the client did not sign
  refusedApi(t, await send(alice, { path: INFO, query: [['a', '1']], unsignedQuery: [['a', '2']] }), 9, /check sign error/);
});

t.test('base URI: a non-default port is part of it, :80/:443 are not, the host is case-insensitive', async (t) => {
  ok(t, await send(alice, { path: INFO, host: 'open.t.qq.com:8080', signUri: `http://open.t.qq.com:8080${INFO}` }));
  refusedApi(t, await send(alice, { path: INFO, host: 'open.t.qq.com:8080', signUri: `http://open.t.qq.com${INFO}` }), 9, /check sign error/);
  ok(t, await send(alice, { path: INFO, host: 'open.t.qq.com:80', signUri: `http://open.t.qq.com${INFO}` }));
  refusedApi(t, await send(alice, { path: INFO, host: 'open.t.qq.com:80', signUri: `http://open.t.qq.com:80${INFO}` }), 9, /check sign error/);
  ok(t, await send(alice, { path: INFO, host: 'OPEN.T.QQ.COM', signUri: `http://open.t.qq.com${INFO}` }));
  ok(t, await send(alice, { path: INFO, host: '127.0.0.1:18080', signUri: `http://127.0.0.1:18080${INFO}` }));
  // the path as sent (here with the trailing slash the router tolerates)
  ok(t, await send(alice, { path: `${INFO}/`, signUri: `http://open.t.qq.com${INFO}/` }));
  refusedApi(t, await send(alice, { path: `${INFO}/`, signUri: `http://open.t.qq.com${INFO}` }), 9, /check sign error/);
  // token endpoints use the same base URI rules
  const r = await send(consumer, { path: '/cgi-bin/request_token', host: 'localhost:3001', signUri: 'http://localhost:3001/cgi-bin/request_token' });
  t.equal(r.statusCode, 200);
});

t.test('base URI: x-forwarded-proto https and x-forwarded-host are respected', async (t) => {
  const https = { 'x-forwarded-proto': 'https' };
  ok(t, await send(alice, { path: INFO, headers: https, signUri: `https://open.t.qq.com${INFO}` }));
  refusedApi(t, await send(alice, { path: INFO, signUri: `https://open.t.qq.com${INFO}` }), 9, /check sign error/);
  refusedApi(t, await send(alice, { path: INFO, headers: https, signUri: `http://open.t.qq.com${INFO}` }), 9, /check sign error/);
  ok(t, await send(alice, { path: INFO, headers: { 'x-forwarded-proto': 'https, http' }, signUri: `https://open.t.qq.com${INFO}` }));
  ok(t, await send(alice, { path: INFO, host: 'open.t.qq.com:443', headers: https, signUri: `https://open.t.qq.com${INFO}` }));
  ok(t, await send(alice, { path: INFO, host: 'open.t.qq.com:8443', headers: https, signUri: `https://open.t.qq.com:8443${INFO}` }));
  ok(t, await send(alice, { path: INFO, host: '127.0.0.1:9999', headers: { ...https, 'x-forwarded-host': 'open.t.qq.com' }, signUri: `https://open.t.qq.com${INFO}` }));
  const r = await send(consumer, { path: '/cgi-bin/request_token', headers: https, signUri: 'https://open.t.qq.com/cgi-bin/request_token' });
  t.equal(r.statusCode, 200);
});

t.test('base URI: a configured public base URL wins over the Host header', async (t) => {
  const pub = await build({ baseUrl: 'HTTPS://Weibo.Example.com:443/' });
  t.teardown(() => pub.close());
  const c = fromWeibo(weiboCreds(pub, 'alice'));
  const go = (s: Spec) => pub.inject(req(c, s));
  ok(t, await go({ path: INFO, host: '127.0.0.1:8080', signUri: `https://weibo.example.com${INFO}` }));
  refusedApi(t, await go({ path: INFO, host: '127.0.0.1:8080', signUri: `http://127.0.0.1:8080${INFO}` }), 9, /check sign error/);
  const rt = await pub.inject(req({ consumerKey: WEIBO.appid, consumerSecret: WEIBO.secret }, { path: '/cgi-bin/request_token', signUri: 'https://weibo.example.com/cgi-bin/request_token' }));
  t.equal(rt.statusCode, 200, rt.body);
});

t.test('multipart API call (t/add_pic): the pic part is not signed, the text parts are', async (t) => {
  const files = { pic: { filename: 'a.png', contentType: 'image/png', data: PNG_1x1 } };
  const content = `带图 a+b ${Date.now()}`;
  for (const via of ['body', 'header'] as const) {
    const text = `${content} ${via}`;
    const res = await send(alice, { method: 'POST', path: '/api/t/add_pic', via, multipart: { fields: { format: 'json', content: text, clientip: '127.0.0.1' }, files } });
    const b = res.json();
    t.equal(b.ret, 0, `add_pic, oauth in ${via}: ${res.body}`);
    const shown = (await send(alice, { path: '/api/t/show', query: [['format', 'json'], ['id', b.data.id]] })).json();
    t.equal(shown.data.origtext, text, 'read back through t/show');
    t.equal(shown.data.image?.length, 1, 'with its picture');
  }
  // a text part the client did not sign
  const only = req(alice, { method: 'POST', path: '/api/t/add_pic', multipart: { fields: { format: 'json', clientip: '127.0.0.1' }, files } });
  const mp = multipart({ format: 'json', clientip: '127.0.0.1', content: 'unsigned', ...oauthFieldsOf(only) }, files);
  refusedApi(t, await app.inject({ method: 'POST', url: '/api/t/add_pic', headers: { host: 'open.t.qq.com', ...mp.headers }, payload: mp.payload }), 9, /check sign error/);
  // with the helper from test/helpers.ts too
  const h = await signed(app, weiboCreds(app, 'alice'), { method: 'POST', path: '/api/t/add_pic', params: { format: 'json', content: `${content} helper`, clientip: '127.0.0.1' }, files });
  t.equal(h.json().ret, 0, h.body);
});

// ------------------------------------------------------------------------------ error bodies

t.test('error bodies: JSON envelope and format=xml', async (t) => {
  const j = await send(alice, { path: INFO, query: [['format', 'json']], consumerSecret: 'x' });
  t.equal(j.statusCode, 200);
  t.match(j.headers['content-type'], /^text\/html; charset=utf-8/);
  t.equal(j.body, '{"data":null,"errcode":9,"msg":"check sign error","ret":3}', 'exact wire body');
  const x = await send(alice, { path: INFO, query: [['format', 'xml']], oauth: { oauth_version: '3' } });
  t.equal(x.statusCode, 200);
  t.match(x.headers['content-type'], /^text\/xml/);
  t.match(x.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<root>/);
  const root = (parseXml(x.body) as { root: Record<string, string> }).root;
  t.same(Object.keys(root), ['data', 'errcode', 'msg', 'ret'], 'alphabetical children');
  t.same({ ret: root.ret, errcode: root.errcode }, { ret: '3', errcode: '5' });
  t.match(root.msg, /oauth_version/);
  const c = await send(consumer, { path: '/cgi-bin/request_token', oauth: { oauth_signature_method: 'PLAINTEXT' } });
  t.equal(c.statusCode, 401);
  t.equal(c.body, '{"data":null,"errcode":6,"msg":"check sign error: unsupported oauth_signature_method PLAINTEXT","ret":3}');
});
