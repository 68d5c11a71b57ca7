// The OpenAPI description (server/openapi.ts): a real validator (@apidevtools/swagger-parser) and
// linter (@redocly/openapi-core) find no error in it; every catalogue row and every registered
// route is in it; servers are absolute; wire facts (text/html JSON, text/xml, HEAD without a body,
// /cgi-bin/* 401 / 400) are described; it is guarded by the admin token like the rest of /_emulator/.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import t from 'tap';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { build, graphCreds, graphGet } from '../helpers.js';
import { openApiPath } from '../../server/openapi.js';

const app = await build();
t.teardown(() => app.close());

/** Rows of the catalogue if /work/shared/spec/endpoints.md is not next to the repo. */
const FALLBACK: [string, string, string][] = [
  ['G1', 'GET', '/oauth2.0/authorize'],
  ['G2', 'GET', '/oauth2.0/token'],
  ['G3', 'GET', '/oauth2.0/me'],
  ['G4', 'GET', '/user/get_user_info'],
  ['G5', 'GET', '/user/get_vip_info'],
  ['G6', 'GET/POST', '/user/get_vip_rich_info'],
  ['G7', 'GET', '/photo/list_album'],
  ['G8', 'POST', '/photo/upload_pic'],
  ['G9', 'POST', '/photo/add_album'],
  ['G10', 'GET', '/photo/list_photo'],
  ['G11', 'GET', '/user/get_info'],
  ['G12', 'POST', '/t/add_t'],
  ['G13', 'POST', '/t/del_t'],
  ['G14', 'POST', '/t/add_pic_t'],
  ['G15', 'GET', '/t/get_repost_list'],
  ['G16', 'GET', '/user/get_other_info'],
  ['G17', 'GET', '/relation/get_fanslist'],
  ['G18', 'GET', '/relation/get_idollist'],
  ['G19', 'POST', '/relation/add_idol'],
  ['G20', 'POST', '/relation/del_idol'],
  ['G21', 'GET', '/cft_info/get_tenpay_addr'],
  ['G22', 'any', '/share/add_share, /blog/add_one_blog'],
  ['T1', 'GET', '/cgi-bin/request_token'],
  ['T2', 'GET', '/cgi-bin/authorize'],
  ['T3', 'GET', '/cgi-bin/access_token'],
  ['T4', 'GET', '/api/statuses/home_timeline'],
  ['T5', 'GET', '/api/statuses/public_timeline'],
  ['T6', 'GET', '/api/statuses/user_timeline'],
  ['T7', 'GET', '/api/statuses/mentions_timeline'],
  ['T8', 'GET', '/api/statuses/ht_timeline'],
  ['T9', 'GET', '/api/statuses/broadcast_timeline'],
  ['T10', 'GET', '/api/statuses/special_timeline'],
  ['T11', 'GET', '/api/t/show'],
  ['T12', 'POST', '/api/t/add'],
  ['T13', 'POST', '/api/t/del'],
  ['T14', 'POST', '/api/t/re_add'],
  ['T15', 'POST', '/api/t/reply'],
  ['T16', 'POST', '/api/t/add_pic'],
  ['T17', 'GET', '/api/t/re_count'],
  ['T18', 'GET', '/api/t/re_list'],
  ['T19', 'POST', '/api/t/comment'],
  ['T20', 'GET', '/api/user/info'],
  ['T21', 'POST', '/api/user/update'],
  ['T22', 'POST', '/api/user/update_head'],
  ['T23', 'GET', '/api/user/other_info'],
  ['T24', 'GET', '/api/friends/fanslist'],
  ['T25', 'GET', '/api/friends/idollist'],
  ['T26', 'GET', '/api/friends/blacklist'],
  ['T27', 'GET', '/api/friends/speciallist'],
  ['T28', 'POST', '/api/friends/add'],
  ['T29', 'POST', '/api/friends/del'],
  ['T30', 'POST', '/api/friends/addspecial'],
  ['T31', 'POST', '/api/friends/delspecial'],
  ['T32', 'POST', '/api/friends/addblacklist'],
  ['T33', 'POST', '/api/friends/delblacklist'],
  ['T34', 'GET', '/api/friends/check'],
  ['T35', 'GET', '/api/friends/user_fanslist'],
  ['T36', 'GET', '/api/friends/user_idollist'],
  ['T37', 'GET', '/api/friends/user_speciallist'],
  ['T38', 'POST', '/api/private/add'],
  ['T39', 'POST', '/api/private/del'],
  ['T40', 'GET', '/api/private/recv'],
  ['T41', 'GET', '/api/private/send'],
  ['T42', 'POST', '/api/tag/add'],
  ['T43', 'POST', '/api/tag/del'],
  ['T44', 'GET', '/api/search/user'],
  ['T45', 'GET', '/api/search/t'],
  ['T46', 'GET', '/api/search/userbytag'],
  ['T47', 'GET', '/api/trends/ht'],
  ['T48', 'GET', '/api/info/update'],
  ['T49', 'POST', '/api/fav/addt'],
  ['T50', 'POST', '/api/fav/delt'],
  ['T51', 'GET', '/api/fav/list_t'],
  ['T52', 'POST', '/api/fav/addht'],
  ['T53', 'POST', '/api/fav/delht'],
  ['T54', 'GET', '/api/fav/list_ht'],
  ['T55', 'GET', '/api/ht/ids'],
  ['T56', 'GET', '/api/ht/info'],
  ['T57', 'GET', '/api/other/kownperson'],
];

