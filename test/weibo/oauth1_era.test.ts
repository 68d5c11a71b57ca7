// OAuth 1.0a as the era's clients sent it (issue 10), on a real socket with node-oauth (the npm
// `oauth` package) signing:
// - every parameter in the query and the non-OAuth ones repeated in the form (or multipart) body,
//   signed with each pair once (a widely used 2011 Python SDK): accepted, like the RFC 5849 way;
// - an absolute-form request line (Tencent's 2011 PHP SDK): routed like path form, its URL the base
//   string's; a wrong signature stays refused either way;
// - unknown /cgi-bin/* paths answer in open.t.qq.com's envelope.
import t from 'tap';
import net from 'node:net';
import oauth from 'oauth';
import { build, listening, multipart, userId, weiboCreds, WEIBO, PNG_1x1 } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;
const ORIGIN = await listening(app);
const PORT = Number(new URL(ORIGIN).port);
const alice = weiboCreds(app, 'alice');
const oa = new oauth.OAuth(`${ORIGIN}/cgi-bin/request_token`, `${ORIGIN}/cgi-bin/access_token`, WEIBO.appid, WEIBO.secret, '1.0', 'null', 'HMAC-SHA1');

type Body = { ret: number; errcode: number; msg: string; data: any };
let n = 0;
const uniq = (s: string) => `${s} ${++n} ${Date.now()}`;
const tweetnum = () => app.world.users.counters(userId(app, 'alice')).tweetnum;
const form = (p: Record<string, string>) => new URLSearchParams(p).toString();

/** The 2011 SDK's POST: a URL signed with every parameter in it, the non-OAuth ones repeated in the body. */
async function duplicatedPost(path: string, params: Record<string, string>, signature?: (sig: string) => string): Promise<Body> {
  let url = oa.signUrl(`${ORIGIN}${path}?${form(params)}`, alice.token, alice.secret, 'POST');
  if (signature) {
    const u = new URL(url);
    u.searchParams.set('oauth_signature', signature(u.searchParams.get('oauth_signature')!));
    url = u.toString();
  }
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(params) });
  return (await res.json()) as Body;
}

