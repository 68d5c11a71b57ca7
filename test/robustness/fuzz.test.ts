// Fuzzing every registered route (issue 5): random, missing, oversized, wrongly typed and wrongly
// encoded parameters and bodies, broken multipart and broken OAuth headers, with and without valid
// credentials. Invariants: never HTTP 5xx, never a stack trace, always the API's own envelope, every XML
// answer an XML 1.0 document (issue 11), and a
// refused request leaves the store's row counts unchanged.
import t from 'tap';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { build, graphCreds, weiboCreds, signed, parseXml, PNG_1x1, qs, authHeader, serializerAudit, type WeiboCreds } from '../helpers.js';
import { xml10Problem } from './xml10.js';

export interface RouteEntry {
  url: string;
  methods: string[];
}

/** Every route the app registered, read from fastify's route tree (printRoutes). */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─\s]*?)([^\s│├└─][^\s]*) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = Math.round(m[1].length / 4) - 1;
    stack.length = depth;
    stack[depth] = m[2];
    out.push({ url: stack.join(''), methods: m[3].split(',').map((s) => s.trim()).filter((s) => s === 'GET' || s === 'POST') });
  }
  return out.filter((r) => r.methods.length > 0);
}

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0; // writes that succeed must not make later ones refuse for speed only
// every weibo JSON success answer the fuzzing gets is also rendered by the reference renderer (last test)
const audit = serializerAudit();

