// Success answers against the data schemas the routes declare (ApiRoute.data, server/schemas.ts,
// routes/shapes.ts): every API route registered through registerApi declares one, and every API
// operation of the OpenAPI document is called until it answers ret 0 — from the documented
// examples, after a set-up call where the seeded world needs one — and that answer must match the
// operation's documented success schema, data included (ajv; `additionalProperties: false`
// on the described shapes, so a renamed or undocumented field fails). Then the branches one call
// does not reach: OAuth 2.0 callers (openid members), re_count / friends/check flags, empty
// searches (data null), pictures, deleted sources, the sent-messages box.
import t from 'tap';
import { Ajv } from 'ajv';
import type { LightMyRequestResponse } from 'fastify';
import { build, graphCreds, multipart, PNG_1x1, qs, signed, weiboCreds, serializerAudit } from '../helpers.js';
import { declaredRoutes } from '../../server/api.js';

const app = await build();
t.teardown(() => app.close());
// every JSON success answer below is also rendered by the reference renderer (last test)
const audit = serializerAudit();

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { name?: string; in?: string; example?: unknown; $ref?: string }[];
  requestBody?: { content: Record<string, { schema: { properties: Record<string, Schema & { example?: unknown }> } }> };
  responses: Record<string, { content?: Record<string, { schema?: { anyOf?: Schema[] } }> }>;
  security?: Record<string, unknown>[];
  'x-emulator': { kind: string; envelope: string };
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };

const doc = (await app.inject({ method: 'GET', url: '/_emulator/openapi.json' })).json() as Doc;
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const compiled = new Map<Schema, ReturnType<Ajv['compile']>>();
const validate = (schema: Schema, body: unknown): string => {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile({ ...schema, components: doc.components })));
  return v(body) ? '' : ajv.errorsText(v.errors);
};

const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([m, op]) => m !== 'servers' && m !== 'head' && op['x-emulator'].kind === 'api')
    .map(([method, op]) => ({ path, method, op, key: `${method.toUpperCase()} ${path}` })),
);
const opOf = (key: string) => ops.find((o) => o.key === key)!;

/** The documented success answer: the first branch of the JSON answer's anyOf (the other is the error envelope). */
const okSchema = (op: Operation): Schema => op.responses['200'].content!['text/html'].schema!.anyOf![0];

/** The operation's documented examples, as a client would fill the parameters in. */
function examples(op: Operation): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of op.parameters ?? []) if (p.name && p.example !== undefined) out[p.name] = String(p.example);
  const form = op.requestBody?.content['application/x-www-form-urlencoded'] ?? op.requestBody?.content['multipart/form-data'];
  for (const [name, s] of Object.entries(form?.schema.properties ?? {})) if (s.example !== undefined && s.format !== 'binary') out[name] = String(s.example);
  return out;
}
const fileParams = (op: Operation) =>
  Object.entries(op.requestBody?.content['multipart/form-data']?.schema.properties ?? {})
    .filter(([, s]) => s.format === 'binary')
    .map(([n]) => n);

const alice = weiboCreds(app, 'alice');
const graph = graphCreds(app, 'alice');
const minted = (await app.inject({ method: 'POST', url: '/_emulator/tokens/weibo', payload: { user: 'alice', flavour: 'oauth2' } })).json() as { access_token: string; openid: string; oauth_consumer_key: string };
const oauth2 = { oauth_consumer_key: minted.oauth_consumer_key, access_token: minted.access_token, openid: minted.openid, oauth_version: '2.a', clientip: '10.0.0.1', scope: 'all' };

type Flavour = 'oauth1' | 'oauth2';