/** [id, method, path] for every G/T row (G22 lists two paths). */
function catalogue(): { rows: [string, string, string][]; fromFile: boolean } {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const file = resolve(repoRoot, '../shared/spec/endpoints.md');
  if (!existsSync(file)) return { rows: FALLBACK, fromFile: false };
  const rows: [string, string, string][] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\|\s*([GT]\d+)\s*\|([^|]+)\|([^|]+)\|/.exec(line);
    if (m) rows.push([m[1].trim(), m[2].trim(), m[3].trim()]);
  }
  return { rows, fromFile: true };
}

const HTTP = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
type Doc = { openapi: string; info: Record<string, unknown>; paths: Record<string, Record<string, Record<string, unknown>>>; components: Record<string, Record<string, unknown>> };

const docRes = await app.inject({ method: 'GET', url: '/_emulator/openapi.json' });
const doc = docRes.json() as Doc;

/** Paths and methods from app.printRoutes (HEAD and wildcards left out). */
function registered(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const i = line.indexOf('── ');
    if (i < 0) continue;
    const depth = (i - 1) / 4;
    const m = /^(.*?)(?: \(([^)]*)\))?$/.exec(line.slice(i + 3));
    if (!m) continue;
    const full = (depth > 0 ? stack[depth - 1] : '') + m[1];
    stack[depth] = full;
    stack.length = depth + 1;
    if (full.includes('*') || !m[2] || m[2] === '-') continue;
    const methods = m[2].split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== 'head');
    const set = out.get(full) ?? new Set<string>();
    for (const x of methods) set.add(x);
    out.set(full, set);
  }
  return out;
}

t.test('openapi.json: OpenAPI 3.0.3 shape', async (t) => {
  t.equal(docRes.statusCode, 200);
  t.match(docRes.headers['content-type'], /application\/json/);
  t.equal(doc.openapi, '3.0.3');
  t.type(doc.info.title, 'string');
  t.match(doc.info.version, /^\d+\.\d+\.\d+/);
  t.type(doc.paths, 'object');
  const schemes = doc.components.securitySchemes;
  t.same(Object.keys(schemes).sort(), ['emulator_admin', 'graph_access_token', 'graph_oauth_consumer_key', 'graph_openid', 'weibo_oauth1', 'weibo_oauth2']);
  t.match(schemes.graph_access_token, { type: 'apiKey', in: 'query', name: 'access_token' });
  t.match(schemes.graph_openid, { type: 'apiKey', in: 'query', name: 'openid' });
  t.match((schemes.weibo_oauth1 as { description: string }).description, /OAuth 1\.0a.*HMAC-SHA1/s);
  t.match(schemes.weibo_oauth2, { type: 'apiKey', in: 'query', name: 'access_token', description: /oauth_version=2\.a/ });
  t.match(doc.components.parameters.format, { name: 'format', in: 'query', schema: { enum: ['json', 'xml'] } });
  const ids = new Set<string>();
  const refs: string[] = [];
  const collectRefs = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(collectRefs);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(String(x)) : collectRefs(x);
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    t.ok(path.startsWith('/'), `${path} starts with /`);
    const declaredParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (method === 'servers') continue;
      t.ok(HTTP.includes(method), `${path}: ${method} is an HTTP method`);
      t.type(op.responses, 'object', `${method} ${path} has responses`);
      t.ok(Object.keys(op.responses as object).length > 0);
      t.notOk(ids.has(op.operationId as string), `operationId ${op.operationId} is unique`);
      ids.add(op.operationId as string);
      const pathParams = ((op.parameters ?? []) as { in?: string; name?: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
      t.same(pathParams, declaredParams, `${method} ${path} declares its path parameters`);
      for (const req of (op.security ?? []) as Record<string, unknown>[]) for (const k of Object.keys(req)) t.ok(schemes[k], `${method} ${path}: security ${k} is defined`);
      collectRefs(op);
    }
  }
  for (const r of new Set(refs)) {
    const [, , section, name] = r.split('/');
    t.ok(doc.components[section]?.[name], `${r} resolves`);
  }
});

