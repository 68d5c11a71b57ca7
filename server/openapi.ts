// An OpenAPI 3.0 description of every endpoint, built from the routes' own declarations
// (server/api.ts's registry of registerApi / registerRefusal calls) plus small static lists for
// the routes registered directly (OAuth, stored pictures, the control plane). Served at
// GET /_emulator/openapi.json with a self-contained docs page at GET /_emulator/docs (no CDN
// assets: the emulator runs on closed networks). Both sit under /_emulator/, so the control
// plane's admin-token hook (server/control/) guards them like every other control call.
import type { FastifyInstance } from 'fastify';
import { declaredRoutes, type DeclaredRoute } from './api.js';
import { renderXml, type Envelope } from './respond.js';
import { readVersion } from './control/index.js';

export const OPENAPI_PATH = '/_emulator/openapi.json';
export const DOCS_PATH = '/_emulator/docs';

/** Rows of the endpoint catalogue (/work/shared/spec/endpoints.md): id, private parameters, notes. */
export const CATALOGUE: Record<string, { id: string; params: string[]; notes: string }> = {
  "/oauth2.0/authorize": { id: "G1", params: ["response_type", "client_id", "redirect_uri", "state", "scope", "display"], notes: "redirects to redirect_uri with code & state, or a #access_token=…&expires_in=… fragment" },
  "/oauth2.0/token": { id: "G2", params: ["grant_type", "client_id", "client_secret", "code", "redirect_uri", "refresh_token", "fmt"], notes: "url-encoded access_token=…&expires_in=7776000&refresh_token=…; JSON when fmt=json; errors as callback( {…} );" },
  "/oauth2.0/me": { id: "G3", params: ["access_token", "fmt", "unionid"], notes: "callback( {\"client_id\":\"…\",\"openid\":\"…\"} );; JSON when fmt=json" },
  "/user/get_user_info": { id: "G4", params: [], notes: "nickname, figureurl*, gender, vip fields (seed 000)" },
  "/user/get_vip_info": { id: "G5", params: [], notes: "needs the app to be granted the API" },
  "/user/get_vip_rich_info": { id: "G6", params: [], notes: "full field list and payway codes in seed 004" },
  "/photo/list_album": { id: "G7", params: [], notes: "Qzone albums of the user" },
  "/photo/upload_pic": { id: "G8", params: ["picture", "photodesc", "title", "albumid"], notes: "stores the picture" },
  "/photo/add_album": { id: "G9", params: ["albumname", "albumdesc", "priv"], notes: "" },
  "/photo/list_photo": { id: "G10", params: ["albumid"], notes: "" },
  "/user/get_info": { id: "G11", params: [], notes: "Weibo profile of the user (full field list in seed 001)" },
  "/t/add_t": { id: "G12", params: ["content", "clientip", "jing", "wei"], notes: "posts a tweet; errcode semantics as open.t.qq.com t/add" },
  "/t/del_t": { id: "G13", params: ["id"], notes: "" },
  "/t/add_pic_t": { id: "G14", params: ["content", "pic", "clientip", "jing", "wei"], notes: "" },
  "/t/get_repost_list": { id: "G15", params: ["flag", "rootid", "pageflag", "pagetime", "reqnum", "twitterid"], notes: "time pagination" },
  "/user/get_other_info": { id: "G16", params: ["name", "fopenid"], notes: "" },
  "/relation/get_fanslist": { id: "G17", params: ["reqnum", "startindex", "mode", "install", "sex"], notes: "index pagination" },
  "/relation/get_idollist": { id: "G18", params: ["reqnum", "startindex", "mode", "install"], notes: "index pagination (full doc in seed 003)" },
  "/relation/add_idol": { id: "G19", params: ["name", "fopenids"], notes: "" },
  "/relation/del_idol": { id: "G20", params: ["name", "fopenid"], notes: "" },
  "/cft_info/get_tenpay_addr": { id: "G21", params: ["offset", "limit", "ver"], notes: "needs the app to be granted the API" },
  "/share/add_share": { id: "G22", params: [], notes: "retired on 2014-03-31: answer with the documented \"API no longer available\" error, not 404" },
  "/blog/add_one_blog": { id: "G22", params: [], notes: "retired on 2014-03-31: answer with the documented \"API no longer available\" error, not 404" },
  "/cgi-bin/request_token": { id: "T1", params: ["oauth_callback"], notes: "oauth_token=…&oauth_token_secret=…&oauth_callback_confirmed=true" },
  "/cgi-bin/authorize": { id: "T2", params: ["oauth_token"], notes: "user approves; redirect to callback with oauth_token & oauth_verifier" },
  "/cgi-bin/access_token": { id: "T3", params: ["oauth_token", "oauth_verifier"], notes: "oauth_token=…&oauth_token_secret=…&name=…" },
  "/api/statuses/home_timeline": { id: "T4", params: ["pageflag", "pagetime", "reqnum"], notes: "time; the user's own and followed users' tweets" },
  "/api/statuses/public_timeline": { id: "T5", params: ["pos", "reqnum"], notes: "pos" },
  "/api/statuses/user_timeline": { id: "T6", params: ["name", "pageflag", "pagetime", "lastid", "reqnum"], notes: "time; answers totalnum" },
  "/api/statuses/mentions_timeline": { id: "T7", params: ["pageflag", "pagetime", "lastid", "reqnum"], notes: "time; tweets that @mention the user" },
  "/api/statuses/ht_timeline": { id: "T8", params: ["httext", "pageflag", "pageinfo", "reqnum"], notes: "pageinfo; hasnext 2 = cannot go up, 1 = cannot go down, 0 = both" },
  "/api/statuses/broadcast_timeline": { id: "T9", params: ["pageflag", "pagetime", "lastid", "reqnum"], notes: "time; the user's own tweets" },
  "/api/statuses/special_timeline": { id: "T10", params: ["pageflag", "pagetime", "reqnum"], notes: "time; tweets of specially-followed users" },
  "/api/t/show": { id: "T11", params: ["id"], notes: "one tweet; a repost carries its source" },
  "/api/t/add": { id: "T12", params: ["content", "clientip", "jing", "wei"], notes: "answers data.id, data.time/timestamp" },
  "/api/t/del": { id: "T13", params: ["id"], notes: "only the author may delete" },
  "/api/t/re_add": { id: "T14", params: ["content", "clientip", "jing", "wei", "reid"], notes: "repost (type 2) of reid" },
  "/api/t/reply": { id: "T15", params: ["content", "clientip", "jing", "wei", "reid"], notes: "reply (type 4)" },
  "/api/t/add_pic": { id: "T16", params: ["content", "clientip", "jing", "wei", "pic"], notes: "stores the picture; image URL list on the tweet" },
  "/api/t/re_count": { id: "T17", params: ["ids", "flag"], notes: "map id → count, or id → {count, mcount}" },
  "/api/t/re_list": { id: "T18", params: ["flag", "rootid", "pageflag", "pagetime", "reqnum", "twitterid"], notes: "time" },
  "/api/t/comment": { id: "T19", params: ["content", "clientip", "jing", "wei", "reid"], notes: "comment (type 7) on the root tweet" },
  "/api/user/info": { id: "T20", params: [], notes: "own profile" },
  "/api/user/update": { id: "T21", params: ["nick", "sex", "year", "month", "day", "countrycode", "provincecode", "citycode", "introduction"], notes: "validate ranges (year 1900..2010, month 1..12, day 1..31)" },
  "/api/user/update_head": { id: "T22", params: ["pic"], notes: "" },
  "/api/user/other_info": { id: "T23", params: ["name"], notes: "ismyidol / ismyfans / ismyblack" },
  "/api/friends/fanslist": { id: "T24", params: ["reqnum", "startindex"], notes: "index" },
  "/api/friends/idollist": { id: "T25", params: ["reqnum", "startindex"], notes: "index" },
  "/api/friends/blacklist": { id: "T26", params: ["reqnum", "startindex"], notes: "index" },
  "/api/friends/speciallist": { id: "T27", params: ["reqnum", "startindex"], notes: "index" },
  "/api/friends/add": { id: "T28", params: ["name"], notes: "follow" },
  "/api/friends/del": { id: "T29", params: ["name"], notes: "unfollow" },
  "/api/friends/addspecial": { id: "T30", params: ["name"], notes: "special-follow" },
  "/api/friends/delspecial": { id: "T31", params: ["name"], notes: "" },
  "/api/friends/addblacklist": { id: "T32", params: ["name"], notes: "" },
  "/api/friends/delblacklist": { id: "T33", params: ["name"], notes: "" },
  "/api/friends/check": { id: "T34", params: ["names", "flag"], notes: "map name → bool, or name → {isidol, isfans}" },
  "/api/friends/user_fanslist": { id: "T35", params: ["name", "reqnum", "startindex"], notes: "index" },
  "/api/friends/user_idollist": { id: "T36", params: ["name", "reqnum", "startindex"], notes: "index" },
  "/api/friends/user_speciallist": { id: "T37", params: ["name", "reqnum", "startindex"], notes: "index" },
  "/api/private/add": { id: "T38", params: ["content", "clientip", "jing", "wei", "name"], notes: "direct message; answers data.id" },
  "/api/private/del": { id: "T39", params: ["id"], notes: "" },
  "/api/private/recv": { id: "T40", params: ["pageflag", "pagetime", "lastid", "reqnum"], notes: "time; inbox" },
  "/api/private/send": { id: "T41", params: ["pageflag", "pagetime", "lastid", "reqnum"], notes: "time; outbox, with toname / tonick / tohead" },
  "/api/tag/add": { id: "T42", params: ["tag"], notes: "answers data.tagid" },
  "/api/tag/del": { id: "T43", params: ["tagid"], notes: "" },
  "/api/search/user": { id: "T44", params: ["keyword", "pagesize", "page"], notes: "page" },
  "/api/search/t": { id: "T45", params: ["keyword", "pagesize", "page"], notes: "page" },
  "/api/search/userbytag": { id: "T46", params: ["keyword", "pagesize", "page"], notes: "page" },
  "/api/trends/ht": { id: "T47", params: ["type", "reqnum", "pos"], notes: "pos" },
  "/api/info/update": { id: "T48", params: ["op", "type"], notes: "unread counters kept up to date by every write" },
  "/api/fav/addt": { id: "T49", params: ["id"], notes: "" },
  "/api/fav/delt": { id: "T50", params: ["id"], notes: "" },
  "/api/fav/list_t": { id: "T51", params: ["pageflag", "nexttime", "prevtime", "reqnum", "lastid"], notes: "favtime" },
  "/api/fav/addht": { id: "T52", params: ["id"], notes: "favourite a topic" },
  "/api/fav/delht": { id: "T53", params: ["id"], notes: "" },
  "/api/fav/list_ht": { id: "T54", params: ["reqnum", "pageflag", "pagetime", "lastid"], notes: "time" },
  "/api/ht/ids": { id: "T55", params: ["httexts"], notes: "topic name → id" },
  "/api/ht/info": { id: "T56", params: ["ids"], notes: "favnum, tweetnum, text" },
  "/api/other/kownperson": { id: "T57", params: ["ip", "country_code", "province_code", "city_code"], notes: "people the user may know (the path is spelled kownperson)" },
};

