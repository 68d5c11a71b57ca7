// An OpenAPI 3.0.3 description of every endpoint, built from the routes' own declarations
// (server/api.ts's registry: each API route's parameters from server/params.ts, its data
// schema, its envelope) plus small static lists for the routes registered directly (OAuth,
// stored pictures, the control plane). Served at GET /_emulator/openapi.json; the docs UI
// (server/docs.ts) renders the same document. Both sit under /_emulator/, so the control
// plane's admin-token hook (server/control/) guards them like every other control call.
//
// Wire facts the description keeps: JSON answers go out as text/html (what graph.qq.com and
// open.t.qq.com sent, and what real clients were written against), so the JSON schemas sit
// under text/html; XML (format=xml) under text/xml. `?media=json` relabels those bodies
// application/json for tools that only check JSON media types (Prism's mock); the wire is
// unchanged.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { baseOf, declaredRoutes, type DeclaredRoute } from './api.js';
import { renderXml, type Envelope } from './respond.js';
import { isOpenPage, readVersion } from './control/index.js';
import { controlRoutes, type ControlDoc } from './control/context.js';
import { described, oneOf, text, type Param, type Schema, type SeedExamples } from './params.js';
import { componentSchemas, NULL } from './schemas.js';
import { seedExamples } from '../db/examples.js';
import { dataVersion } from '../db/store.js';
import type { World } from '../db/world.js';
import { FIXTURES } from '../seed/generate.js';
import { DOCS_PATH, registerDocs } from './docs.js';

export const OPENAPI_PATH = '/_emulator/openapi.json';
export { DOCS_PATH };

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
  // the later open.t.qq.com rows (docs/endpoints.md O1–O2, L1–L8, each with its sources)
  "/cgi-bin/oauth2/authorize": { id: "O1", params: ["client_id", "response_type", "redirect_uri", "state", "wap", "forcelogin", "scope"], notes: "OAuth 2.0 (2012 on): 302 to redirect_uri?code=…&openid=…&openkey=…, or #access_token=…&expires_in=…&openid=…&openkey=…" },
  "/cgi-bin/oauth2/access_token": { id: "O2", params: ["grant_type", "client_id", "client_secret", "code", "redirect_uri", "refresh_token"], notes: "url-encoded access_token=…&expires_in=604800&refresh_token=…&openid=…&name=…&nick=…" },
  "/api/statuses/home_timeline_ids": { id: "L1", params: ["pageflag", "pagetime", "reqnum", "lastid"], notes: "time; info = [{id, timestamp}]" },
  "/api/statuses/user_timeline_ids": { id: "L2", params: ["name", "pageflag", "pagetime", "reqnum", "lastid"], notes: "time; info = [{id, timestamp}]" },
  "/api/statuses/broadcast_timeline_ids": { id: "L3", params: ["pageflag", "pagetime", "reqnum", "lastid"], notes: "time; info = [{id, timestamp}]" },
  "/api/statuses/mentions_timeline_ids": { id: "L4", params: ["pageflag", "pagetime", "reqnum", "lastid"], notes: "time; info = [{id, timestamp}]" },
  "/api/t/list": { id: "L5", params: ["ids"], notes: "the tweets asked for, in order; deleted and unknown ids left out" },
  "/api/user/infos": { id: "L6", params: ["names"], notes: "user/other_info's profile of each account" },
  "/api/friends/fanslist_s": { id: "L7", params: ["reqnum", "startindex", "install", "mode"], notes: "index, 1..200 a page; simple items" },
  "/api/friends/idollist_s": { id: "L8", params: ["reqnum", "startindex", "install", "mode"], notes: "index, 1..200 a page; simple items" },
};

type Platform = 'graph.qq.com' | 'open.t.qq.com' | 'emulator';

const platformOf = (url: string): Platform => (url.startsWith('/_emulator/') ? 'emulator' : url.startsWith('/api/') || url.startsWith('/cgi-bin/') ? 'open.t.qq.com' : 'graph.qq.com');

/** `/mblogpic/:key` → `/mblogpic/{key}` */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

// ---------------------------------------------------------------------------------------
// Routes registered outside server/api.ts

interface StaticRoute {
  methods: string[];
  url: string;
  auth: 'none' | 'oauth2-client' | 'oauth1-consumer';
  params: Param[];
  summary: string;
  responses: Record<string, unknown>;
}

const TEXT_HTML = 'text/html';
const page = (description: string) => ({ description, content: { [TEXT_HTML]: { schema: { type: 'string' } } } });
const redirect = (description: string) => ({ description, headers: { Location: { description: 'where the browser goes next', schema: { type: 'string' } } } });
const body = (description: string, example: string) => ({ description, content: { [TEXT_HTML]: { schema: { type: 'string' }, example } } });
const clientId = (e: SeedExamples) => e.appid;