t.test('every catalogue row (G1–G22, T1–T57) is in the document', async (t) => {
  const { rows, fromFile } = catalogue();
  const ids = new Set(rows.map((r) => r[0]));
  t.equal(ids.size, 79, `79 rows (from ${fromFile ? 'endpoints.md' : 'the fallback list'})`);
  for (let i = 1; i <= 22; i++) t.ok(ids.has(`G${i}`), `G${i} in the catalogue`);
  for (let i = 1; i <= 57; i++) t.ok(ids.has(`T${i}`), `T${i} in the catalogue`);
  for (const [id, method, paths] of rows) {
    for (const path of paths.split(',').map((p) => p.trim())) {
      const item = doc.paths[path];
      if (!t.ok(item, `${id} ${path} is documented`)) continue;
      const wanted = method === 'any' ? ['get', 'post'] : method.toLowerCase().split('/');
      for (const m of wanted) {
        const op = item[m];
        if (!t.ok(op, `${id} ${path} has ${m}`)) continue;
        t.match(op.summary, new RegExp(`^${id} `), `${id} ${m} ${path} summary carries the row id`);
        t.equal((op['x-emulator'] as { id: string }).id, id);
      }
    }
  }
});

t.test('every registered route is documented, and every documented operation is routed', async (t) => {
  const routes = registered();
  t.ok(routes.size > 100, `printRoutes parsed (${routes.size} paths)`);
  t.ok(routes.has('/api/t/add') && routes.has('/_emulator/snapshots/:name/restore'), 'nested printRoutes lines are rebuilt into full paths');
  for (const [path, methods] of routes) {
    const item = doc.paths[openApiPath(path)];
    if (!t.ok(item, `${path} is documented`)) continue;
    for (const m of methods) t.ok(item[m], `${m.toUpperCase()} ${path} is documented`);
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    const url = path.replace(/\{([^}]+)\}/g, ':$1');
    for (const m of Object.keys(item).filter((k) => HTTP.includes(k))) t.ok(app.hasRoute({ method: m.toUpperCase() as 'GET', url }), `${m.toUpperCase()} ${url} is routed`);
  }
});