type Platform = 'graph.qq.com' | 'open.t.qq.com' | 'emulator';
type Kind = 'api' | 'refusal' | 'oauth' | 'picture' | 'control';

/** One documented route: what the docs page and the OpenAPI operation are built from. */
export interface RouteDoc {
  methods: string[];
  /** fastify syntax (`/mblogpic/:key`) */
  url: string;
  platform: Platform;
  kind: Kind;
  envelope?: Envelope;
  auth?: 'graph' | 'weibo' | 'oauth2-client' | 'oauth1-consumer' | 'none' | 'admin';
  api?: string;
  summary: string;
  description: string;
  refusal?: DeclaredRoute['refusal'];
}

/** Routes the OAuth modules register directly (routes/graph/oauth2.ts, routes/weibo/oauth1.ts). */
export const OAUTH_ROUTES: { methods: string[]; url: string; platform: Platform; auth: RouteDoc['auth']; answer: string }[] = [
  { methods: ['GET', 'POST'], url: '/oauth2.0/authorize', platform: 'graph.qq.com', auth: 'none', answer: '302 to redirect_uri with code & state (or an #access_token fragment), or the interactive approval page (text/html) when the emulator runs interactive; POST is that page\'s form (decision=approve/deny, the user), validated again; errors as an HTML page' },
  { methods: ['GET', 'POST'], url: '/oauth2.0/token', platform: 'graph.qq.com', auth: 'oauth2-client', answer: 'text/html body `access_token=…&expires_in=…&refresh_token=…` (JSON when fmt=json); errors as `callback( {"error":…,"error_description":"…"} );`' },
  { methods: ['GET', 'POST'], url: '/oauth2.0/me', platform: 'graph.qq.com', auth: 'none', answer: '`callback( {"client_id":"…","openid":"…"} );` (JSON when fmt=json)' },
  { methods: ['GET', 'POST'], url: '/cgi-bin/request_token', platform: 'open.t.qq.com', auth: 'oauth1-consumer', answer: '`oauth_token=…&oauth_token_secret=…&oauth_callback_confirmed=true`' },
  { methods: ['GET', 'POST'], url: '/cgi-bin/authorize', platform: 'open.t.qq.com', auth: 'none', answer: '302 to the callback with oauth_token & oauth_verifier (a page showing the verifier when the callback is oob/null), or the interactive approval page when the emulator runs interactive; POST is that page\'s form (decision=approve/deny), the request token checked again' },
  { methods: ['GET', 'POST'], url: '/cgi-bin/access_token', platform: 'open.t.qq.com', auth: 'oauth1-consumer', answer: '`oauth_token=…&oauth_token_secret=…&name=…`' },
  { methods: ['GET', 'POST'], url: '/cgi-bin/oauth2/authorize', platform: 'open.t.qq.com', auth: 'none', answer: '302 to redirect_uri with code, openid, openkey (& state), or with an #access_token=…&expires_in=…&openid=…&openkey=… fragment for response_type=token; the interactive approval page when the emulator runs interactive (POST is its form); errors as a 400 HTML page' },
  { methods: ['GET', 'POST'], url: '/cgi-bin/oauth2/access_token', platform: 'open.t.qq.com', auth: 'oauth2-client', answer: 'text/html body `access_token=…&expires_in=604800&refresh_token=…&openid=…&name=…&nick=…` (grant_type authorization_code or refresh_token); errors `errorCode=…&errorMsg=…&error=…&error_description=…` with HTTP 400/401' },
];