// the control plane (/_emulator/*) and its landing page at / are the operator's, not an emulated API: left out
const routes = listRoutes(app).filter((r) => !r.url.startsWith('/_emulator') && r.url !== '*' && r.url !== '/');
const STACK = /\n\s+at [^\n]*:\d+:\d+|\bat (?:Object|async|Function|new )[^\n]*\(|node_modules\/|\/work\/main\//;

const tables = (app.world.db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('oauth1_nonces','sqlite_sequence')").all() as { name: string }[]).map((r) => r.name);
function counts(): Record<string, number> {
  return Object.fromEntries(tables.map((n) => [n, (app.world.db.prepare(`SELECT COUNT(*) AS c FROM "${n}"`).get() as { c: number }).c]));
}

type Kind = 'weibo' | 'graph' | 'oauth' | 'picture' | 'retired';
function kindOf(url: string): Kind {
  if (url.startsWith('/api/')) return 'weibo';
  if (url.startsWith('/oauth2.0/') || url.startsWith('/cgi-bin/')) return 'oauth';
  if (/^\/(mblogpic|mbloghead|qzonepic|qzapp|qqapp)\//.test(url)) return 'picture';
  if (url.startsWith('/share/') || url.startsWith('/blog/')) return 'retired';
  return 'graph';
}

/** Parses an enveloped answer (JSON or XML) into its top-level members; throws when it is neither. */
function envelopeOf(res: LightMyRequestResponse): Record<string, unknown> {
  const type = String(res.headers['content-type'] ?? '');
  if (/xml/.test(type) || res.body.trimStart().startsWith('<?xml')) {
    const x = parseXml(res.body);
    let root = (x.root ?? x.data) as Record<string, unknown> | undefined;
    if (!root || typeof root !== 'object') throw new Error('XML without <root>/<data>');
    // graph.qq.com's XML errors (seed 003): <root><data><ret>…</ret><msg>…</msg></data></root>
    if (!('ret' in root) && root.data && typeof root.data === 'object') root = root.data as Record<string, unknown>;
    return root;
  }
  return JSON.parse(res.body) as Record<string, unknown>;
}

let checked = 0;
/** The invariants; `refusedWrite` compares the store's row counts. */
function check(url: string, res: LightMyRequestResponse, before: Record<string, number>, label: string): void {
  checked++;
  const where = `${label} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  if (res.statusCode >= 500) throw new Error(`5xx: ${where}`);
  if (STACK.test(res.body)) throw new Error(`stack trace: ${where}`);
  // every XML answer is an XML 1.0 document (issue 11): well-formed and free of forbidden characters
  if (/xml/.test(String(res.headers['content-type'] ?? ''))) {
    const problem = xml10Problem(res.body);
    if (problem) throw new Error(`XML answer is not XML 1.0 (${problem}): ${where}`);
  }
  const kind = kindOf(url);
  if (res.statusCode === 404 && kind !== 'oauth') {
    // pictures that do not exist and unknown paths: the not-found envelope or an empty 404
    return;
  }
  if (kind === 'picture') {
    if (res.statusCode >= 300 && res.statusCode < 400) return;
    if (res.statusCode === 200 && /^image\//.test(String(res.headers['content-type']))) return;
    if (res.statusCode === 200 && res.body === '' ) return; // HEAD
    envelopeOf(res);
    return;
  }
  if (kind === 'oauth') return; // own shapes (redirects, url-encoded, JSONP, HTML): status and no stack only
  if (res.body === '' && res.statusCode < 400) return; // HEAD
  let env: Record<string, unknown>;
  try {
    env = envelopeOf(res);
  } catch (e) {
    throw new Error(`not an envelope (${(e as Error).message}): ${where}`);
  }
  const keys = kind === 'weibo' ? ['ret', 'errcode', 'msg', 'data'] : ['ret', 'msg'];
  for (const k of keys) if (!(k in env)) throw new Error(`envelope lacks ${k}: ${where}`);
  // the error handler's last resort (server/app.ts): an exception nobody turned into the API's answer
  if (env.msg === 'server error') throw new Error(`unhandled exception answered as 'server error': ${where}`);
  if (Number(env.ret) !== 0) {
    const after = counts();
    for (const n of tables) if (after[n] !== before[n]) throw new Error(`refused (ret ${env.ret}) but ${n} changed ${before[n]} → ${after[n]}: ${where}`);
  }
}

// ---- generators -------------------------------------------------------------------------

const PARAM_NAMES = [
  'format', 'content', 'clientip', 'jing', 'wei', 'reqnum', 'pageflag', 'pagetime', 'lastid', 'twitterid', 'id', 'ids',
  'name', 'fopenid', 'fopenids', 'names', 'startindex', 'type', 'contenttype', 'accesslevel', 'flag', 'reid', 'rootid',
  'tag', 'tagid', 'keyword', 'page', 'pagesize', 'pos', 'httext', 'nick', 'sex', 'year', 'month', 'day', 'countrycode',
  'provincecode', 'citycode', 'introduction', 'pic', 'albumid', 'title', 'photodesc', 'callback', 'openid',
  'access_token', 'oauth_consumer_key', 'client_id', 'client_secret', 'grant_type', 'code', 'redirect_uri',
  'response_type', 'state', 'scope', 'refresh_token', 'oauth_token', 'oauth_verifier', 'oauth_callback', 'unionid',
  'op', 'op_list', 'target', 'con', 'uid',
];
const BAD_ENCODINGS = ['%', '%z', '%zz', '%E4%B8', '%FF%FE', '%C0%AF', '%ED%A0%80', '%00', '%%%', '%u4e2d', '+%2', '%E4%B8%AD%'];
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '0', '-1', '1e309', 'NaN', '9'.repeat(40), '0x10', ' 1', 'true', 'null', '[]', '{}', 'xml', 'json', 'alice', '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd', 'ä½ å¥½', '\u0000', '\ud800'),
  fc.integer().map(String),
  fc.nat({ max: 3 }).map((n) => 'x'.repeat(1000 * 10 ** n)), // up to 1 MB values
);
/** A raw (already encoded) query or form value: usually well encoded, sometimes broken. */
const rawValue = fc.oneof(
  { weight: 5, arbitrary: text.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))) },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_ENCODINGS) },
  { weight: 1, arbitrary: fc.tuple(text, fc.constantFrom(...BAD_ENCODINGS)).map(([s, b]) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?')) + b) },
);
const rawKey = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PARAM_NAMES) }, { weight: 1, arbitrary: fc.constantFrom('%zz', 'a[b]', 'a[]', '__proto__', 'constructor', '', '%E4%B8') });
const rawPairs = fc.array(fc.tuple(rawKey, rawValue, fc.boolean()), { maxLength: 8 }).map((ps) =>
  ps.flatMap(([k, v, twice]) => (twice ? [`${k}=${v}`, `${k}=${v}`] : [`${k}=${v}`])).join('&'),
);

type BodyKind = 'none' | 'form' | 'json' | 'bytes' | 'multipart' | 'broken-multipart';
const bodyKind = fc.constantFrom<BodyKind>('none', 'form', 'json', 'bytes', 'multipart', 'broken-multipart');

const BOUNDARY = '----fuzzboundary';
function brokenMultipart(variant: number, field: string, data: Buffer): { ct: string; payload: Buffer } {
  const part = Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`), data]);
  switch (variant % 6) {
    case 0: return { ct: `multipart/form-data; boundary=${BOUNDARY}`, payload: part }; // truncated, no closing boundary
    case 1: return { ct: 'multipart/form-data', payload: part }; // no boundary parameter
    case 2: return { ct: `multipart/form-data; boundary=other`, payload: Buffer.concat([part, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]) };
    case 3: return { ct: `multipart/form-data; boundary=${BOUNDARY}`, payload: Buffer.from(`--${BOUNDARY}\r\nno headers here\r\n\r\nx\r\n--${BOUNDARY}--\r\n`) };
    case 4: { // too many parts
      const many = Array.from({ length: 100 }, (_, i) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join('');
      return { ct: `multipart/form-data; boundary=${BOUNDARY}`, payload: Buffer.from(many + `--${BOUNDARY}--\r\n`) };
    }
    default: return { ct: `multipart/form-data; boundary=${BOUNDARY}`, payload: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="../../x"\r\n\r\n`) };
  }
}

const maxUpload = app.emulatorConfig.maxUpload;
/** File contents by name (counterexamples stay printable); `big` is over the upload cap. */
const FILES: Record<string, () => Buffer> = {
  png: () => PNG_1x1,
  junk: () => Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x02]),
  big: () => Buffer.concat([PNG_1x1, Buffer.alloc(maxUpload + 10)]),
  gif: () => Buffer.from('GIF89a'),
  empty: () => Buffer.alloc(0),
};
const fileData = fc.constantFrom(...Object.keys(FILES));

const BROKEN_AUTH = [
  'OAuth', 'OAuth ,,,', 'OAuth oauth_consumer_key', 'OAuth oauth_consumer_key="', 'OAuth oauth_signature="%zz"',
  'OAuth oauth_consumer_key="x", oauth_consumer_key="y"', 'Basic Zm9vOmJhcg==', 'Bearer abc', 'OAuth realm="x", oauth_nonce=1',
  'OAuth oauth_timestamp="-1", oauth_nonce="", oauth_signature_method="PLAINTEXT"', 'OAuth ' + 'a="b",'.repeat(2000),
];

const graph = graphCreds(app, 'alice');
const graphCredsRaw = qs(graph);
const weibo: WeiboCreds = weiboCreds(app, 'alice');

const rawRequest = fc.record({
  route: fc.constantFrom(...routes),
  methodPick: fc.nat(),
  creds: fc.constantFrom('none', 'graph', 'broken-auth'),
  query: rawPairs,
  body: bodyKind,
  bodyPairs: rawPairs,
  file: fileData,
  fileField: fc.constantFrom('pic', 'picture', 'pic_url', 'x'),
  variant: fc.nat(),
  auth: fc.constantFrom(...BROKEN_AUTH),
  junkPath: fc.constantFrom('', '', '', '/', '/../x', '%zz', '/%E4%B8'),
});

type RawRequest = typeof rawRequest extends fc.Arbitrary<infer T> ? T : never;
async function sendRaw(r: RawRequest): Promise<{ res: LightMyRequestResponse; label: string }> {
  const method = r.route.methods[r.methodPick % r.route.methods.length] as 'GET' | 'POST';
  const path = r.route.url.replace(/:(\w+)/g, (_: string, n: string) => (r.variant % 2 ? 'x' : n === 'size' ? '100' : 'deadbeef' + n));
  let query = r.query;
  if (r.creds === 'graph') query = query ? `${graphCredsRaw}&${query}` : graphCredsRaw;
  const headers: Record<string, string> = { host: r.route.url.startsWith('/api/') || r.route.url.startsWith('/cgi-bin') ? 'open.t.qq.com' : 'graph.qq.com' };
  if (r.creds === 'broken-auth') headers.authorization = r.auth;
  let payload: Buffer | string | undefined;
  if (method === 'POST') {
    switch (r.body) {
      case 'form': headers['content-type'] = 'application/x-www-form-urlencoded'; payload = r.bodyPairs; break;
      case 'json': headers['content-type'] = 'application/json'; payload = r.variant % 2 ? '{"content":' : JSON.stringify({ content: 'x', format: 'json' }); break;
      case 'bytes': headers['content-type'] = r.variant % 2 ? 'application/octet-stream' : 'text/plain; charset=gbk'; payload = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]); break;
      case 'multipart': {
        const fields = Object.fromEntries(r.bodyPairs.split('&').filter(Boolean).map((p: string) => { const [k, v = ''] = p.split('='); return [k.replace(/"/g, ''), v]; }));
        const parts = Object.entries(fields).map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
        headers['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`;
        payload = Buffer.concat([Buffer.from(parts), Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${r.fileField}"; filename="../../../etc/passwd"\r\nContent-Type: image/png\r\n\r\n`), FILES[r.file](), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
        break;
      }
      case 'broken-multipart': {
        const b = brokenMultipart(r.variant, r.fileField, FILES[r.file]());
        headers['content-type'] = b.ct; payload = b.payload; break;
      }
      default: break;
    }
  }
  const url = `${path}${r.junkPath && r.variant % 7 === 0 ? r.junkPath : ''}${query ? '?' + query : ''}`;
  const res = await app.inject({ method, url, headers, payload });
  return { res, label: `${method} ${url.slice(0, 200)} creds=${r.creds} body=${r.body}` };
}

t.test(`raw requests over all ${routes.length} routes never 5xx, never leak a stack, keep the envelope`, async (t) => {
  t.ok(routes.length >= 80, `routes enumerated (${routes.length})`);
  t.ok(routes.some((r) => r.url === '/api/t/add_pic') && routes.some((r) => r.url === '/api/friends/addspecial'), 'nested routes are joined');
  // every route at least once with an empty request and each method
  for (const r of routes) for (const m of r.methods) {
    const before = counts();
    const res = await app.inject({ method: m as 'GET', url: r.url.replace(/:\w+/g, 'x') });
    check(r.url, res, before, `${m} ${r.url} (bare)`);
  }
  await fc.assert(
    fc.asyncProperty(rawRequest, async (r) => {
      const before = counts();
      const { res, label } = await sendRaw(r);
      check(r.route.url, res, before, label);
    }),
    { numRuns: 900, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
  );
  t.pass(`${checked} answers checked`);
});

const weiboRoutes = routes.filter((r) => r.url.startsWith('/api/'));
const signedRequest = fc.record({
  route: fc.constantFrom(...weiboRoutes),
  methodPick: fc.nat(),
  params: fc.dictionary(fc.constantFrom(...PARAM_NAMES.filter((n) => !n.startsWith('oauth_'))), text, { maxKeys: 6 }),
  via: fc.constantFrom('query', 'body', 'header'),
  withFile: fc.boolean(),
  file: fileData,
  fileField: fc.constantFrom('pic', 'x'),
  filename: fc.constantFrom('a.png', '../../etc/passwd', 'a"b.png', '', 'é.png'),
  tamper: fc.constantFrom<string | undefined>(undefined, undefined, undefined, 'sig', 'ts', 'method', 'version', 'token'),
});

t.test('signed open.t.qq.com requests with random parameters and files keep the envelope', async (t) => {
  await fc.assert(
    fc.asyncProperty(signedRequest, async (r) => {
      const method = r.route.methods[r.methodPick % r.route.methods.length] as 'GET' | 'POST';
      const params = Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, '?')]));
      const oauth: Record<string, string> | undefined =
        r.tamper === 'sig' ? { oauth_signature: 'AAAA' } :
        r.tamper === 'ts' ? { oauth_timestamp: 'yesterday' } :
        r.tamper === 'method' ? { oauth_signature_method: 'PLAINTEXT' } :
        r.tamper === 'version' ? { oauth_version: '2.0' } :
        r.tamper === 'token' ? { oauth_token: 'nope' } : undefined;
      const before = counts();
      const res = await signed(app, weibo, {
        method, path: r.route.url, params, via: method === 'GET' && r.via === 'body' ? 'query' : r.via, oauth,
        files: method === 'POST' && r.withFile ? { [r.fileField]: { filename: r.filename, contentType: 'image/png', data: FILES[r.file]() } } : undefined,
      });
      check(r.route.url, res, before, `signed ${method} ${r.route.url} ${JSON.stringify(params).slice(0, 200)} via=${r.via} tamper=${r.tamper}`);
      if (r.tamper) {
        const env = envelopeOf(res);
        if (Number(env.ret) === 0) throw new Error(`tampered (${r.tamper}) but ret ${env.ret}: ${res.body.slice(0, 200)}`);
      }
    }),
    { numRuns: 600, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
  );
  t.pass('signed fuzz done');
});