t.test('a real validator and a real linter find no error', async (t) => {
  // swagger-parser: the OpenAPI 3.0 JSON schema plus its own checks (refs, path parameters, unique ids)
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as never), 'swagger-parser validates the document');
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: docRes.body, absoluteRef: 'openapi.json', config });
  const errors = problems.filter((p) => p.severity === 'error');
  t.same(errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`), [], 'Redocly recommended: zero errors');
  // what stays a warning is the real services' own shape: errors answer HTTP 200 (no 4XX), servers include this host
  const warned = new Set(problems.filter((p) => p.severity !== 'error').map((p) => p.ruleId));
  for (const rule of warned) t.ok(['operation-4xx-response', 'no-server-example.com', 'info-license'].includes(rule), `only known warnings (${rule})`);
});

/** Every schema object of the document (walks properties, items, anyOf …). */
function* schemas(v: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(v)) for (const x of v) yield* schemas(x);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('nullable' in o || 'type' in o) yield o;
    for (const x of Object.values(o)) yield* schemas(x);
  }
}

t.test('wire facts are described so tools can check them', async (t) => {
  for (const s of schemas(doc)) if (s.nullable) t.ok(s.type, `nullable schemas have a type (${JSON.stringify(s).slice(0, 60)})`);
  t.match((doc as unknown as { servers: { url: string }[] }).servers[0].url, /^http:\/\/localhost(:\d+)?$/, 'servers are absolute, from the request host');
  const other = (await app.inject({ method: 'GET', url: '/_emulator/openapi.json', headers: { host: 'emu.test:8080' } })).json() as { servers: { url: string }[]; paths: Doc['paths'] };
  t.equal(other.servers[0].url, 'http://emu.test:8080');
  const graphServers = (other.paths['/user/get_user_info'] as unknown as { servers: { url: string }[] }).servers.map((s) => s.url);
  t.same(graphServers, ['http://emu.test:8080', '{scheme}://graph.qq.com'], 'graph paths also name the real host');
  t.same((other.paths['/api/t/add'] as unknown as { servers: { url: string }[] }).servers.map((s) => s.url), ['http://emu.test:8080', '{scheme}://open.t.qq.com']);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP.includes(method)) continue;
      const responses = op.responses as Record<string, { content?: Record<string, unknown> }>;
      if (method === 'head') for (const [code, r] of Object.entries(responses)) t.notOk(r.content, `HEAD ${path} ${code} has no body`);
      const kind = (op['x-emulator'] as { kind: string }).kind;
      if (kind === 'api' || kind === 'refusal') {
        if (method === 'head') continue;
        const content = responses['200'].content!;
        t.same(Object.keys(content).sort(), ['text/html', 'text/xml'], `${method} ${path}: JSON under the wire's text/html, XML under text/xml`);
      }
      if (kind !== 'control') for (const r of Object.values(responses)) t.notOk(r.content?.['application/json'], `${method} ${path} claims no application/json`);
    }
  }
  for (const path of ['/cgi-bin/request_token', '/cgi-bin/access_token']) t.match(doc.paths[path].get.responses, { '200': {}, '401': { $ref: '#/components/responses/WeiboOAuthRefusal' } }, `${path}: 401 documented`);
  t.match(doc.paths['/cgi-bin/authorize'].get.responses, { '302': {}, '400': {} });
  const refused = await app.inject({ method: 'GET', url: '/cgi-bin/request_token' });
  t.equal(refused.statusCode, 401, 'and the wire says 401');
  t.match(doc.components.securitySchemes.weibo_oauth1, { type: 'http', scheme: 'OAuth' }, 'OAuth 1.0a is the HTTP OAuth scheme, not an API key');
  t.match((doc.components.securitySchemes.weibo_oauth1 as { description: string }).description, /key `percent\(consumer_secret\)&percent\(token_secret\)` over the base string/, 'and says how to sign');
  const media = (await app.inject({ method: 'GET', url: '/_emulator/openapi.json?media=json' })).json() as Doc;
  t.ok((media.paths['/api/t/add'].post.responses as Record<string, { content: Record<string, unknown> }>)['200'].content['application/json'], '?media=json relabels JSON bodies for tools that check only JSON media types');
});

t.test('parameters carry their constraints and seeded examples', async (t) => {
  const q = (path: string, method = 'get') => Object.fromEntries(((doc.paths[path][method].parameters ?? []) as { name?: string; $ref?: string }[]).filter((p) => p.name).map((p) => [p.name, p])) as Record<string, Record<string, unknown>>;
  const add = doc.paths['/api/t/add'].post;
  t.same(add.security, [{ weibo_oauth1: [] }, { weibo_oauth2: [] }]);
  t.match(add['x-emulator'], { id: 'T12', envelope: 'weibo', auth: 'weibo', kind: 'api' });
  t.ok((add.parameters as { $ref?: string }[]).some((p) => p.$ref === '#/components/parameters/format'), 'format parameter');
  t.match(add.requestBody, { required: true, content: { 'application/x-www-form-urlencoded': { schema: { required: ['content'], properties: { content: { example: /\S/ }, clientip: { type: 'string' } } } } } });
  // clientip takes any value (SDKs sent Unknown): no IP pattern
  t.notOk((add.requestBody as { content: Record<string, { schema: { properties: Record<string, { pattern?: string }> } }> }).content['application/x-www-form-urlencoded'].schema.properties.clientip.pattern, 'clientip has no pattern');
  t.match(doc.paths['/api/t/add_pic'].post.requestBody, { content: { 'multipart/form-data': { schema: { properties: { pic: { type: 'string', format: 'binary' } } } } } });
  const tl = q('/api/statuses/home_timeline');
  t.same(Object.keys(tl), ['pageflag', 'pagetime', 'lastid', 'reqnum']);
  t.match(tl.pageflag.schema, { type: 'integer', enum: [0, 1, 2] });
  t.match(tl.reqnum.schema, { type: 'integer', minimum: 1 });
  t.notOk((tl.reqnum.schema as { maximum?: number }).maximum, 'reqnum above 20 is clamped, not refused: no maximum');
  t.match(q('/t/get_repost_list').reqnum.schema, { minimum: 1, maximum: 100 }, 'get_repost_list refuses above 100: maximum stated');
  t.match(q('/api/other/kownperson').ip, { required: true, schema: { pattern: /25\[0-5\]/ } }, 'kownperson ip: an address (isIP), unlike clientip');
  t.match(q('/t/get_repost_list').flag, { required: true, schema: { enum: [0, 1, 2] } });
  const show = q('/api/t/show').id;
  t.match(show, { required: true, schema: { pattern: /0-9/ } });
  const shown = app.world.tweets.visible(Number(show.example));
  t.ok(shown, `the id example (${show.example}) is a tweet of the seeded world`);
  t.match(q('/user/get_other_info').fopenid, { schema: { pattern: '^[0-9A-F]{32}$' }, example: app.world.apps.openidFor('101000001', app.world.users.byName('bob')!.id) });
  t.match(q('/mblogpic/{key}').key, { in: 'path', schema: { pattern: '^[0-9a-f]{32}$' } });
  t.ok(app.world.files.get(String(q('/mblogpic/{key}').key.example)), 'the picture key example is a stored picture');
  t.match(doc.components.parameters.format, { schema: { enum: ['json', 'xml'] }, description: /Not enforced/ });
  const info = doc.paths['/user/get_user_info'].get;
  t.same(info.security, [{ graph_access_token: [], graph_oauth_consumer_key: [], graph_openid: [] }]);
  t.match(info['x-emulator'], { id: 'G4', envelope: 'graph', auth: 'graph', api: 'get_user_info' });
  const xmlExample = (doc.paths['/api/statuses/home_timeline'].get.responses as Record<string, { content: Record<string, { example: string }> }>)['200'].content['text/xml'].example;
  t.match(xmlExample, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<root><data><\/data><errcode>1<\/errcode><msg>.*<\/msg><ret>1<\/ret><\/root>$/s, 'XML example in the weibo envelope');
  t.same(doc.paths['/_emulator/reset'].post.security, [{}, { emulator_admin: [] }]);
  t.same(doc.paths['/oauth2.0/token'].post.security, []);
});