/** Calls an API operation as its client would: signed (open.t.qq.com OAuth 1.0a), unsigned 2.a, or with graph credentials. */
async function call(key: string, params: Record<string, string | number> = {}, flavour: Flavour = 'oauth1'): Promise<LightMyRequestResponse> {
  const { path, method, op } = opOf(key);
  const values = { ...examples(op), ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) };
  const files = fileParams(op).length ? Object.fromEntries(fileParams(op).map((n) => [n, { filename: 'pic.png', contentType: 'image/png', data: PNG_1x1 }])) : undefined;
  const M = method.toUpperCase() as 'GET' | 'POST';
  const weibo = op['x-emulator'].envelope === 'weibo';
  if (weibo && flavour === 'oauth1') return signed(app, alice, { method: M, path, params: values, files });
  const creds: Record<string, string> = weibo ? oauth2 : graph;
  if (files) {
    const m = multipart({ ...creds, ...values }, files);
    return app.inject({ method: M, url: path, headers: m.headers, payload: m.payload });
  }
  if (M === 'GET') return app.inject({ method: 'GET', url: `${path}?${qs({ ...creds, ...values })}` });
  return app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs({ ...creds, ...values }) });
}

const json = (res: LightMyRequestResponse) => JSON.parse(res.body) as { ret: number; msg: string; data?: unknown } & Record<string, unknown>;

/** Set-up for operations whose example alone does not answer ret 0 on the seeded world. */
const BEFORE: Record<string, () => unknown> = {
  // alice's own tweets and favourites, so deleting one works whatever ran before
  'POST /api/t/del': async () => ({ id: (json(await call('POST /api/t/add', { content: `to delete ${Date.now()}` })).data as { id: string }).id }),
  'POST /t/del_t': async () => ({ id: (json(await call('POST /t/add_t', { content: `to delete ${Date.now()}` })).data as { id: string }).id }),
  'POST /api/fav/delt': async () => void (await call('POST /api/fav/addt')),
  'POST /api/fav/delht': async () => void (await call('POST /api/fav/addht')),
  'POST /api/friends/del': async () => void (await call('POST /api/friends/add')),
  'POST /api/friends/delspecial': async () => void (await call('POST /api/friends/addspecial')),
  'POST /api/friends/delblacklist': async () => void (await call('POST /api/friends/addblacklist')),
  'POST /relation/del_idol': async () => void (await call('POST /relation/add_idol')),
  'POST /api/tag/del': async () => ({ tagid: (json(await call('POST /api/tag/add', { tag: `标签${Date.now() % 1000}` })).data as { tagid: string }).tagid }),
  'POST /api/private/del': async () => ({ id: (json(await call('POST /api/private/add', { content: 'hi' })).data as { id: string }).id }),
};

/** One answer checked against the operation's success schema ('' when it matches). */
function judge(key: string, res: LightMyRequestResponse): string {
  let body: ReturnType<typeof json>;
  try {
    body = json(res);
  } catch {
    return `${key}: not JSON: ${res.body.slice(0, 120)}`;
  }
  if (body.ret !== 0) return `${key}: ret ${body.ret} ${body.msg}`;
  const problem = validate(okSchema(opOf(key).op), body);
  return problem ? `${key}: ${problem} in ${res.body.slice(0, 200)}` : '';
}

t.test('every API route registered through registerApi declares the schema of its data', async (t) => {
  const routes = declaredRoutes(app).filter((d) => !d.refusal);
  const missing = routes.filter((d) => !d.data || typeof d.data !== 'object').map((d) => d.url);
  t.same(missing, [], 'no API route without data');
  t.ok(routes.length >= 80, `${routes.length} API routes, each with its data schema`);
  // and the document says it: no success answer left an open object
  const open = ops.filter(({ op }) => {
    const ok = okSchema(op);
    const data = (ok.properties as Record<string, Schema> | undefined)?.data;
    return op['x-emulator'].envelope === 'graph' ? ok.additionalProperties === true : data?.additionalProperties === true;
  });
  t.same(open.map((o) => o.key), [], `${ops.length - open.length} of ${ops.length} API operations document their success data`);
  // the shared shapes are components, referenced rather than written out per operation
  for (const name of ['Tweet', 'UserListItem', 'Profile', 'UserMap']) t.ok(doc.components.schemas[name], `#/components/schemas/${name}`);
  t.notOk(JSON.stringify(doc.paths).includes('"emotionurl"'), 'the tweet shape is written once, in components');
});