t.test('graph.qq.com calls with valid credentials and random parameters keep ret/msg', async (t) => {
  const graphRoutes = routes.filter((r) => kindOf(r.url) === 'graph');
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...graphRoutes), fc.dictionary(fc.constantFrom(...PARAM_NAMES.filter((n) => !['access_token', 'oauth_consumer_key', 'openid'].includes(n))), text, { maxKeys: 6 }), fc.boolean(), async (route, params, post) => {
      const method = post && route.methods.includes('POST') ? 'POST' : route.methods[0];
      const clean = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, '?')]));
      const body = qs({ ...graph, ...clean });
      const before = counts();
      const res = method === 'POST'
        ? await app.inject({ method: 'POST', url: route.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body })
        : await app.inject({ method: 'GET', url: `${route.url}?${body}` });
      check(route.url, res, before, `graph ${method} ${route.url} ${body.slice(0, 200)}`);
    }),
    { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
  );
  t.pass('graph fuzz done');
});

t.test('the checker itself refuses a 5xx, a stack trace and a bare body', async (t) => {
  const fake = (statusCode: number, body: string, type = 'application/json') => ({ statusCode, body, headers: { 'content-type': type } }) as unknown as LightMyRequestResponse;
  const c = counts();
  t.throws(() => check('/api/t/add', fake(500, '{"ret":4,"errcode":0,"msg":"x","data":null}'), c, 'x'), /5xx/);
  t.throws(() => check('/api/t/add', fake(200, '{"msg":"Error: x\\n    at foo (/work/main/db/x.ts:1:2)"}'), c, 'x'), /stack/);
  t.throws(() => check('/api/t/add', fake(200, '{"ret":1,"msg":"x"}'), c, 'x'), /lacks errcode/);
  t.throws(() => check('/user/get_user_info', fake(200, 'oops', 'text/plain'), c, 'x'), /not an envelope/);
  t.throws(() => check('/api/t/show', fake(200, '<?xml version="1.0"?><root><ret>0</ret><msg>\u0001</msg></root>', 'text/xml'), c, 'x'), /not XML 1\.0/);
  t.doesNotThrow(() => check('/user/get_user_info', fake(200, '{"ret":1,"msg":"x"}'), c, 'x'));
});