/** graph.qq.com OAuth 2.0 (routes/graph/oauth2.ts) and open.t.qq.com OAuth 1.0a (routes/weibo/oauth1.ts). */
const OAUTH_ROUTES: StaticRoute[] = [
  {
    methods: ['GET', 'POST'],
    url: '/oauth2.0/authorize',
    auth: 'none',
    summary: 'the user approves the app: a code (response_type=code) or a token in the fragment (token)',
    params: [
      oneOf('response_type', ['code', 'token'], { required: true, example: 'code' }),
      text('client_id', { required: true, description: 'the appid', example: clientId }),
      text('redirect_uri', { required: true, description: 'one of the redirect URIs registered for the app', example: 'http://localhost:3000/callback' }),
      text('state', { description: 'echoed back to redirect_uri', example: 'xyz' }),
      text('scope', { description: 'comma-separated API names, or all', example: 'get_user_info' }),
      described('display', { type: 'string' }, { description: 'mobile for the mobile page' }),
    ],
    responses: {
      '302': redirect('to redirect_uri with code & state (or an #access_token=…&expires_in=… fragment)'),
      '200': page('the interactive approval page when the emulator runs interactive (POST is its form: decision=approve/deny and the user), or an error page'),
    },
  },
  {
    methods: ['GET', 'POST'],
    url: '/oauth2.0/token',
    auth: 'oauth2-client',
    summary: 'exchange a code (grant_type=authorization_code) or a refresh token for an access token',
    params: [
      oneOf('grant_type', ['authorization_code', 'refresh_token'], { required: true, example: 'authorization_code' }),
      text('client_id', { required: true, description: 'the appid', example: clientId }),
      text('client_secret', { required: true, description: 'the app key', example: FIXTURES.graphApp.secret }),
      text('code', { description: 'from /oauth2.0/authorize (authorization_code)' }),
      text('redirect_uri', { description: 'the same redirect_uri as the authorize call (authorization_code)', example: 'http://localhost:3000/callback' }),
      text('refresh_token', { description: 'from an earlier token answer (refresh_token)' }),
      oneOf('fmt', ['json'], { description: 'json: answer JSON instead of url-encoded pairs' }),
    ],
    responses: {
      '200': body(
        'url-encoded `access_token=…&expires_in=7776000&refresh_token=…` (JSON with fmt=json); errors as `callback( {"error":…,"error_description":"…"} );`',
        'access_token=FE04************************CCE2&expires_in=7776000&refresh_token=88E4************************BE14',
      ),
    },
  },
  {
    methods: ['GET', 'POST'],
    url: '/oauth2.0/me',
    auth: 'none',
    summary: 'the openid behind an access token',
    params: [
      text('access_token', { required: true, description: 'from /oauth2.0/token' }),
      oneOf('fmt', ['json'], { description: 'json: answer JSON instead of JSONP' }),
      oneOf('unionid', ['1'], { description: '1: add the unionid (apps allowed to read it)' }),
      described('callback', { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$' }, { description: 'JSONP function name (default callback)' }),
    ],
    responses: { '200': body('`callback( {"client_id":"…","openid":"…"} );` (JSON with fmt=json); errors in the same wrapper', 'callback( {"client_id":"101000001","openid":"54C1E9379DCED958BE5DB9487D077538"} );\n') },
  },
  {
    methods: ['GET', 'POST'],
    url: '/cgi-bin/request_token',
    auth: 'oauth1-consumer',
    summary: 'OAuth 1.0a step 1: a request token, signed with the consumer secret alone',
    params: [text('oauth_callback', { required: true, description: 'where /cgi-bin/authorize sends the user back; null or oob for a verifier page', example: 'http://localhost:3000/weibo/callback' })],
    responses: {
      '200': body('`oauth_token=…&oauth_token_secret=…&oauth_callback_confirmed=true`', 'oauth_token=9d8a4c2f0e7b4d51a6c3e8f1b2d4a6c8&oauth_token_secret=0f1e2d3c4b5a69788796a5b4c3d2e1f0&oauth_callback_confirmed=true'),
      '401': { $ref: '#/components/responses/WeiboOAuthRefusal' },
    },
  },
  {
    methods: ['GET', 'POST'],
    url: '/cgi-bin/authorize',
    auth: 'none',
    summary: 'OAuth 1.0a step 2: the user approves the request token',
    params: [text('oauth_token', { required: true, description: 'the request token' })],
    responses: {
      '302': redirect('to the callback with oauth_token & oauth_verifier'),
      '200': page('a page showing the verifier when the callback is oob / null, or the interactive approval page (POST is its form: decision=approve/deny)'),
      '400': page('an unknown, expired or used request token: an error page'),
    },
  },
  {
    methods: ['GET', 'POST'],
    url: '/cgi-bin/access_token',
    auth: 'oauth1-consumer',
    summary: 'OAuth 1.0a step 3: exchange the approved request token (and its verifier) for an access token',
    params: [text('oauth_verifier', { required: true, description: 'from the callback of /cgi-bin/authorize' })],
    responses: {
      '200': body('`oauth_token=…&oauth_token_secret=…&name=…`', 'oauth_token=2f6a0c8e4b1d4f3a9c7e5b3d1f9a7c5e&oauth_token_secret=6e4c2a0f8d6b4a2c0e8f6d4b2a0c8e6f&name=alice'),
      '401': { $ref: '#/components/responses/WeiboOAuthRefusal' },
    },
  },
];

/** open.t.qq.com OAuth 2.0 (routes/weibo/oauth2.ts). */
OAUTH_ROUTES.push(
  {
    methods: ['GET', 'POST'],
    url: '/cgi-bin/oauth2/authorize',
    auth: 'none',
    summary: 'open.t.qq.com OAuth 2.0: the user approves the app (response_type=code or token)',
    params: [
      oneOf('response_type', ['code', 'token'], { required: true, example: 'code' }),
      text('client_id', { required: true, description: 'the app key', example: FIXTURES.weiboApp.appid }),
      text('redirect_uri', { required: true, description: 'a redirect URI registered for the app', example: FIXTURES.weiboApp.redirectUris[0] }),
      text('state', { description: 'echoed back to redirect_uri', example: 'xyz' }),
    ],
    responses: {
      '302': redirect('to redirect_uri with code, openid, openkey (& state), or an #access_token=…&expires_in=…&openid=…&openkey=… fragment for response_type=token'),
      '200': page('the interactive approval page when the emulator runs interactive (POST is its form)'),
      '400': page('an error page'),
    },
  },
  {
    methods: ['GET', 'POST'],
    url: '/cgi-bin/oauth2/access_token',
    auth: 'oauth2-client',
    summary: 'open.t.qq.com OAuth 2.0: exchange a code or a refresh token for an access token',
    params: [
      oneOf('grant_type', ['authorization_code', 'refresh_token'], { required: true, example: 'authorization_code' }),
      text('client_id', { required: true, description: 'the app key', example: FIXTURES.weiboApp.appid }),
      text('client_secret', { description: 'the app secret (authorization_code)', example: FIXTURES.weiboApp.secret }),
      text('code', { description: 'from /cgi-bin/oauth2/authorize (authorization_code)' }),
      text('redirect_uri', { description: 'the same redirect_uri as the authorize call', example: FIXTURES.weiboApp.redirectUris[0] }),
      text('refresh_token', { description: 'from an earlier answer (refresh_token)' }),
    ],
    responses: {
      '200': page('url-encoded `access_token=…&expires_in=604800&refresh_token=…&openid=…&name=…&nick=…`'),
      '400': page('url-encoded `errorCode=…&errorMsg=…&error=…&error_description=…`'),
      '401': page('client authentication failed, url-encoded as for 400'),
    },
  },
);

const PICTURE_KEY: Schema = { type: 'string', pattern: '^[0-9a-f]{32}$' };
const pictureOk = { description: 'the stored bytes with their image content type', content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } };
const pictureMissing = { description: 'no such picture', content: { 'text/plain': { schema: { type: 'string' } } } };

/** Stored pictures served back from the URLs the answers give (routes/pictures.ts). */
const PICTURE_ROUTES: { url: string; summary: string; path: Record<string, Schema> }[] = [
  ...['/mblogpic', '/mbloghead', '/qzonepic'].flatMap((p) => [
    { url: `${p}/:key`, summary: `stored picture ${p}/{key}`, path: { key: PICTURE_KEY } as Record<string, Schema> },
    { url: `${p}/:key/:size`, summary: `stored picture ${p}/{key}/{size} (every size is the original)`, path: { key: PICTURE_KEY, size: { type: 'string', minLength: 1 } } },
  ]),
  { url: '/qzapp/:appid/:openid/:size', summary: 'QZone avatar (figureurl*) of the user behind openid', path: { appid: { type: 'string', minLength: 1 }, openid: { type: 'string', pattern: '^[0-9A-F]{32}$' }, size: { type: 'string', minLength: 1 } } },
  { url: '/qqapp/:appid/:openid/:size', summary: 'QQ avatar (figureurl_qq*) of the user behind openid', path: { appid: { type: 'string', minLength: 1 }, openid: { type: 'string', pattern: '^[0-9A-F]{32}$' }, size: { type: 'string', minLength: 1 } } },
];

const pathExample = (name: string, e: SeedExamples): string | undefined =>
  ({ key: e.pictureKey, appid: e.appid, openid: e.openid, size: '100' })[name] || undefined;

/** The control plane (server/control/) and the docs pages. */
/** The pages under /_emulator/ registered outside the control modules (the routes of server/control/ describe themselves). */
const PAGE_ROUTES: { url: string; summary: string; type: string }[] = [
  { url: OPENAPI_PATH, summary: 'this OpenAPI 3.0 description (?media=json: JSON bodies labelled application/json)', type: 'application/json' },
  { url: DOCS_PATH, summary: 'the docs UI (Swagger UI, served locally) over this description', type: 'text/html' },
  { url: `${DOCS_PATH}/init.js`, summary: 'the docs UI start-up script', type: 'application/javascript' },
  { url: `${DOCS_PATH}/:file`, summary: 'the docs UI assets (swagger-ui.css, swagger-ui-bundle.js, favicon-32x32.png)', type: '*/*' },
  { url: '/_emulator/console', summary: 'the console page (HTML): the live request journal (filters, each entry: request, answer and signature diagnosis), paged users, tweets, relations and tokens, a token per user in one click, Reset; the page loads without the admin token and asks for it, its data calls send it', type: 'text/html' },
  { url: '/_emulator/ca.pem', summary: 'the CA certificate to trust for the TLS listeners (PEM; 404 when HTTPS is off)', type: 'application/x-pem-file' },
  { url: '/', summary: 'the landing page (HTML): base URLs, fixtures, links to the console and docs, one call to paste', type: 'text/html' },
  // stored (and printed) as /_emulator under ignoreTrailingSlash; /_emulator/ answers the same
  { url: '/_emulator', summary: 'the landing page (HTML), as at / (also /_emulator/)', type: 'text/html' },
];

const ENVELOPE_TEXT: Record<Envelope, string> = {
  weibo: 'open.t.qq.com envelope: `{"data":…,"errcode":0,"msg":"ok","ret":0}` with keys sorted at every level; XML root `<root>`',
  graph: 'graph.qq.com envelope: `{"ret":0,"msg":"",…fields}`; XML root `<data>`',
  'graph-weibo': 'graph.qq.com Weibo-wrapper envelope: `{"ret":0,"errcode":0,"msg":"ok","data":…,"seqid":…}`; XML root `<data>`',
};

type Auth = 'graph' | 'weibo' | 'oauth2-client' | 'oauth1-consumer' | 'none' | 'admin';

const AUTH_TEXT: Record<Auth, string> = {
  graph: 'graph.qq.com OpenAPI: access_token, oauth_consumer_key (appid) and openid parameters (query or form body); the app must be approved for the API and the token scoped for it',
  weibo: 'open.t.qq.com OAuth 1.0a (HMAC-SHA1) with the access token; see the weibo_oauth1 security scheme for how to sign. Or OAuth 2.0: oauth_consumer_key, access_token, openid, oauth_version=2.a (clientip, scope) in the query or the form body, unsigned (weibo_oauth2)',
  'oauth2-client': 'OAuth 2.0 client credentials (client_id, client_secret) with a code or refresh_token',
  'oauth1-consumer': 'OAuth 1.0a signature with the consumer secret (plus the request token and its secret for access_token); see the weibo_oauth1 security scheme',
  none: 'none',
  admin: 'none, or Authorization: Bearer <admin token> when the emulator is started with an admin token',
};

const API_ERRORS: Record<Envelope, string> = {
  weibo: 'ret 0 is success; ret 1 parameter error (msg names the parameter), 2 rate limited, 3 authentication failed (errcode says why), 4 server or write refusal with errcode',
  'graph-weibo': 'ret 0 is success; ret 1 parameter error (msg names the parameter), 3 / 4 with errcode as open.t.qq.com; negative ret and 100xxx codes are authentication and approval errors',
  graph: 'ret 0 is success; ret 1 parameter error (msg names the parameter); negative ret (-1 bad parameters, -22 openid…) and 1002 / 100xxx codes are authentication, token and approval errors',
};

/** What a build needs from the request: its base URL and the world the examples come from. */
export interface BuildContext {
  base: string;
  examples: SeedExamples;
  /** label JSON bodies application/json instead of the wire's text/html (?media=json) */
  jsonMedia?: boolean;
}

const exampleOf = (p: Param, e: SeedExamples): unknown => {
  const v = typeof p.example === 'function' ? p.example(e) : p.example;
  return v === '' ? undefined : v;
};

function queryParameter(p: Param, e: SeedExamples): Record<string, unknown> {
  const example = exampleOf(p, e);
  return { name: p.name, in: 'query', ...(p.required ? { required: true } : {}), ...(p.description ? { description: p.description } : {}), schema: p.schema, ...(example !== undefined ? { example } : {}) };
}

function requestBody(params: Param[], e: SeedExamples): Record<string, unknown> | undefined {
  if (params.length === 0) return undefined;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const p of params) {
    const example = exampleOf(p, e);
    properties[p.name] = { ...p.schema, ...(p.description ? { description: p.description } : {}), ...(example !== undefined ? { example } : {}) };
    if (p.required) required.push(p.name);
  }
  const schema = { type: 'object', properties, ...(required.length ? { required } : {}) };
  const files = params.some((p) => p.file);
  return {
    required: required.length > 0,
    content: files ? { 'multipart/form-data': { schema } } : { 'application/x-www-form-urlencoded': { schema }, 'multipart/form-data': { schema } },
  };
}

const envelopeRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ENVELOPE_NAME: Record<Envelope, string> = { weibo: 'Weibo', graph: 'Graph', 'graph-weibo': 'GraphWeibo' };

/**
 * The success envelope of a route: the platform's, with the route's data schema when it declares
 * one — graph: the data's members beside ret and msg (and its additionalProperties); weibo and
 * graph-weibo: the data under `data`, nothing else in the envelope.
 */
function okSchema(env: Envelope, declared: Schema | undefined): Schema {
  // every API route declares its data (ApiRoute.data); without it, any data
  const data = declared ?? { type: 'object', nullable: env !== 'graph', additionalProperties: true, description: 'not described' };
  if (env === 'graph') {
    const props = (data.properties ?? {}) as Record<string, unknown>;
    const req = ((data.required ?? []) as string[]).filter((k) => k !== 'ret' && k !== 'msg');
    return {
      type: 'object',
      required: ['ret', 'msg', ...req],
      properties: { ret: { type: 'integer', enum: [0] }, msg: { type: 'string' }, ...props },
      ...(data.additionalProperties !== undefined ? { additionalProperties: data.additionalProperties } : {}),
      ...(data.description ? { description: data.description } : {}),
    };
  }
  const base = env === 'weibo' ? ['data', 'errcode', 'msg', 'ret'] : ['ret', 'errcode', 'msg', 'data'];
  return {
    type: 'object',
    required: base,
    properties: { ret: { type: 'integer', enum: [0] }, errcode: { type: 'integer' }, msg: { type: 'string' }, data, ...(env === 'graph-weibo' ? { seqid: { type: 'integer' } } : {}) },
    additionalProperties: false,
  };
}