t.test('every API operation answers a success that matches its documented data', async (t) => {
  const failures: string[] = [];
  for (const { key } of ops) {
    const extra = ((await BEFORE[key]?.()) ?? {}) as Record<string, string>;
    const problem = judge(key, await call(key, extra));
    if (problem) failures.push(problem);
  }
  t.same(failures, [], `${ops.length - failures.length} of ${ops.length} API operations answered ret 0 matching their data schema`);
});

t.test('the branches one call does not reach match too', async (t) => {
  const failures: string[] = [];
  const check = async (key: string, params: Record<string, string | number> = {}, flavour: Flavour = 'oauth1', expect?: (b: ReturnType<typeof json>) => boolean, what = '') => {
    const res = await call(key, params, flavour);
    const problem = judge(key, res);
    if (problem) failures.push(`${flavour} ${problem}`);
    else if (expect && !expect(json(res))) failures.push(`${key} ${JSON.stringify(params)}: not the branch meant (${what}): ${res.body.slice(0, 160)}`);
  };
  // pictures, reposts of a deleted tweet (source status 3, image null), comments, replies
  const pic = json(await call('POST /api/t/add_pic', { content: 'a picture' })).data as { id: string };
  const orig = json(await call('POST /api/t/add', { content: 'soon gone' })).data as { id: string };
  await call('POST /api/t/re_add', { reid: orig.id, content: 'passing it on' });
  await call('POST /api/t/comment', { reid: pic.id, content: 'nice' });
  await call('POST /api/t/del', { id: orig.id });
  await check('GET /api/t/show', { id: pic.id }, 'oauth1', (b) => Array.isArray((b.data as { image: unknown }).image), 'a tweet with pictures');
  await check('GET /api/statuses/broadcast_timeline', {}, 'oauth1', (b) => (b.data as { info: { source: { status: number } | null }[] }).info.some((i) => i.source?.status === 3), 'a repost of a deleted tweet');
  // private messages both ways, a blacklist entry, a favourite
  await call('POST /api/private/add', { name: 'bob', content: 'to bob' });
  await check('GET /api/private/send', {}, 'oauth1', (b) => (b.data as { info: unknown[] }).info.length > 0, 'a sent message');
  await check('GET /api/private/recv');
  await call('POST /api/friends/addblacklist', { name: 'carol' });
  await check('GET /api/friends/blacklist', {}, 'oauth1', (b) => (b.data as { info: unknown[] }).info.length > 0, 'a blacklisted user');
  await call('POST /api/fav/addt', { id: pic.id });
  await check('GET /api/fav/list_t', {}, 'oauth1', (b) => (b.data as { info: unknown[] }).info.length > 0, 'a favourite');
  // one value type per flag
  for (const flag of [0, 1, 2]) {
    await check('GET /api/t/re_count', { ids: pic.id, flag }, 'oauth1', (b) => Object.keys(b.data as object).length === 1, `re_count flag ${flag}`);
    await check('GET /api/friends/check', { names: 'bob,carol', flag });
    await check('GET /t/get_repost_list', { rootid: pic.id, flag });
  }
  // searches with nothing found: ret 0, msg "result is empty", data null
  for (const key of ['GET /api/search/t', 'GET /api/search/user', 'GET /api/search/userbytag']) await check(key, { keyword: 'zzzznothing' }, 'oauth1', (b) => b.data === null, 'empty search');
  await check('GET /api/statuses/ht_timeline', { httext: 'nobody-used-this-topic' }, 'oauth1', (b) => (b.data as { id: string }).id === '0', 'an unknown topic');
  // open.t.qq.com OAuth 2.0 callers get openid members: every GET again with that flavour
  const gets = ops.filter((o) => o.method === 'get' && o.op['x-emulator'].envelope === 'weibo');
  for (const { key } of gets) await check(key, {}, 'oauth2');
  await check('GET /api/user/info', {}, 'oauth2', (b) => typeof (b.data as { openid?: string }).openid === 'string', 'openid for OAuth 2.0');
  t.same(failures, [], `${gets.length} GET operations as an OAuth 2.0 caller, and the branches above`);
});

t.test('the compiled serializers wrote every success answer above byte for byte as the reference renderer', async (t) => {
  audit.check(t);
});