// ---- issue 11: forbidden characters read back as XML, parameter floods, oversized multipart fields

/** Characters XML 1.0 forbids that UTF-8 can carry (lone surrogates cannot travel in a body). */
const FORBIDDEN = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)), '\uFFFE', '\uFFFF'];
const hostile = fc.array(fc.oneof(fc.constantFrom(...FORBIDDEN), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 10 }).map((a) => a.join(''));
const bob: WeiboCreds = weiboCreds(app, 'bob');
let unique = 0;

type Call = { via: 'weibo'; c: WeiboCreds; method: 'GET' | 'POST'; path: string; params: Record<string, string> } | { via: 'graph'; method: 'GET' | 'POST'; path: string; params: Record<string, string> };
/** Text writes, each with the reads that give the text back. */
const TEXT_WRITES: { write: (x: string) => Call; reads: Call[] }[] = [
  { write: (x) => ({ via: 'weibo', c: weibo, method: 'POST', path: '/api/t/add', params: { content: x, clientip: '10.0.0.1' } }), reads: [{ via: 'weibo', c: bob, method: 'GET', path: '/api/statuses/home_timeline', params: { reqnum: '3' } }, { via: 'weibo', c: weibo, method: 'GET', path: '/api/statuses/broadcast_timeline', params: { reqnum: '3' } }] },
  { write: (x) => ({ via: 'weibo', c: weibo, method: 'POST', path: '/api/user/update', params: { nick: x.slice(0, 12), introduction: x } }), reads: [{ via: 'weibo', c: weibo, method: 'GET', path: '/api/user/info', params: {} }, { via: 'weibo', c: bob, method: 'GET', path: '/api/user/other_info', params: { name: 'alice' } }] },
  { write: (x) => ({ via: 'weibo', c: weibo, method: 'POST', path: '/api/private/add', params: { name: 'bob', content: x, clientip: '10.0.0.1' } }), reads: [{ via: 'weibo', c: bob, method: 'GET', path: '/api/private/recv', params: { reqnum: '3' } }] },
  { write: (x) => ({ via: 'weibo', c: weibo, method: 'POST', path: '/api/tag/add', params: { tag: x.slice(0, 8) } }), reads: [{ via: 'weibo', c: weibo, method: 'GET', path: '/api/user/info', params: {} }] },
  { write: (x) => ({ via: 'graph', method: 'POST', path: '/t/add_t', params: { content: x } }), reads: [{ via: 'graph', method: 'GET', path: '/user/get_info', params: {} }] },
  { write: (x) => ({ via: 'graph', method: 'POST', path: '/photo/add_album', params: { albumname: x.slice(0, 20), albumdesc: x } }), reads: [{ via: 'graph', method: 'GET', path: '/photo/list_album', params: {} }] },
];