function errorExample(env: Envelope, r: { ret: number; errcode: number; msg: string }): Record<string, unknown> {
  if (env === 'weibo') return { data: null, errcode: r.errcode, msg: r.msg, ret: r.ret };
  if (env === 'graph-weibo') return { ret: r.ret, msg: r.msg, errcode: r.errcode, data: null };
  return { ret: r.ret, msg: r.msg };
}

const xmlRoot = (env: Envelope) => (env === 'weibo' ? 'root' : 'data');

/** The API answer: the envelope as JSON text (text/html on the wire) or XML (format=xml); HTTP 200 on errors too. */
function apiResponses(d: DeclaredRoute, method: string, ctx: BuildContext): Record<string, unknown> {
  const json = ctx.jsonMedia ? 'application/json' : TEXT_HTML;
  const env = d.envelope;
  if (method === 'head') return { '200': { description: 'the headers of the GET answer, without a body' } };
  const note = `JSON by default, sent as ${TEXT_HTML} as the real service did (the body is JSON text); XML with format=xml; HTTP 200 on errors too`;
  if (d.refusal) {
    const ex = errorExample(env, d.refusal);
    return {
      '200': {
        description: `Always this error, whatever the method and credentials; ${note}`,
        content: { [json]: { schema: envelopeRef(`${ENVELOPE_NAME[env]}Error`), example: ex }, 'text/xml': { schema: { type: 'string' }, example: renderXml(xmlRoot(env), ex) } },
      },
    };
  }
  const paramError = errorExample(env, { ret: 1, errcode: env === 'graph' ? 0 : 1, msg: `error ${d.params?.find((p) => p.required)?.name ?? 'reqnum'} param: missing` });
  return {
    '200': {
      description: `${ENVELOPE_TEXT[env]}; ${note}. ${API_ERRORS[env]}.`,
      content: {
        [json]: { schema: { anyOf: [okSchema(env, d.data), envelopeRef(`${ENVELOPE_NAME[env]}Error`)] }, examples: { parameterError: { summary: 'a parameter error', value: paramError } } },
        'text/xml': { schema: { type: 'string' }, example: renderXml(xmlRoot(env), paramError) },
      },
    },
  };
}