t.test('refusals document the exact body they answer', async (t) => {
  for (const [path, creds] of [
    ['/share/add_share', {}],
    ['/api/tag/list', {}],
    ['/api/trends/t', {}],
  ] as const) {
    const op = doc.paths[path].get;
    t.equal((op['x-emulator'] as { kind: string }).kind, 'refusal');
    const example = (op.responses as Record<string, { content: Record<string, { example: unknown }> }>)['200'].content['text/html'].example;
    if (path === '/share/add_share') t.ok(doc.paths[path].options, `${path}: OPTIONS documented (it answers the same body)`);
    const res = await graphGet(app, path, creds);
    t.same(res.json(), example, `${path}: the documented body is the wire body`);
    t.not(res.json().ret, 0);
  }
  // a real API call still works next to the docs
  const res = await graphGet(app, '/user/get_user_info', graphCreds(app, 'alice'));
  t.equal(res.json().ret, 0);
});

t.test('the admin token guards the description; the docs page and its files load without it (a browser cannot send it)', async (t) => {
  const guarded = await build({ adminToken: 's3cret' });
  t.teardown(() => guarded.close());
  const url = '/_emulator/openapi.json';
  t.equal((await guarded.inject({ method: 'GET', url })).statusCode, 401, `${url} without the token`);
  t.equal((await guarded.inject({ method: 'GET', url, headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
  const ok = await guarded.inject({ method: 'GET', url, headers: { authorization: 'Bearer s3cret' } });
  t.equal(ok.statusCode, 200, `${url} with the token`);
  for (const page of ['/_emulator/docs', '/_emulator/docs/swagger-ui-bundle.js', '/_emulator/docs/init.js']) {
    const r = await guarded.inject({ method: 'GET', url: page });
    t.equal(r.statusCode, 200, `${page} without the token`);
    t.notMatch(r.body, /s3cret/, 'the admin token is not in it');
  }
  t.equal((await guarded.inject({ method: 'POST', url: '/_emulator/reset' })).statusCode, 401, 'control calls stay guarded');
  // the description says which operations need the token
  const doc = ok.json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  for (const open of ['/_emulator/docs', '/_emulator/console', '/_emulator/health', '/']) t.same(doc.paths[open].get.security, [], `${open} is described as open`);
  for (const guardedPath of ['/_emulator/openapi.json', '/_emulator/reset']) {
    const op = doc.paths[guardedPath].get ?? doc.paths[guardedPath].post;
    t.ok(op.security?.length, `${guardedPath} is described as needing the admin token`);
  }
});