async function call(k: Call, format: 'xml' | 'json'): Promise<LightMyRequestResponse> {
  const params = { ...k.params, format };
  if (k.via === 'weibo') return signed(app, k.c, { method: k.method, path: k.path, params });
  const body = qs({ ...graph, ...params });
  return k.method === 'POST'
    ? app.inject({ method: 'POST', url: k.path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body })
    : app.inject({ method: 'GET', url: `${k.path}?${body}` });
}

t.test('control characters in every text parameter: whatever is stored reads back as XML 1.0', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: TEXT_WRITES.length - 1 }), hostile, fc.constantFrom<'xml' | 'json'>('xml', 'json'), async (i, x, format) => {
      const w = TEXT_WRITES[i];
      const write = w.write(`${x} ${++unique}`);
      const before = counts();
      check(write.path, await call(write, format), before, `${write.path} ${JSON.stringify(write.params)} format=${format}`);
      for (const r of w.reads) {
        const res = await call(r, 'xml');
        check(r.path, res, counts(), `read back ${r.path} after ${write.path} ${JSON.stringify(write.params)}`);
        if (!/xml/.test(String(res.headers['content-type']))) throw new Error(`${r.path} did not answer XML`);
      }
    }),
    { numRuns: 60, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
  );
  t.pass('hostile text fuzz done');
});