interface Operation {
  method: string;
  url: string;
  platform: Platform;
  op: Record<string, unknown>;
}

function pathParameters(url: string, e: SeedExamples, schemas: Record<string, Schema> = {}): unknown[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => {
    const example = pathExample(m[1], e);
    // an empty segment is another path
    return { name: m[1], in: 'path', required: true, schema: schemas[m[1]] ?? { type: 'string', minLength: 1 }, ...(example ? { example } : {}) };
  });
}

const operationId = (method: string, url: string) => `${method}${url.replace(/[^A-Za-z0-9]+/g, '_')}`;
const hasBody = (method: string) => method === 'post' || method === 'put' || method === 'patch';

function paramsOperation(method: string, params: Param[], e: SeedExamples, op: Record<string, unknown>, extra: unknown[] = []): void {
  const parameters: unknown[] = [...extra];
  if (hasBody(method)) {
    const body = requestBody(params, e);
    if (body) op.requestBody = body;
  } else for (const p of params) if (!p.file) parameters.push(queryParameter(p, e));
  if (parameters.length) op.parameters = parameters;
}

function apiOperation(d: DeclaredRoute, method: string, ctx: BuildContext): Operation {
  const c = CATALOGUE[d.url];
  const name = d.url.replace(/^\/(api\/)?/, '');
  const auth: Auth = d.refusal ? 'none' : (d.auth ?? 'none');
  const op: Record<string, unknown> = {
    tags: [platformOf(d.url)],
    summary: `${c?.id ?? ''} ${name}`.trim(),
    description: [d.summary ?? c?.notes ?? '', ENVELOPE_TEXT[d.envelope], d.refusal ? `Always refused: ret ${d.refusal.ret}, errcode ${d.refusal.errcode}, msg "${d.refusal.msg}"` : '']
      .filter(Boolean)
      .join('. ') + `.\n\nAuthentication: ${AUTH_TEXT[auth]}.`,
    operationId: operationId(method, d.url),
  };
  paramsOperation(method, d.refusal ? [] : (d.params ?? []), ctx.examples, op, method === 'head' ? [] : [{ $ref: '#/components/parameters/format' }]);
  op.responses = apiResponses(d, method, ctx);
  op.security = d.refusal ? [] : d.auth === 'graph' ? [{ graph_access_token: [], graph_oauth_consumer_key: [], graph_openid: [] }] : [{ weibo_oauth1: [] }, { weibo_oauth2: [] }];
  op['x-emulator'] = { id: c?.id ?? null, kind: d.refusal ? 'refusal' : 'api', envelope: d.envelope, auth, ...(d.api ? { api: d.api } : {}) };
  return { method, url: d.url, platform: platformOf(d.url), op };
}