/** Stored pictures served back from the URLs the answers give (routes/pictures.ts). */
export const PICTURE_ROUTES: { url: string; platform: Platform; summary: string }[] = [
  ...['/mblogpic', '/mbloghead', '/qzonepic'].flatMap((p) => [
    { url: `${p}/:key`, platform: (p === '/qzonepic' ? 'graph.qq.com' : 'open.t.qq.com') as Platform, summary: `stored picture ${p}/{key}` },
    { url: `${p}/:key/:size`, platform: (p === '/qzonepic' ? 'graph.qq.com' : 'open.t.qq.com') as Platform, summary: `stored picture ${p}/{key}/{size} (every size is the original)` },
  ]),
  { url: '/qzapp/:appid/:openid/:size', platform: 'graph.qq.com', summary: 'QZone avatar (figureurl*) of the user behind openid' },
  { url: '/qqapp/:appid/:openid/:size', platform: 'graph.qq.com', summary: 'QQ avatar (figureurl_qq*) of the user behind openid' },
];

/** The control plane (server/control/) and this module's two pages. */
export const CONTROL_ROUTES: { method: string; url: string; summary: string }[] = [
  { method: 'GET', url: '/_emulator/health', summary: 'liveness: {status:"ok"}' },
  { method: 'GET', url: '/_emulator/info', summary: 'version, configuration, fixtures and world counts' },
  { method: 'GET', url: '/_emulator/ca.pem', summary: 'the CA certificate to trust for the TLS listeners (PEM; 404 when HTTPS is off)' },
  { method: 'POST', url: '/_emulator/reset', summary: 'reset the world to its seeded state (or reseed)' },
  { method: 'GET', url: '/_emulator/snapshots', summary: 'list snapshots' },
  { method: 'POST', url: '/_emulator/snapshots/:name', summary: 'take a named snapshot' },
  { method: 'DELETE', url: '/_emulator/snapshots/:name', summary: 'delete a snapshot' },
  { method: 'POST', url: '/_emulator/snapshots/:name/restore', summary: 'restore a snapshot' },
  { method: 'GET', url: '/_emulator/export', summary: 'export the world (SQLite image)' },
  { method: 'POST', url: '/_emulator/import', summary: 'import a world image' },
  { method: 'POST', url: '/_emulator/apps', summary: 'issue an app (graph or weibo)' },
  { method: 'POST', url: '/_emulator/users', summary: 'create a user' },
  { method: 'POST', url: '/_emulator/relations', summary: 'add a relation (follow, special, blacklist)' },
  { method: 'POST', url: '/_emulator/tokens/graph', summary: 'mint a graph.qq.com access token without the browser flow' },
  { method: 'POST', url: '/_emulator/tokens/weibo', summary: 'mint an open.t.qq.com access token without the OAuth 1.0a dance' },
  { method: 'GET', url: '/_emulator/clock', summary: 'the world clock' },
  { method: 'POST', url: '/_emulator/clock', summary: 'set, advance or freeze the world clock' },
  { method: 'GET', url: '/_emulator/rules', summary: "a world's write rules and request-rate limit" },
  { method: 'POST', url: '/_emulator/rules', summary: "change a world's write rules (content bytes, dirty words, spam patterns, posting speed, duplicate window, rate limit); reset=true for the defaults" },
  { method: 'GET', url: '/_emulator/journal', summary: 'the request journal' },
  { method: 'DELETE', url: '/_emulator/journal', summary: 'clear the request journal' },
  { method: 'GET', url: '/_emulator/journal/verify', summary: 'count the journaled calls matching path/app/user/method/status/ret/errcode/ok/param since a seq' },
  { method: 'GET', url: '/_emulator/faults', summary: 'list injected faults' },
  { method: 'POST', url: '/_emulator/faults', summary: 'inject a fault on an API path' },
  { method: 'DELETE', url: '/_emulator/faults', summary: 'clear injected faults' },
  { method: 'GET', url: '/_emulator/worlds', summary: 'list isolated worlds' },
  { method: 'POST', url: '/_emulator/worlds', summary: 'create an isolated world with its own credentials' },
  { method: 'DELETE', url: '/_emulator/worlds/:id', summary: 'delete an isolated world' },
  { method: 'GET', url: OPENAPI_PATH, summary: 'this OpenAPI 3.0 description' },
  { method: 'GET', url: DOCS_PATH, summary: 'the docs page (HTML) built from the same description' },
  { method: 'GET', url: '/', summary: 'the landing page (HTML): base URLs, fixtures, links to the console and docs, one call to paste' },
  // stored (and printed) as /_emulator under ignoreTrailingSlash; /_emulator/ answers the same
  { method: 'GET', url: '/_emulator', summary: 'the landing page (HTML), as at / (also /_emulator/)' },
  { method: 'GET', url: '/_emulator/users', summary: 'one page of users (offset, limit ≤ 500, world; openid in appid)' },
  { method: 'GET', url: '/_emulator/tweets', summary: 'one page of tweets, newest first (offset, limit ≤ 500, world, user)' },
  { method: 'GET', url: '/_emulator/relations', summary: 'one page of follows, newest first (offset, limit ≤ 500, world, user)' },
  { method: 'GET', url: '/_emulator/tokens', summary: 'one page of graph and weibo tokens, newest first (offset, limit ≤ 500, world, user)' },
  { method: 'GET', url: '/_emulator/console', summary: 'the console page (HTML): the live request journal (filters, each entry: request, answer and signature diagnosis), paged users, tweets, relations and tokens, a token per user in one click, Reset; the page loads without the admin token and asks for it, its data calls send it' },
];