t.test('a pair sent in both query and body, signed once: accepted; the RFC 5849 way too', async (t) => {
  const before = tweetnum();
  const content = uniq('twice sent 腾讯 a+b');
  const once = await duplicatedPost('/api/t/add', { format: 'json', content, clientip: '127.0.0.1' });
  t.match(once, { ret: 0, errcode: 0, data: { id: /^\d+$/ } }, 'duplicated pairs counted once');
  t.equal(app.world.tweets.get(Number(once.data.id))!.origtext, content, 'the content once, not twice');

  // node-oauth's own POST: parameters in the body only, the RFC base string
  const rfc = await new Promise<Body>((resolve, reject) =>
    oa.post(`${ORIGIN}/api/t/add`, alice.token, alice.secret, { format: 'json', content: uniq('rfc way'), clientip: '127.0.0.1' }, 'application/x-www-form-urlencoded', (err, data) =>
      err && !(err as { data?: string }).data ? reject(err) : resolve(JSON.parse(String((err as { data?: string } | null)?.data ?? data))),
    ),
  );
  t.match(rfc, { ret: 0, errcode: 0 }, 'RFC 5849 base string');

  // the RFC base string of the duplicated request itself (each pair twice) is accepted as well
  const params = { format: 'json', content: uniq('rfc of duplicates'), clientip: '127.0.0.1' };
  const extra = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [v, v]]));
  const ordered = (oa as unknown as { _prepareParameters: (tk: string, ts: string, m: string, u: string, p: Record<string, unknown>) => [string, string][] })._prepareParameters(
    alice.token, alice.secret, 'POST', `${ORIGIN}/api/t/add?${form(params)}`, Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v[0]])),
  );
  // _prepareParameters counts the URL's pairs and the extra ones: each pair twice, as RFC 5849 says
  const oauthOnly = new URLSearchParams(ordered.filter(([k]) => k.startsWith('oauth_')));
  const twice = await (await fetch(`${ORIGIN}/api/t/add?${form(params)}&${oauthOnly}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(params) })).json();
  t.match(twice, { ret: 0, errcode: 0 }, 'RFC base string with the repeats counted twice');
  t.equal(tweetnum(), before + 3, 'three tweets published');
});

t.test('a wrong signature is still refused (ret 3 errcode 9), nothing written', async (t) => {
  const before = tweetnum();
  const flip = (sig: string) => (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  t.match(await duplicatedPost('/api/t/add', { format: 'json', content: uniq('tampered'), clientip: '127.0.0.1' }, flip), { ret: 3, errcode: 9, data: null });
  // a body pair that differs from the signed query pair: neither base string matches
  const url = oa.signUrl(`${ORIGIN}/api/t/add?${form({ format: 'json', content: 'signed text' })}`, alice.token, alice.secret, 'POST');
  const swapped = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ content: uniq('other text') }) })).json();
  t.match(swapped, { ret: 3, errcode: 9 }, 'an unsigned body value refused');
  t.equal(tweetnum(), before);
});

t.test('multipart text parts repeated from the query are counted once too (t/add_pic)', async (t) => {
  const params = { format: 'json', content: uniq('pic twice'), clientip: '127.0.0.1' };
  const url = oa.signUrl(`${ORIGIN}/api/t/add_pic?${form(params)}`, alice.token, alice.secret, 'POST');
  const mp = multipart(params, { pic: { filename: 'a.png', contentType: 'image/png', data: Buffer.concat([PNG_1x1, Buffer.from(String(n))]) } });
  const ok = await (await fetch(url, { method: 'POST', headers: mp.headers, body: mp.payload })).json();
  t.match(ok, { ret: 0, errcode: 0, data: { id: /^\d+$/ } });
  const bad = multipart({ ...params, content: uniq('not signed') }, { pic: { filename: 'a.png', contentType: 'image/png', data: PNG_1x1 } });
  const refused = await (await fetch(oa.signUrl(`${ORIGIN}/api/t/add_pic?${form(params)}`, alice.token, alice.secret, 'POST'), { method: 'POST', headers: bad.headers, body: bad.payload })).json();
  t.match(refused, { ret: 3, errcode: 9 }, 'a multipart part that is not the signed one refused');
});

/** One request on a raw socket (absolute-form request lines are not something fetch sends). */
function raw(requestLine: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(PORT, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', reject);
    s.on('end', () => {
      const [head, ...rest] = got.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
    const h = { host: `127.0.0.1:${PORT}`, connection: 'close', ...headers };
    s.write(`${requestLine}\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  });
}

t.test('absolute-form request line: routed like path form, signed over that URL', async (t) => {
  const signedUrl = oa.signUrl('https://open.t.qq.com/cgi-bin/request_token?oauth_callback=null', '', '', 'GET');
  const rt = await raw(`GET ${signedUrl} HTTP/1.1`);
  t.equal(rt.status, 200, rt.body);
  t.match(rt.body, /^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}&oauth_callback_confirmed=true$/);
  // the same request signed for the Host header's URL is not that URL's signature
  const wrong = oa.signUrl(`${ORIGIN}/cgi-bin/request_token?oauth_callback=null`, '', '', 'GET').replace(ORIGIN, 'https://open.t.qq.com');
  const refused = await raw(`GET ${wrong} HTTP/1.1`);
  t.equal(refused.status, 401);
  t.match(JSON.parse(refused.body), { ret: 3, errcode: 9 }, 'signed for another URL: refused');
  // an API call in absolute form, http and an explicit default port (dropped in the base string)
  const info = oa.signUrl('http://open.t.qq.com/api/user/info?format=json', alice.token, alice.secret, 'GET').replace('http://open.t.qq.com/', 'http://OPEN.t.qq.com:80/');
  const res = await raw(`GET ${info} HTTP/1.1`);
  t.equal(res.status, 200);
  t.match(JSON.parse(res.body), { ret: 0, data: { name: 'alice' } });
});

t.test('unknown /cgi-bin/* paths answer in open.t.qq.com envelope (JSON and XML)', async (t) => {
  const j = await app.inject({ method: 'GET', url: '/cgi-bin/nothing?format=json' });
  t.equal(j.statusCode, 404);
  t.same(j.json(), { data: null, errcode: 0, msg: 'api does not exist: GET /cgi-bin/nothing', ret: -9 });
  const x = await app.inject({ method: 'GET', url: '/open.t.qq.com/cgi-bin/nothing?format=xml' });
  t.match(x.body, /<root>.*<errcode>0<\/errcode>.*<ret>-9<\/ret><\/root>$/s, 'weibo envelope: errcode and ret under <root>');
});