function staticOperation(r: StaticRoute, method: string, ctx: BuildContext): Operation {
  const c = CATALOGUE[r.url];
  const op: Record<string, unknown> = {
    tags: [platformOf(r.url)],
    summary: `${c?.id ?? ''} ${r.url}`.trim(),
    description: `${r.summary}.${c?.notes ? ' ' + c.notes + '.' : ''}\n\nAuthentication: ${AUTH_TEXT[r.auth]}.`,
    operationId: operationId(method, r.url),
  };
  paramsOperation(method, r.params, ctx.examples, op);
  op.responses = method === 'head' ? { '200': { description: 'the headers of the GET answer, without a body' } } : r.responses;
  op.security = r.auth === 'oauth1-consumer' ? [{ weibo_oauth1: [] }] : [];
  op['x-emulator'] = { id: c?.id ?? null, kind: 'oauth', envelope: null, auth: r.auth };
  return { method, url: r.url, platform: platformOf(r.url), op };
}

function pictureOperations(ctx: BuildContext): Operation[] {
  return PICTURE_ROUTES.flatMap((p) =>
    ['get', 'head'].map((method) => ({
      method,
      url: p.url,
      platform: platformOf(p.url) === 'open.t.qq.com' || p.url.startsWith('/mblog') ? ('open.t.qq.com' as Platform) : ('graph.qq.com' as Platform),
      op: {
        tags: [p.url.startsWith('/mblog') ? 'open.t.qq.com' : 'graph.qq.com'],
        summary: p.summary,
        description: 'The stored bytes with their image content type; 404 text/plain when unknown.',
        operationId: operationId(method, p.url),
        parameters: pathParameters(p.url, ctx.examples, p.path),
        responses: method === 'head' ? { '200': { description: 'the headers of the GET answer, without a body' }, '404': { description: 'no such picture' } } : { '200': pictureOk, '404': pictureMissing },
        security: [],
        'x-emulator': { id: null, kind: 'picture', envelope: null, auth: 'none' },
      },
    })),
  );
}

const controlError = { description: '{"error":"…"}', content: { 'application/json': { schema: envelopeRef('ControlError') } } };
const controlSecurity = [{}, { emulator_admin: [] }];

/** The control plane, from the descriptions its routes were registered with (server/control/context.ts). */
function controlOperations(app: FastifyInstance, ctx: BuildContext): Operation[] {
  const out: Operation[] = controlRoutes(app).map((r) => {
    const method = r.method.toLowerCase();
    const d: ControlDoc = r.doc ?? { summary: r.url };
    const op: Record<string, unknown> = {
      tags: ['emulator'],
      summary: d.summary,
      description: 'Control plane: JSON in (a JSON body, a form or the query), JSON out (application/json); refusals are {"error":"…"} with a 4xx status.',
      operationId: operationId(method, r.url),
    };
    const parameters: unknown[] = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string', minLength: 1 }, ...(d.path?.[m[1]] ? { example: d.path[m[1]] } : {}) }));
    for (const [name, schema] of Object.entries(d.query ?? {})) parameters.push({ name, in: 'query', schema, ...(d.example?.[name] !== undefined ? { example: d.example[name] } : {}) });
    if (parameters.length) op.parameters = parameters;
    if (d.body) {
      const schema = { type: 'object', properties: d.body, ...(d.required?.length ? { required: d.required } : {}), additionalProperties: Object.keys(d.body).length === 0 };
      op.requestBody = { required: !!d.required?.length || Object.keys(d.body).length === 0, content: { 'application/json': { schema, ...(d.example ? { example: d.example } : {}) } } };
    }
    const ok: Record<string, unknown> = { description: 'JSON', content: { 'application/json': { schema: d.answer ?? { type: 'object' } } } };
    if (d.links) ok.links = d.links;
    op.responses = { '200': ok, '4XX': controlError };
    const open = isOpenPage(r.url) && method === 'get';
    op.security = open ? [] : controlSecurity;
    op['x-emulator'] = { id: null, kind: 'control', envelope: null, auth: open ? 'none' : 'admin' };
    return { method, url: r.url, platform: 'emulator' as Platform, op };
  });
  const open = (url: string) => !url.startsWith('/_emulator') || isOpenPage(url);
  for (const p of PAGE_ROUTES) {
    out.push({
      method: 'get',
      url: p.url,
      platform: 'emulator',
      op: {
        tags: ['emulator'],
        summary: p.summary,
        operationId: operationId('get', p.url),
        ...(p.url.includes(':') ? { parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string', enum: ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'] }, example: 'swagger-ui.css' }] } : {}),
        responses: { '200': { description: p.summary, content: { [p.type]: { schema: p.type === 'application/json' ? { type: 'object' } : { type: 'string' } } } }, '4XX': controlError },
        // pages without data load without the admin token (server/control/index.ts isOpenPage)
        security: open(p.url) ? [] : controlSecurity,
        'x-emulator': { id: null, kind: 'control', envelope: null, auth: open(p.url) ? 'none' : 'admin' },
      },
    });
  }
  return out;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every operation of the app, API routes from the registry of server/api.ts. */
