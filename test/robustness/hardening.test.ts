// Issue 11: holes an outside fuzzer and a hostile client found — XML answers with characters
// XML 1.0 forbids, parameter floods, cut multipart fields, picture paths, Host and method
// refusals, the rate table's memory. Each case speaks HTTP through app.inject.
import t from 'tap';
import { build, weiboCreds, signed, graphCreds, graphGet, graphPost, parseXml, oauthParams, sign, qs, type WeiboCreds } from '../helpers.js';
import type { FastifyInstance } from 'fastify';
import { rateTableSize } from '../../server/api.js';
import { xml10Problem } from './xml10.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;
const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const galice = graphCreds(app, 'alice');

// every character XML 1.0 forbids that UTF-8 can carry over HTTP (lone surrogates cannot)
const CONTROLS = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)).join('') + '\uFFFE\uFFFF';

t.test('item 2: forbidden characters in a tweet never make an XML answer malformed; JSON keeps them', async (t) => {
  const content = `ctl ${CONTROLS} end`;
  const add = (await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content, clientip: '10.0.0.1' } })).json();
  t.equal(add.ret, 0, `api/t/add accepted it: ${add.msg}`);
  // bob follows alice: her tweet is in his home timeline
  const home = await signed(app, bob, { method: 'GET', path: '/api/statuses/home_timeline', params: { format: 'xml', reqnum: 5 } });
  t.equal(xml10Problem(home.body), undefined, "bob's home_timeline?format=xml is XML 1.0");
  t.match(home.body, 'ctl \uFFFD', 'a forbidden character is rendered as U+FFFD');
  const json = (await signed(app, bob, { method: 'GET', path: '/api/t/show', params: { format: 'json', id: add.data.id } })).json();
  t.equal(json.data.origtext, content, 'JSON gives back the stored text byte for byte');

  const g = (await graphPost(app, '/t/add_t', galice, { format: 'json', content: `graph ${CONTROLS}` })).json();
  t.equal(g.ret, 0, `t/add_t accepted it: ${g.msg}`);
  const info = await graphGet(app, '/user/get_info', galice, { format: 'xml' });
  t.equal(xml10Problem(info.body), undefined, 'graph user/get_info?format=xml is XML 1.0');

  const album = (await graphPost(app, '/photo/add_album', galice, { format: 'json', albumname: 'al\u0001\u001f\uFFFE', albumdesc: `d${CONTROLS}` })).json();
  t.equal(album.ret, 0, `photo/add_album accepted it: ${album.msg}`);
  const list = await graphGet(app, '/photo/list_album', galice, { format: 'xml' });
  t.equal(xml10Problem(list.body), undefined, 'graph photo/list_album?format=xml is XML 1.0');
  t.ok(parseXml(list.body), 'and parses');
});

t.test('item 2: error text echoing a forbidden character stays XML 1.0', async (t) => {
  const res = await signed(app, alice, { method: 'GET', path: '/api/statuses/home_timeline', params: { format: 'xml' }, oauth: { oauth_signature_method: `HMAC\u0001\uFFFF` } });
  t.match(res.body, /unsupported oauth_signature_method/);
  t.equal(xml10Problem(res.body), undefined, 'weibo error answer is XML 1.0');
});

t.test('the strict checker refuses what fast-xml-parser lets through', async (t) => {
  t.match(xml10Problem('<?xml version="1.0"?><a>\u0001</a>'), /forbidden character U\+0001/);
  t.match(xml10Problem('<a><b></a>'), /not well-formed/);
  t.equal(xml10Problem('<?xml version="1.0"?><a>\t\n\r\u00e9\uD83D\uDE00</a>'), undefined);
});