const ENVELOPE_TEXT: Record<Envelope, string> = {
  weibo: 'open.t.qq.com envelope: `{"data":…,"errcode":0,"msg":"ok","ret":0}` with keys sorted at every level; XML root `<root>`',
  graph: 'graph.qq.com envelope: `{"ret":0,"msg":"",…fields}`; XML root `<data>`',
  'graph-weibo': 'graph.qq.com Weibo-wrapper envelope: `{"ret":0,"errcode":0,"msg":"ok","data":…,"seqid":…}`; XML root `<data>`',
};

const AUTH_TEXT: Record<NonNullable<RouteDoc['auth']>, string> = {
  graph: 'graph.qq.com OpenAPI: access_token, oauth_consumer_key (appid) and openid parameters; the app must be approved for the API and the token scoped for it',
  weibo: 'open.t.qq.com OAuth 1.0a (HMAC-SHA1) signed with the consumer secret and the access token secret; parameters in the query, the form body or an Authorization: OAuth header. Or OAuth 2.0: oauth_consumer_key, access_token, openid, oauth_version=2.a (clientip, scope) in the query or the form body, unsigned',
  'oauth2-client': 'OAuth 2.0 client credentials (client_id, client_secret) with a code or refresh_token',
  'oauth1-consumer': 'OAuth 1.0a signature (consumer secret, plus the request token secret for access_token)',
  none: 'none',
  admin: 'none, or Authorization: Bearer <admin token> when the emulator is started with an admin token',
};