function operations(app: FastifyInstance, ctx: BuildContext): Operation[] {
  const out: Operation[] = [];
  for (const r of OAUTH_ROUTES) for (const m of r.methods) out.push(staticOperation(r, m.toLowerCase(), ctx));
  for (const d of declaredRoutes(app)) for (const m of d.method) out.push(apiOperation(d, m.toLowerCase(), ctx));
  out.push(...pictureOperations(ctx), ...controlOperations(app, ctx));
  return out.filter((o) => HTTP_METHODS.has(o.method));
}

const REAL_HOST: Partial<Record<Platform, string>> = { 'graph.qq.com': 'graph.qq.com', 'open.t.qq.com': 'open.t.qq.com' };

const OAUTH1_TEXT =
  'OAuth 1.0a (RFC 5849) with HMAC-SHA1, as open.t.qq.com v1 required; OpenAPI 3.0 has no OAuth 1.0a flow, so it is described here. ' +
  'Every call carries oauth_consumer_key (the appid), oauth_token, oauth_nonce (fresh per call), oauth_timestamp (seconds, within 300 s of the server clock), ' +
  'oauth_signature_method=HMAC-SHA1, oauth_version=1.0 and oauth_signature, in an `Authorization: OAuth k="v", …` header, the query string or the form body. ' +
  'Signature: HMAC-SHA1 with the key `percent(consumer_secret)&percent(token_secret)` over the base string `METHOD&percent(base URL)&percent(sorted, percent-encoded k=v pairs joined by &)`; ' +
  'the pairs are every query and form parameter plus the oauth_* ones except oauth_signature; multipart uploads sign only the text fields (the `pic` file part is not signed); the base URL is the scheme, host and path as the client called it. ' +
  'Tokens: /cgi-bin/request_token (signed with the consumer secret alone, oauth_callback) → /cgi-bin/authorize?oauth_token=… (the user approves; oauth_verifier comes back) → ' +
  '/cgi-bin/access_token (signed with the request token secret, oauth_verifier) → oauth_token and oauth_token_secret for the API calls. ' +
  'Any OAuth 1.0a library does this (node: oauth, oauth-1.0a; Python: requests-oauthlib); the control plane mints access tokens without the dance: POST /_emulator/tokens/weibo.';

/** The OpenAPI 3.0.3 document of the app's routes, for the request's base URL and world. */
export function buildOpenApi(app: FastifyInstance, version: string, ctx: BuildContext): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const o of operations(app, ctx)) {
    const item = (paths[openApiPath(o.url)] ??= {});
    if (item[o.method]) continue;
    const host = REAL_HOST[o.platform];
    if (host && !item.servers) {
      item.servers = [
        { url: ctx.base, description: 'this emulator' },
        { url: `{scheme}://${host}`, description: `the real host name (the emulator answers it in Docker / hosts-file mode)`, variables: { scheme: { enum: ['http', 'https'], default: host === 'graph.qq.com' ? 'https' : 'http' } } },
      ];
    }
    item[o.method] = o.op;
  }
  const str = { type: 'string' };
  const int = { type: 'integer' };
  const obj = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required });
  // an error's data is always null, and a graph error has nothing beside ret and msg: a success
  // answer (ret 0, data) never passes for an error, so its route's data schema is what judges it
  const noData = { ...NULL, description: 'null' };
  const weiboErr = errorExample('weibo', { ret: 3, errcode: 7, msg: 'check sign error: missing parameter oauth_consumer_key' });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Tencent open-platform emulator',
      version,
      description:
        'graph.qq.com (QQ Connect, OAuth 2.0) and open.t.qq.com (Tencent Weibo v1, OAuth 1.0a HMAC-SHA1) on one port, plus the emulator control plane under /_emulator/. ' +
        'Every API answers JSON by default (sent as text/html, as the real services did) and XML with format=xml. Summaries carry the endpoint catalogue row ids (G1–G22, T1–T57). ' +
        'Paths may also be called under a /graph.qq.com or /open.t.qq.com prefix. Examples name the seeded world (appid 101000001, users alice and bob, their tweets).\n\n' +
        '**graph.qq.com (OAuth 2.0)**: send the user to /oauth2.0/authorize?response_type=code&client_id=…&redirect_uri=…; exchange the code at /oauth2.0/token; ' +
        'read the openid from /oauth2.0/me; call the APIs with access_token, oauth_consumer_key (the appid) and openid. POST /_emulator/tokens/graph mints a token directly.\n\n' +
        `**open.t.qq.com (OAuth 1.0a)**: ${OAUTH1_TEXT}`,
    },
    servers: [{ url: ctx.base, description: 'this emulator (the host the description was fetched from)' }],
    tags: [
      { name: 'graph.qq.com', description: 'QQ Connect: OAuth 2.0 and the OpenAPI (access_token, oauth_consumer_key, openid)' },
      { name: 'open.t.qq.com', description: 'Tencent Weibo v1: OAuth 1.0a (HMAC-SHA1) and /api/*' },
      { name: 'emulator', description: 'control plane (plain JSON); guarded by the admin token when one is configured' },
    ],
    paths,
    components: {
      parameters: {
        format: {
          name: 'format',
          in: 'query',
          description: 'json (default) or xml; may also be sent in the form body. Not enforced: any other value (JSON, XML, empty) answers JSON, as lenient clients expect.',
          schema: { type: 'string', enum: ['json', 'xml'], default: 'json' },
        },
      },
      securitySchemes: {
        graph_access_token: { type: 'apiKey', in: 'query', name: 'access_token', description: 'graph.qq.com access token from /oauth2.0/token (query or form body).' },
        graph_oauth_consumer_key: { type: 'apiKey', in: 'query', name: 'oauth_consumer_key', description: 'the appid the token was issued to.' },
        graph_openid: { type: 'apiKey', in: 'query', name: 'openid', description: 'the user openid from /oauth2.0/me.' },
        weibo_oauth1: { type: 'http', scheme: 'OAuth', description: OAUTH1_TEXT },
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
      responses: {
        WeiboOAuthRefusal: {
          description: 'HTTP 401: a refused signature, token or verifier, in the open.t.qq.com envelope (ret 3; errcode says why)',
          content: { [ctx.jsonMedia ? 'application/json' : TEXT_HTML]: { schema: envelopeRef('WeiboError'), example: weiboErr }, 'text/xml': { schema: str, example: renderXml('root', weiboErr) } },
        },
      },
      schemas: {
        WeiboError: { ...obj({ data: noData, errcode: int, msg: str, ret: int }, ['data', 'errcode', 'msg', 'ret']), additionalProperties: false },
        GraphError: { ...obj({ ret: int, msg: str }, ['ret', 'msg']), additionalProperties: false },
        GraphWeiboError: { ...obj({ ret: int, errcode: int, msg: str, data: noData, seqid: int }, ['ret', 'msg']), additionalProperties: false },
        ControlError: obj({ error: str }, ['error']),
        // the answers' shapes (routes/shapes.ts and the route modules, server/schemas.ts)
        ...componentSchemas(),
      },
    },
  };
}