const form = (url: string, body: string, host = 'graph.qq.com') => app.inject({ method: 'POST', url, headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
const pairs = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `&${prefix}${i}=`).join('');
const graphQs = new URLSearchParams(galice).toString();

t.test('item 3: a parameter flood is a parameter error, counted before parsing', async (t) => {
  // 3 credentials + 997 = 1000: still served
  t.equal((await form('/user/get_user_info', graphQs + pairs(997))).json().ret, 0, '1000 form parameters are served');
  const flood = (await form('/user/get_user_info', graphQs + pairs(20000))).json();
  t.same([flood.ret, flood.msg], [1, 'error param: more than 1000 parameters in the body'], 'a 20 000-parameter form body: ret 1 naming the limit');
  const q = (await app.inject({ method: 'GET', url: `/user/get_user_info?${graphQs}${pairs(1001)}` })).json();
  t.same([q.ret, q.msg], [1, 'error param: more than 1000 parameters in the query string'], 'a 1004-parameter query: ret 1');
  const long = (await form('/user/get_user_info', `${graphQs}&${'k'.repeat(257)}=1`)).json();
  t.same([long.ret, long.msg], [1, 'error param: a parameter name in the body is longer than 256 characters'], 'a 257-character name: ret 1');
  t.equal((await form('/user/get_user_info', `${graphQs}&${'k'.repeat(256)}=1`)).json().ret, 0, 'a 256-character name is served');
  // a signed call carrying a flood: the parameter error, not a signature verdict over 20 000 pairs
  const res = await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'flood', clientip: '10.0.0.1', ...Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`p${i}`, ''])) } });
  t.same(((b) => [b.ret, b.errcode, b.msg])(res.json()), [1, 1, 'error param: more than 1000 parameters in the body'], 'signed weibo flood: ret 1 errcode 1');
  const xml = await form('/api/t/add?format=xml', pairs(2000), 'open.t.qq.com');
  t.equal(xml10Problem(xml.body), undefined, 'the refusal honours format=xml and is XML 1.0');
  t.match(xml.body, /<ret>1<\/ret>/);
});

t.test('item 4: a multipart text field longer than the field limit is a parameter error naming it', async (t) => {
  const content = 'a'.repeat(64 * 1024 + 1);
  const res = await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content, clientip: '10.0.0.1' }, files: {} });
  t.same(((b) => [b.ret, b.errcode, b.msg])(res.json()), [1, 1, 'error content param: longer than 65536 bytes (the multipart field limit)'], 'ret 1 naming content, not bad signature');
  const ok = await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'a'.repeat(500), clientip: '10.0.0.1' }, files: {} });
  t.same(((b) => [b.ret, b.errcode])(ok.json()), [4, 8], 'a long field under the limit reaches the publish rules (errcode 8), as a form does');
});

// (the parts limit, 80, lies above files + fields, 66: one of those is always hit first)
t.test('item 7: too many multipart files / fields says which', async (t) => {
  const B = '----lim';
  const part = (name: string, file = false) => `--${B}\r\nContent-Disposition: form-data; name="${name}"${file ? '; filename="a.png"\r\nContent-Type: image/png' : ''}\r\n\r\nv\r\n`;
  const send = (parts: string[]) => app.inject({ method: 'POST', url: '/api/t/add', headers: { host: 'open.t.qq.com', 'content-type': `multipart/form-data; boundary=${B}` }, payload: parts.join('') + `--${B}--\r\n` });
  const cases: [string, string[], RegExp][] = [
    ['files', Array.from({ length: 3 }, (_, i) => part(`f${i}`, true)), /more than 2 files/],
    ['fields', Array.from({ length: 65 }, (_, i) => part(`f${i}`)), /more than 64 fields/],
  ];
  for (const [what, parts, re] of cases) {
    const b = (await send(parts)).json();
    t.equal(b.ret, 1, `too many ${what}: ret 1`);
    t.match(b.msg, re, `too many ${what}: ${b.msg}`);
  }
});

t.test('item 7: picture paths with malformed or over-long keys are a missing picture (404)', async (t) => {
  for (const url of ['/mblogpic/%zz', `/mblogpic/${'a'.repeat(300)}`, `/mbloghead/${'b'.repeat(300)}/100`, '/qzonepic/%E4%B8/b', '/open.t.qq.com/mblogpic/%zz/160', '/mblogpic/0123']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, `${url.slice(0, 40)}: 404`);
    t.equal(res.body, 'no such picture');
  }
  const api = (await app.inject({ method: 'GET', url: '/api/t/del%zz' })).json();
  t.equal(api.ret, 1, 'a malformed API path is still a parameter error');
});

t.test('item 7: two Host headers are refused with 400 in the envelope', async (t) => {
  const two = await app.inject({ method: 'GET', url: `/user/get_user_info?${graphQs}`, headers: { host: ['graph.qq.com', 'evil.example'] as unknown as string } });
  t.equal(two.statusCode, 400);
  t.same(two.json(), { ret: 1, msg: 'error param: more than one Host header' });
  const weibo = await app.inject({ method: 'GET', url: '/api/user/info?format=xml', headers: { host: ['open.t.qq.com', 'open.t.qq.com'] as unknown as string } });
  t.equal(weibo.statusCode, 400);
  t.match(weibo.body, /<ret>1<\/ret>/, 'in the weibo envelope, as XML when asked');
  t.equal((await app.inject({ method: 'GET', url: `/user/get_user_info?${graphQs}`, headers: { host: 'graph.qq.com' } })).json().ret, 0, 'one Host is served');
});