const platformOf = (url: string): Platform => (url.startsWith('/_emulator/') ? 'emulator' : url.startsWith('/api/') || url.startsWith('/cgi-bin/') ? 'open.t.qq.com' : 'graph.qq.com');

/** Every documented route of the app, API routes from the registry of server/api.ts. */
export function routeDocs(app: FastifyInstance): RouteDoc[] {
  const out: RouteDoc[] = [];
  const cat = (url: string) => CATALOGUE[url];
  for (const o of OAUTH_ROUTES) {
    const c = cat(o.url);
    out.push({ methods: o.methods, url: o.url, platform: o.platform, kind: 'oauth', auth: o.auth, summary: `${c?.id ?? ''} ${o.url}`.trim(), description: `${c?.notes ? c.notes + '. ' : ''}Answer: ${o.answer}.` });
  }
  for (const r of declaredRoutes(app)) {
    const c = cat(r.url);
    const name = r.url.replace(/^\/(api\/)?/, '');
    const parts = [c?.notes ?? '', ENVELOPE_TEXT[r.envelope]];
    if (r.refusal) parts.push(`Always refused, whatever the method and credentials: ret ${r.refusal.ret}, errcode ${r.refusal.errcode}, msg "${r.refusal.msg}"`);
    out.push({
      methods: r.method,
      url: r.url,
      platform: platformOf(r.url),
      kind: r.refusal ? 'refusal' : 'api',
      envelope: r.envelope,
      auth: r.refusal ? 'none' : r.auth,
      api: r.api,
      summary: `${c?.id ?? ''} ${name}`.trim(),
      description: parts.filter(Boolean).join('. ') + '.',
      refusal: r.refusal,
    });
  }
  for (const p of PICTURE_ROUTES) out.push({ methods: ['GET'], url: p.url, platform: p.platform, kind: 'picture', auth: 'none', summary: p.summary, description: 'The stored bytes with their image content type; 404 text/plain when unknown.' });
  for (const c of CONTROL_ROUTES) out.push({ methods: [c.method], url: c.url, platform: 'emulator', kind: 'control', auth: 'admin', summary: c.summary, description: 'Control plane: plain JSON (application/json); errors are {"error":"…"} with a 4xx status.' });
  return out;
}