t.test('huge parameter counts: more than 1000 in the query or body is the parameter error, counted exactly', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.integer({ min: 995, max: 1005 }), fc.integer({ min: 1, max: 3000 }), fc.constant(60000)),
      fc.constantFrom('query', 'body'),
      fc.constantFrom('/user/get_user_info', '/api/t/add', '/oauth2.0/token'),
      fc.constantFrom('xml', 'json'),
      async (n, where, path, format) => {
        const pairs = Array.from({ length: n - 1 }, (_, i) => `k${i}=`);
        pairs.push(`format=${format}`);
        const flood = pairs.join('&');
        const host = path.startsWith('/api/') ? 'open.t.qq.com' : 'graph.qq.com';
        // POST, the flood in the query string or in the form body
        const res = where === 'query'
          ? await app.inject({ method: 'POST', url: `${path}?${flood}`, headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
          : await app.inject({ method: 'POST', url: path, headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: flood });
        if (res.statusCode === 404) throw new Error(`${path} does not take POST`);
        check(path, res, counts(), `${n} parameters in the ${where} of ${path}`);
        const refused = res.body.includes(`more than 1000 parameters in the ${where === 'query' ? 'query string' : 'body'}`);
        if (refused !== n > 1000) throw new Error(`${n} parameters in the ${where} of ${path}: refused=${refused}: ${res.body.slice(0, 200)}`);
      },
    ),
    { numRuns: 50, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
  );
  t.pass('parameter-count fuzz done');
});

t.test('oversized multipart fields: a field over 64 KiB is ret 1 naming it, never a signature failure', async (t) => {
  const LIMIT = 64 * 1024;
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.integer({ min: LIMIT - 2, max: LIMIT + 2 }), fc.integer({ min: 1, max: 3 * LIMIT })), fc.constantFrom('content', 'clientip', 'x_extra'), async (size, field, ) => {
      const params: Record<string, string> = { format: 'json', content: 'short', clientip: '10.0.0.1' };
      params[field] = 'a'.repeat(size);
      const res = await signed(app, weibo, { method: 'POST', path: '/api/t/add', params, files: {} });
      check('/api/t/add', res, counts(), `multipart ${field} of ${size} bytes`);
      const b = JSON.parse(res.body) as { ret: number; errcode: number; msg: string };
      if (size > LIMIT) {
        if (b.ret !== 1 || b.msg !== `error ${field} param: longer than ${LIMIT} bytes (the multipart field limit)`) throw new Error(`${field} of ${size} bytes: ${res.body.slice(0, 200)}`);
      } else if (b.ret === 3 || /multipart field limit/.test(b.msg)) throw new Error(`${field} of ${size} bytes (under the limit) refused: ${res.body.slice(0, 200)}`);
    }),
    { numRuns: 25, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
  );
  t.pass('multipart field fuzz done');
});

t.test('the compiled serializers wrote every weibo success answer of the fuzzing byte for byte as the reference renderer', async (t) => {
  audit.check(t);
});
