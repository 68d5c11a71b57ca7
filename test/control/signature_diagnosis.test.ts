// A refused OAuth 1.0a signature explains itself in the journal: the base string the server
// computed, the normalised parameters (no secrets), and the common mistake that reproduces the
// client's signature. Each call below is mis-signed on purpose, one mistake at a time.
import t from 'tap';
import { build, sign, oauthParams, authHeader, qs, FIXTURES } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const tok = app.world.oauth1.createAccessToken(FIXTURES.weiboApp.appid, app.world.users.byName('alice')!.id);
const CS = FIXTURES.weiboApp.secret;
const TS = tok.secret;
const creds = { consumerKey: FIXTURES.weiboApp.appid, token: tok.token };

interface Call {
  method?: 'GET' | 'POST';
  path?: string;
  /** parameters sent */
  params?: Record<string, string>;
  /** parameters signed (default: the ones sent) */
  signedParams?: Record<string, string>;
  /** URL signed (default: http://open.t.qq.com + path) */
  signedUrl?: string;
  signedMethod?: string;
  tokenSecret?: string;
  consumerSecret?: string;
  now?: number;
}

/** Sends a call with the oauth_* parameters in the header, signed as the call says, and returns its journal entry. */
async function refused(c: Call) {
  const method = c.method ?? 'POST';
  const path = c.path ?? '/api/t/add';
  const params = c.params ?? { format: 'json', content: 'hello world', clientip: '127.0.0.1' };
  const oauth = oauthParams(creds, {}, c.now ?? app.world.clock.now());
  const sig = sign(c.signedMethod ?? method, c.signedUrl ?? `http://open.t.qq.com${path}`, { ...(c.signedParams ?? params), ...oauth }, c.consumerSecret ?? CS, c.tokenSecret ?? TS);
  const headers: Record<string, string> = { host: 'open.t.qq.com', authorization: authHeader({ ...oauth, oauth_signature: sig }) };
  const r =
    method === 'GET'
      ? await app.inject({ method, url: `${path}?${qs(params)}`, headers })
      : await app.inject({ method, url: path, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: qs(params) });
  const body = r.json();
  const j = (await app.inject({ method: 'GET', url: '/_emulator/journal?limit=1' })).json();
  return { body, entry: j.entries[0] };
}

t.test('correctly signed: no diagnosis', async (t) => {
  const { body, entry } = await refused({});
  t.equal(body.ret, 0);
  t.notOk(entry.diagnosis);
});

t.test('the base string and normalised parameters are shown, never a secret', async (t) => {
  const { body, entry } = await refused({ consumerSecret: 'not-the-secret' });
  t.match(body, { ret: 3, errcode: 9 });
  const d = entry.diagnosis;
  t.ok(d, 'diagnosis attached');
  t.equal(d.baseUri, 'http://open.t.qq.com/api/t/add');
  t.match(d.baseString, /^POST&http%3A%2F%2Fopen\.t\.qq\.com%2Fapi%2Ft%2Fadd&/);
  t.ok(d.normalizedParams.includes('content=hello%20world'), 'parameters encoded as they enter the base string');
  t.ok(d.normalizedParams.some((p: string) => p.startsWith('oauth_nonce=')));
  t.notOk(d.normalizedParams.some((p: string) => p.startsWith('oauth_signature=')), 'the signature is not a signed parameter');
  t.notOk(d.likelyMistake, 'a wrong secret is no common mistake');
  t.match(d.hint, /consumer secret and the token secret/);
  const all = JSON.stringify(entry);
  t.notOk(all.includes(CS), 'no consumer secret');
  t.notOk(all.includes(TS), 'no token secret');
  t.equal(typeof d.timestampSkewSeconds, 'number');
});

const cases: [string, Call, RegExp][] = [
  ['https signed, http called', { signedUrl: 'https://open.t.qq.com/api/t/add' }, /wrong URL scheme/],
  ['port in the signed URL', { signedUrl: 'http://open.t.qq.com:8080/api/t/add' }, /wrong host or port.*open\.t\.qq\.com:8080.*--base-url/],
  ['another host signed', { signedUrl: 'http://127.0.0.1/api/t/add' }, /wrong host or port.*127\.0\.0\.1/],
  ['body parameters left out', { signedParams: {} }, /body parameters left out of the signature: format, content, clientip/],
  ['a parameter added after signing', { signedParams: { format: 'json', content: 'hello world' } }, /parameter clientip was sent but not signed/],
  ['a query parameter signed but not sent', { method: 'GET', path: '/api/user/info', params: {}, signedParams: { format: 'json' } }, /parameter format=json was signed but not sent/],
  ['values encoded before signing', { signedParams: { format: 'json', content: encodeURIComponent('hello world'), clientip: '127.0.0.1' } }, /double encoding: parameter values were percent-encoded before/],
  ['signed as GET, sent as POST', { signedMethod: 'GET' }, /signed as GET, sent as POST/],
  ['token secret left out of the key', { tokenSecret: '' }, /token secret was left out/],
];
for (const [name, call, re] of cases) {
  t.test(`mistake named: ${name}`, async (t) => {
    const { body, entry } = await refused(call);
    t.match(body, { ret: 3, errcode: 9 });
    t.match(entry.diagnosis?.likelyMistake, re, entry.diagnosis?.hint);
    t.equal(entry.ok, false);
  });
}

t.test('timestamp skew: seconds in the diagnosis', async (t) => {
  const { body, entry } = await refused({ now: app.world.clock.now() - 3600 });
  t.match(body, { ret: 3, errcode: 4 });
  t.equal(entry.diagnosis.timestampSkewSeconds, -3600);
  t.match(entry.diagnosis.hint, /3600 s behind the server clock/);
});