/** `/mblogpic/:key` → `/mblogpic/{key}` */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const FILE_FIELDS = new Set(['pic', 'picture']);

function exampleData(env: Envelope): { ok: unknown; error: unknown } {
  switch (env) {
    case 'weibo':
      return { ok: { data: { id: '1234567890123', time: 1290000000 }, errcode: 0, msg: 'ok', ret: 0 }, error: { data: null, errcode: 0, msg: 'error reqnum param: must be 1..20', ret: 1 } };
    case 'graph':
      return { ok: { ret: 0, msg: '', nickname: 'alice' }, error: { ret: 1002, msg: '请先登录' } };
    case 'graph-weibo':
      return {
        ok: { ret: 0, errcode: 0, msg: 'ok', data: { id: '1234567890123', time: 1290000000 }, seqid: 5782353821101409000 },
        error: { ret: 1, msg: 'error reqnum param', errcode: 0, data: null },
      };
  }
}

function operation(d: RouteDoc, method: string): Record<string, unknown> {
  const c = CATALOGUE[d.url];
  const op: Record<string, unknown> = {
    tags: [d.platform],
    summary: d.summary,
    description: `${d.description}\n\nAuthentication: ${AUTH_TEXT[d.auth ?? 'none']}.`,
    operationId: `${method}${d.url.replace(/[^A-Za-z0-9]+/g, '_')}`,
  };
  const parameters: unknown[] = [];
  for (const m of d.url.matchAll(/:([A-Za-z0-9_]+)/g)) parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
  const params = (c?.params ?? []).filter((p) => !(d.kind === 'oauth' && p === 'format'));
  const files = params.filter((p) => FILE_FIELDS.has(p));
  if (d.kind === 'api' || d.kind === 'refusal') parameters.push({ $ref: '#/components/parameters/format' });
  if (method === 'get' || method === 'head' || method === 'delete' || method === 'options') {
    for (const p of params) if (!FILE_FIELDS.has(p)) parameters.push({ name: p, in: 'query', required: false, schema: { type: 'string' } });
  } else if (params.length && (method === 'post' || method === 'put' || method === 'patch')) {
    const properties: Record<string, unknown> = {};
    for (const p of params) properties[p] = FILE_FIELDS.has(p) ? { type: 'string', format: 'binary' } : { type: 'string' };
    if (d.kind === 'api') properties.format = { type: 'string', enum: ['json', 'xml'] };
    op.requestBody = {
      required: false,
      content: files.length
        ? { 'multipart/form-data': { schema: { type: 'object', properties } } }
        : { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties } }, 'multipart/form-data': { schema: { type: 'object', properties } } },
    };
  }
  if (parameters.length) op.parameters = parameters;
  if (d.envelope) {
    const ex = exampleData(d.envelope);
    const schema = { $ref: `#/components/schemas/${d.envelope === 'weibo' ? 'WeiboEnvelope' : d.envelope === 'graph' ? 'GraphEnvelope' : 'GraphWeiboEnvelope'}` };
    const note = 'JSON (sent as text/html, as the real service did) by default, XML with format=xml; HTTP 200 on errors too';
    op.responses = d.refusal
      ? { '200': { description: `Always this error (${ENVELOPE_TEXT[d.envelope]}); ${note}`, content: { 'text/html': { schema, example: errorBody(d.envelope, d.refusal) } } } }
      : {
          '200': {
            description: `${ENVELOPE_TEXT[d.envelope]}; ${note}. ret 0 is success; ret 1 parameter error (msg names the parameter)${d.envelope === 'graph' ? '' : ', 2 rate limited, 3 authentication failed, 4 server or write refusal with errcode'}.`,
            content: { 'text/html': { schema, examples: { ok: { value: ex.ok }, error: { value: ex.error } } }, 'text/xml': { schema: { type: 'string' }, example: renderXml(d.envelope === 'weibo' ? 'root' : 'data', ex.ok) } },
          },
        };
  } else if (d.kind === 'oauth') {
    op.responses = { '200': { description: 'text/html body (url-encoded pairs, JSON or JSONP; see the description)', content: { 'text/html': { schema: { type: 'string' } } } }, '302': { description: 'redirect to the callback' } };
  } else if (d.kind === 'picture') {
    op.responses = { '200': { description: 'the image bytes', content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } }, '404': { description: 'no such picture (text/plain)' } };
  } else {
    op.responses = {
      '200': { description: d.url === DOCS_PATH || d.url === '/_emulator/console' ? 'HTML page' : 'JSON', content: d.url === DOCS_PATH || d.url === '/_emulator/console' ? { 'text/html': { schema: { type: 'string' } } } : { 'application/json': { schema: { type: 'object' } } } },
      '4XX': { description: '{"error":"…"}', content: { 'application/json': { schema: { $ref: '#/components/schemas/ControlError' } } } },
    };
  }
  if (d.kind === 'api') op.security = d.auth === 'graph' ? [{ graph_access_token: [], graph_oauth_consumer_key: [], graph_openid: [] }] : [{ weibo_oauth1: [] }, { weibo_oauth2: [] }];
  else if (d.kind === 'control') op.security = [{}, { emulator_admin: [] }];
  else op.security = [];
  op['x-emulator'] = { id: c?.id ?? null, kind: d.kind, envelope: d.envelope ?? null, auth: d.auth ?? null, ...(d.api ? { api: d.api } : {}) };
  return op;
}