t.test('item 7: methods the APIs do not document answer 405 in the envelope', async (t) => {
  for (const [method, url, keys] of [['TRACE', '/user/get_user_info', ['ret', 'msg']], ['PUT', '/api/t/add', ['data', 'errcode', 'msg', 'ret']], ['DELETE', '/oauth2.0/me', ['ret', 'msg']], ['PATCH', '/no/such/path', ['ret', 'msg']], ['OPTIONS', '/api/t/show', ['data', 'errcode', 'msg', 'ret']]] as const) {
    const res = await app.inject({ method, url });
    t.equal(res.statusCode, 405, `${method} ${url}: 405`);
    t.equal(res.headers.allow, 'GET, HEAD, POST');
    const body = res.json();
    t.same(Object.keys(body), keys, 'the platform envelope');
    t.match(body.msg, `method not allowed: ${method}`);
  }
  t.equal((await app.inject({ method: 'HEAD', url: `/user/get_user_info?${graphQs}` })).statusCode, 200, 'HEAD is served');
});

/** A signed GET whose signature covers `signedFor`, sent with Host `internal:8080` and the given forwarded headers. */
function proxied(a: FastifyInstance, c: WeiboCreds, signedFor: string, fwd: Record<string, string>) {
  const o = oauthParams({ consumerKey: c.consumerKey, token: c.token }, { format: 'json' }, a.world.clock.now());
  const sig = sign('GET', `${signedFor}/api/user/info`, o, c.consumerSecret, c.secret);
  return a.inject({ method: 'GET', url: `/api/user/info?${qs({ ...o, oauth_signature: sig })}`, headers: { host: 'internal:8080', ...fwd } });
}

t.test('item 7: X-Forwarded-Host/-Proto are trusted for base strings, unless trustProxy is off', async (t) => {
  const fwd = { 'x-forwarded-host': 'open.t.qq.com', 'x-forwarded-proto': 'https' };
  t.equal((await proxied(app, alice, 'https://open.t.qq.com', fwd)).json().ret, 0, 'trusted (default): signed for the forwarded URL');
  const strict = await build({ trustProxy: false });
  t.teardown(() => strict.close());
  const c = weiboCreds(strict, 'alice');
  t.same(((b) => [b.ret, b.errcode])((await proxied(strict, c, 'https://open.t.qq.com', fwd)).json()), [3, 9], 'off: the forwarded URL is not the base URI');
  t.equal((await proxied(strict, c, 'http://internal:8080', fwd)).json().ret, 0, 'off: the Host header is');
  const g = graphCreds(strict, 'alice');
  const pic = (await strict.inject({ method: 'GET', url: `/user/get_user_info?${new URLSearchParams(g)}`, headers: { host: 'internal:8080', ...fwd } })).json();
  t.match(pic.figureurl, /^http:\/\/internal:8080\//, 'links use the Host header too');
  const trusted = (await app.inject({ method: 'GET', url: `/user/get_user_info?${graphQs}`, headers: { host: 'internal:8080', ...fwd } })).json();
  t.match(trusted.figureurl, /^https:\/\/open\.t\.qq\.com\//, 'trusted: links follow the forwarded headers');
});

// last in this file: it moves the world's clock
t.test('item 1: the request-rate table and the nonce table forget what left their windows', async (t) => {
  app.world.rules.rateLimit = 1000;
  app.world.rules.rateWindowSeconds = 60;
  t.teardown(() => {
    app.world.rules.rateLimit = 0;
  });
  const names = (app.world.db.prepare('SELECT name FROM users ORDER BY id LIMIT 30').all() as { name: string }[]).map((r) => r.name);
  for (const name of names) {
    const b = (await signed(app, weiboCreds(app, name), { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).json();
    t.equal(b.ret, 0, `${name} served`);
  }
  t.equal(rateTableSize(app.world), names.length, 'one rate entry per (app, user) that called');
  const nonces = () => (app.world.db.prepare('SELECT COUNT(*) AS c FROM oauth1_nonces').get() as { c: number }).c;
  t.ok(nonces() >= names.length, `nonces recorded (${nonces()})`);
  app.world.clock.advance(2 * 300 + 61);
  t.equal((await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).json().ret, 0);
  t.equal(rateTableSize(app.world), 1, 'pairs whose calls left the window are gone');
  t.equal(nonces(), 1, 'nonces older than twice the timestamp window are pruned');
});