/** The build context of a request: its base URL and the examples of the world it runs in. */
export function contextOf(req: FastifyRequest): BuildContext {
  const base = baseOf(req, req.server.emulatorConfig.baseUrl);
  const query = req.query as Record<string, unknown> | undefined;
  return { base, examples: seedExamples(req.world), jsonMedia: query?.media === 'json' };
}

/**
 * What a built document depends on, besides the app's routes (fixed once it is ready): the
 * request's base URL (public base or host, scheme, path prefix) and ?media=json — the key — and
 * the world's data, through the examples (seedExamples) — its data version (db/store.ts).
 */
interface KeptDocs {
  version: number;
  /** `base \n media` → the document as sent (UTF-8: encoded once) */
  bodies: Map<string, Buffer>;
}

/** At most this many bases per world are kept (Host is the client's to choose). */
const MAX_KEPT_DOCS = 16;

/** Documents built (not served from the kept ones) by this process: for tests. */
export const openApiBuilds = { count: 0 };

/** The document as sent, for this request: kept per world while its data version stays. */
export function openApiBody(app: FastifyInstance, version: string, req: FastifyRequest, kept: WeakMap<World, KeptDocs>): Buffer {
  const world = req.world;
  const ctx = contextOf(req);
  const key = `${ctx.base}\n${ctx.jsonMedia ? 'json' : ''}`;
  const before = dataVersion(world.db);
  let k = kept.get(world);
  if (!k || k.version !== before) kept.set(world, (k = { version: before, bodies: new Map() }));
  const hit = k.bodies.get(key);
  if (hit) return hit;
  openApiBuilds.count++;
  const body = Buffer.from(JSON.stringify(buildOpenApi(app, version, ctx), null, 2));
  // the examples may write (openidFor files an openid on first use): a document built across a
  // change is sent but not kept; the next request builds on the changed world
  if (dataVersion(world.db) !== before) return body;
  if (k.bodies.size >= MAX_KEPT_DOCS) k.bodies.clear();
  k.bodies.set(key, body);
  return body;
}

/**
 * GET /_emulator/openapi.json: its servers and examples follow the request's host and world, so
 * it is built per (base URL, media, world) and kept until the world's data changes (a build is
 * ~100 ms; a kept one is sent as is).
 */
export function registerOpenApi(app: FastifyInstance): void {
  const version = readVersion();
  const kept = new WeakMap<World, KeptDocs>();
  app.get(OPENAPI_PATH, async (req, reply) => reply.type('application/json; charset=utf-8').send(openApiBody(app, version, req, kept)));
  registerDocs(app);
}

/** Every documented route: its methods (upper case), fastify URL and platform (the listeners' split, server/listen.ts tests). */
export function routeDocs(app: FastifyInstance): { methods: string[]; url: string; platform: Platform }[] {
  const byUrl = new Map<string, { methods: string[]; url: string; platform: Platform }>();
  for (const o of operations(app, { base: 'http://localhost', examples: seedExamples(app.world) })) {
    const d = byUrl.get(o.url) ?? { methods: [], url: o.url, platform: o.platform };
    d.methods.push(o.method.toUpperCase());
    byUrl.set(o.url, d);
  }
  return [...byUrl.values()];
}