function errorBody(env: Envelope, r: NonNullable<RouteDoc['refusal']>): unknown {
  if (env === 'weibo') return { data: null, errcode: r.errcode, msg: r.msg, ret: r.ret };
  if (env === 'graph-weibo') return { ret: r.ret, msg: r.msg, errcode: r.errcode, data: null };
  return { ret: r.ret, msg: r.msg };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The OpenAPI 3.0.3 document of the app's routes. */
export function buildOpenApi(app: FastifyInstance, version = '0.0.0'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of routeDocs(app)) {
    const item = (paths[openApiPath(d.url)] ??= {});
    for (const m of d.methods.map((x) => x.toLowerCase())) {
      if (!HTTP_METHODS.has(m) || item[m]) continue;
      item[m] = operation(d, m);
    }
  }
  const envelopeSchema = (props: Record<string, unknown>, required: string[]) => ({ type: 'object', properties: props, required, additionalProperties: true });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Tencent open-platform emulator',
      version,
      description:
        'graph.qq.com (QQ Connect, OAuth 2.0) and open.t.qq.com (Tencent Weibo v1, OAuth 1.0a HMAC-SHA1) on one port, plus the emulator control plane under /_emulator/. ' +
        'Every API answers JSON by default and XML with format=xml. Summaries carry the endpoint catalogue row ids (G1–G22, T1–T57). ' +
        'Paths may also be called under a /graph.qq.com or /open.t.qq.com prefix.',
    },
    servers: [{ url: '/', description: 'this emulator' }],
    tags: [
      { name: 'graph.qq.com', description: 'QQ Connect: OAuth 2.0 and the OpenAPI (access_token, oauth_consumer_key, openid)' },
      { name: 'open.t.qq.com', description: 'Tencent Weibo v1: OAuth 1.0a (HMAC-SHA1) and /api/*' },
      { name: 'emulator', description: 'control plane (plain JSON); guarded by the admin token when one is configured' },
    ],
    paths,
    components: {
      parameters: {
        format: { name: 'format', in: 'query', required: false, description: 'json (default) or xml; lowercase only, any other value means JSON. May also be sent in the form body.', schema: { type: 'string', enum: ['json', 'xml'], default: 'json' } },
      },
      securitySchemes: {
        graph_access_token: { type: 'apiKey', in: 'query', name: 'access_token', description: 'graph.qq.com access token from /oauth2.0/token (query or form body).' },
        graph_oauth_consumer_key: { type: 'apiKey', in: 'query', name: 'oauth_consumer_key', description: 'the appid the token was issued to.' },
        graph_openid: { type: 'apiKey', in: 'query', name: 'openid', description: 'the user openid from /oauth2.0/me.' },
        weibo_oauth1: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'OAuth 1.0a (not expressible in OpenAPI 3.0): oauth_consumer_key, oauth_nonce, oauth_signature, oauth_signature_method=HMAC-SHA1, oauth_timestamp, oauth_token, oauth_version=1.0, ' +
            'in an `Authorization: OAuth …` header, the query or the form body. Signed with consumer_secret&token_secret over the method, URL and all query and form parameters ' +
            '(the `pic` file field of multipart uploads is not signed). Tokens come from /cgi-bin/request_token → /cgi-bin/authorize → /cgi-bin/access_token.',
        },
        weibo_oauth2: {
          type: 'apiKey',
          in: 'query',
          name: 'access_token',
          description:
            'open.t.qq.com OAuth 2.0 (from 2012): access_token from /cgi-bin/oauth2/access_token, sent unsigned with oauth_consumer_key (the app key), openid, oauth_version=2.a, ' +
            'clientip and scope=all, in the query or the form body. A call with no oauth_signature but an access_token or oauth_version=2.a is judged as OAuth 2.0.',
        },
        emulator_admin: { type: 'http', scheme: 'bearer', description: 'the admin token, when the emulator is started with one (otherwise the control plane is open).' },
      },
      schemas: {
        WeiboEnvelope: envelopeSchema({ data: { nullable: true }, errcode: { type: 'integer' }, msg: { type: 'string' }, ret: { type: 'integer' } }, ['data', 'errcode', 'msg', 'ret']),
        GraphEnvelope: envelopeSchema({ ret: { type: 'integer' }, msg: { type: 'string' } }, ['ret', 'msg']),
        GraphWeiboEnvelope: envelopeSchema({ ret: { type: 'integer' }, errcode: { type: 'integer' }, msg: { type: 'string' }, data: { nullable: true }, seqid: { type: 'integer' } }, ['ret', 'errcode', 'msg', 'data']),
        ControlError: envelopeSchema({ error: { type: 'string' } }, ['error']),
      },
    },
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** Inline `code` spans of the descriptions, after escaping. */
const inline = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/** A self-contained HTML page (no external assets) listing every documented path by platform. */
export function renderDocs(app: FastifyInstance, version = '0.0.0'): string {
  const docs = routeDocs(app);
  const groups: Platform[] = ['graph.qq.com', 'open.t.qq.com', 'emulator'];
  const idOf = (d: RouteDoc) => CATALOGUE[d.url]?.id ?? '';
  const order = (id: string) => (id ? (id[0] === 'G' ? 0 : 1) * 1000 + Number(id.slice(1)) : 1e6);
  const sections = groups.map((g) => {
    const rows = docs
      .filter((d) => d.platform === g)
      .sort((a, b) => order(idOf(a)) - order(idOf(b)))
      .map((d) => {
        const id = idOf(d);
        return (
          `<tr id="${escapeHtml(openApiPath(d.url))}"><td class="id">${escapeHtml(id)}</td><td class="m">${escapeHtml(d.methods.filter((m) => m !== 'HEAD').join(' '))}</td>` +
          `<td><code>${escapeHtml(openApiPath(d.url))}</code><div class="d">${inline(d.summary)}${d.description ? ' — ' + inline(d.description) : ''}</div></td>` +
          `<td>${escapeHtml(d.auth ?? 'none')}${d.api ? ` <span class="d">(api ${escapeHtml(d.api)})</span>` : ''}</td><td>${escapeHtml(d.envelope ?? d.kind)}</td></tr>`
        );
      });
    return `<h2 id="${escapeHtml(g)}">${escapeHtml(g)} <small>(${rows.length})</small></h2>\n<table><thead><tr><th>#</th><th>method</th><th>path</th><th>auth</th><th>envelope</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tencent open-platform emulator — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:2em}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.id{font-weight:bold;white-space:nowrap}td.m{white-space:nowrap;font-family:monospace}
.d{color:#666;font-size:12px}code{background:#f6f6f6;padding:0 2px}
</style></head><body>
<h1>Tencent open-platform emulator <small>${escapeHtml(version)}</small></h1>
<p>Every endpoint, generated from the routes' declarations. Machine-readable: <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a> (OpenAPI 3.0.3).
APIs answer JSON by default and XML with <code>format=xml</code>. graph.qq.com APIs take <code>access_token</code>, <code>oauth_consumer_key</code> and <code>openid</code>;
open.t.qq.com APIs are signed with OAuth 1.0a (HMAC-SHA1) in the query, the form body or an <code>Authorization: OAuth</code> header.</p>
<p>${groups.map((g) => `<a href="#${escapeHtml(g)}">${escapeHtml(g)}</a>`).join(' · ')}</p>
${sections.join('\n')}
</body></html>
`;
}


/** GET /_emulator/openapi.json and GET /_emulator/docs; built on first use, once every route is registered. */
export function registerOpenApi(app: FastifyInstance): void {
  const version = readVersion();
  let doc: string | undefined;
  let page: string | undefined;
  app.get(OPENAPI_PATH, async (_req, reply) =>
    reply.type('application/json; charset=utf-8').send((doc ??= JSON.stringify(buildOpenApi(app, version), null, 2))),
  );
  app.get(DOCS_PATH, async (_req, reply) => reply.type('text/html; charset=utf-8').send((page ??= renderDocs(app, version))));
}
