// open.t.qq.com t/*: T11 show, T12 add, T13 del, T14 re_add, T15 reply, T16 add_pic,
// T17 re_count, T18 re_list, T19 comment — through signed HTTP requests.
// The write-rule errcodes are in write_rules.test.ts.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { build, weiboCreds, signed, parseXml, PNG_1x1, userId, WEIBO, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
// this file publishes a lot as a few users: the pace rule (errcode 10) is exercised in write_rules.test.ts
app.world.rules.postBurst = 0;

const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const carol = weiboCreds(app, 'carol');
const dave = weiboCreds(app, 'dave');
const erin = weiboCreds(app, 'erin');

type Body = { ret: number; errcode: number; msg: string; data: any };

async function call(c: WeiboCreds, method: 'GET' | 'POST', path: string, params: Record<string, string | number> = {}, a: FastifyInstance = app): Promise<Body> {
  const res = await signed(a, c, { method, path, params: { format: 'json', ...params } });
  t.equal(res.statusCode, 200, `${path} answers HTTP 200`);
  return res.json();
}
async function xml(c: WeiboCreds, method: 'GET' | 'POST', path: string, params: Record<string, string | number> = {}): Promise<any> {
  const res = await signed(app, c, { method, path, params: { ...params, format: 'xml' } });
  t.match(res.headers['content-type'], /xml/);
  return (parseXml(res.body) as { root: unknown }).root;
}
const get = (c: WeiboCreds, path: string, params: Record<string, string | number> = {}) => call(c, 'GET', path, params);
const post = (c: WeiboCreds, path: string, params: Record<string, string | number> = {}) => call(c, 'POST', path, params);

let n = 0;
/** unique content, so the duplicate rule never fires by accident */
const uniq = (s: string) => `${s} [${++n}]`;

async function add(c: WeiboCreds, content = uniq('hello')): Promise<string> {
  const b = await post(c, '/api/t/add', { content, clientip: '10.1.2.3', jing: '', wei: '' });
  if (b.ret !== 0) throw new Error(`t/add failed: ${JSON.stringify(b)}`);
  return b.data.id;
}
async function write(c: WeiboCreds, path: string, params: Record<string, string | number>): Promise<string> {
  const b = await post(c, path, { clientip: '127.0.0.1', ...params });
  if (b.ret !== 0) throw new Error(`${path} failed: ${JSON.stringify(b)}`);
  return b.data.id;
}
const show = async (c: WeiboCreds, id: string) => (await get(c, '/api/t/show', { id })).data;
async function counts(id: string): Promise<{ count: number; mcount: number }> {
  return (await get(alice, '/api/t/re_count', { ids: id, flag: 2 })).data[id];
}
const relistTotal = async (rootid: string, flag: number) => (await get(alice, '/api/t/re_list', { rootid, flag, reqnum: 1 })).data.totalnum as number;

// ---------------------------------------------------------------------------------- T12 t/add

t.test('T12 t/add publishes and answers {id, time}; t/show reads it back', async (t) => {
  const before = app.world.clock.now();
  const content = uniq('第一条微博 hello http://example.com/x?a=1&b=2 <2>');
  const b = await post(alice, '/api/t/add', { content, clientip: '10.0.0.1', jing: '113.94', wei: '22.54' });
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(Object.keys(b), ['data', 'errcode', 'msg', 'ret'], 'envelope keys sorted');
  t.same(Object.keys(b.data), ['id', 'time']);
  t.match(b.data.id, /^\d{15,}$/, 'id is a digit string');
  t.type(b.data.time, 'number');
  t.ok(b.data.time >= before && b.data.time <= app.world.clock.now() + 1, 'time is the server clock');

  const s = await show(alice, b.data.id);
  t.equal(s.id, b.data.id);
  t.equal(s.origtext, content);
  t.match(s.text, /<a href="http:\/\/example\.com\/x\?a=1&amp;b=2" target="_blank">http:\/\/example\.com\/x\?a=1&amp;b=2<\/a> &lt;2&gt;/, 'text is HTML with the link wrapped');
  t.match(s.text, /&lt;2&gt;/, 'entities escaped in text');
  t.equal(s.type, 1);
  t.equal(s.status, 0);
  t.equal(s.name, 'alice');
  t.equal(s.self, 1);
  t.equal(s.jing, '113.94');
  t.equal(s.wei, '22.54');
  t.equal(s.longitude, '113.94');
  t.equal(s.latitude, '22.54');
  t.equal(s.from, WEIBO.name, 'from is the publishing app');
  t.equal(s.timestamp, b.data.time);
  t.equal(s.count, 0);
  t.equal(s.mcount, 0);
  t.equal(s.source, null);
  t.equal(s.image, null);
  const seenByBob = await show(bob, b.data.id);
  t.equal(seenByBob.self, 0, 'self is 0 for another viewer');
});

t.test('T12 t/add in XML', async (t) => {
  const r = await xml(alice, 'POST', '/api/t/add', { content: uniq('xml 发表'), clientip: '127.0.0.1' });
  t.equal(r.ret, '0');
  t.equal(r.errcode, '0');
  t.equal(r.msg, 'ok');
  t.match(r.data.id, /^\d+$/);
  t.match(r.data.time, /^\d+$/);
  const s = await show(alice, r.data.id);
  t.equal(s.jing, '0', 'absent jing stored as "0"');
  t.equal(s.wei, '0');
});

t.test('T12 t/add bad input', async (t) => {
  const tweetsBefore = app.world.users.counters(userId(app, 'alice')).tweetnum;
  t.match(await post(alice, '/api/t/add', { clientip: '127.0.0.1' }), { ret: 1, data: null, msg: /content/ }, 'missing content');
  t.match(await post(alice, '/api/t/add', { content: '   ', clientip: '127.0.0.1' }), { ret: 1, msg: /content/ }, 'blank content');
  t.match(await post(alice, '/api/t/add', { content: uniq('x'), jing: 'east' }), { ret: 1, msg: /jing/ });
  t.match(await post(alice, '/api/t/add', { content: uniq('x'), jing: '181' }), { ret: 1, msg: /jing/ });
  t.match(await post(alice, '/api/t/add', { content: uniq('x'), wei: '-91' }), { ret: 1, msg: /wei/ });
  const x = await xml(alice, 'POST', '/api/t/add', { clientip: '127.0.0.1' });
  t.equal(x.ret, '1');
  t.match(x.msg, /content/);
  const bad = await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { content: uniq('x') }, signWithSecret: 'nope' });
  t.match(bad.json(), { ret: 3, errcode: 9, data: null }, 'bad signature refused');
  t.equal(app.world.users.counters(userId(app, 'alice')).tweetnum, tweetsBefore, 'nothing was published');
  const ipv6 = await post(alice, '/api/t/add', { content: uniq('v6'), clientip: '2001:db8::1' });
  t.equal(ipv6.ret, 0, 'IPv6 clientip accepted');
});

t.test('T12 t/add: clientip takes any value (reference §1: SDKs sent 127.0.0.1 or Unknown)', async (t) => {
  for (const clientip of ['127.0.0.1', 'Unknown', 'not-an-ip', '300.1.1.1']) {
    const b = await post(alice, '/api/t/add', { content: uniq('ip'), clientip });
    t.match(b, { ret: 0, errcode: 0, data: { id: /^\d+$/ } }, `clientip ${clientip}`);
    t.equal(app.world.tweets.get(Number(b.data.id))!.client_ip, clientip, 'stored as sent');
  }
  t.match(await xml(alice, 'POST', '/api/t/add', { content: uniq('ip xml'), clientip: 'Unknown' }), { ret: '0', data: { id: /^\d+$/ } }, 'XML');
});

// ---------------------------------------------------------------------------------- T11 t/show

t.test('T11 t/show: a seeded repost carries its source', async (t) => {
  const row = app.world.db
    .prepare(`SELECT r.id, r.source_id FROM tweets r JOIN tweets s ON s.id = r.source_id WHERE r.type = 2 AND r.status = 0 AND s.status = 0 AND s.type = 1 LIMIT 1`)
    .get() as { id: number; source_id: number };
  const s = await show(alice, String(row.id));
  t.equal(s.id, String(row.id));
  t.equal(s.type, 2);
  t.type(s.source, 'object');
  t.equal(s.source.id, String(row.source_id));
  t.equal(s.source.type, 1);
  t.equal(s.source.source, null, 'one level of source');
  t.same(Object.keys(s), [...Object.keys(s)].sort(), 'tweet keys sorted');
  for (const k of ['city_code', 'country_code', 'province_code']) t.type(s[k], 'string', `${k} is a string`);
  for (const k of ['count', 'mcount', 'timestamp', 'type', 'status', 'self', 'isvip']) t.type(s[k], 'number', `${k} is a number`);

  const x = await xml(alice, 'GET', '/api/t/show', { id: String(row.id) });
  t.equal(x.ret, '0');
  t.equal(x.data.id, String(row.id));
  t.equal(x.data.type, '2');
  t.equal(x.data.source.id, String(row.source_id));
  t.equal(x.data.source.type, '1');
});

t.test('T11 t/show bad input and missing tweets', async (t) => {
  t.match(await get(alice, '/api/t/show'), { ret: 1, msg: /\bid\b/, data: null }, 'missing id');
  t.match(await get(alice, '/api/t/show', { id: 'abc' }), { ret: 1, msg: /\bid\b/ }, 'not an id');
  t.match(await get(alice, '/api/t/show', { id: '999999999999999' }), { ret: 4, errcode: 6, data: null }, 'unknown id');
  const x = await xml(alice, 'GET', '/api/t/show', { id: '999999999999999' });
  t.equal(x.ret, '4');
  t.equal(x.errcode, '6');
  const noauth = await app.inject({ method: 'GET', url: '/api/t/show?format=json&id=1' });
  t.equal(noauth.json().ret, 3, 'unsigned call refused');
});

// ---------------------------------------------------------------------------------- T13 t/del

t.test('T13 t/del: author only, answers {id}, then the tweet is gone', async (t) => {
  const id = await add(alice);
  // not the caller's: answered like a missing record (ret 4, errcode 6), JSON and XML
  t.match(await post(bob, '/api/t/del', { id }), { ret: 4, errcode: 6, data: null, msg: /record does not exist/ }, 'not the author');
  t.match(await xml(bob, 'POST', '/api/t/del', { id }), { ret: '4', errcode: '6' }, 'not the author (XML)');
  t.equal((await show(bob, id)).id, id, 'still there');
  const tweetnum = app.world.users.counters(userId(app, 'alice')).tweetnum;
  const b = await post(alice, '/api/t/del', { id });
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(b.data, { id });
  t.equal(app.world.users.counters(userId(app, 'alice')).tweetnum, tweetnum - 1, 'tweetnum drops');
  t.match(await get(alice, '/api/t/show', { id }), { ret: 4, errcode: 6 }, 'show: record does not exist');
  t.match(await post(alice, '/api/t/del', { id }), { ret: 4, errcode: 6, data: null }, 'deleting twice');
  t.match(await post(alice, '/api/t/del', { id: '999999999999999' }), { ret: 4, errcode: 6 }, 'unknown id');

  const id2 = await add(alice);
  const x = await xml(alice, 'POST', '/api/t/del', { id: id2 });
  t.equal(x.ret, '0');
  t.equal(x.data.id, id2);
});

t.test('T13 t/del bad input', async (t) => {
  t.match(await post(alice, '/api/t/del'), { ret: 1, msg: /\bid\b/ });
  t.match(await post(alice, '/api/t/del', { id: '12x' }), { ret: 1, msg: /\bid\b/ });
  const x = await xml(alice, 'POST', '/api/t/del', {});
  t.equal(x.ret, '1');
  t.match(x.msg, /\bid\b/);
});

// ---------------------------------------------------------------------------------- T14 re_add

t.test('T14 t/re_add: a repost (type 2) of reid, empty content allowed', async (t) => {
  const root = await add(alice, uniq('please repost'));
  const before = app.world.db.prepare('SELECT mentions FROM unread WHERE user_id = ?').get(userId(app, 'alice')) as { mentions: number };
  const b = await post(bob, '/api/t/re_add', { reid: root, clientip: '127.0.0.1', content: '' });
  t.match(b, { ret: 0, errcode: 0 });
  t.same(Object.keys(b.data), ['id', 'time']);
  const s = await show(carol, b.data.id);
  t.equal(s.type, 2);
  t.equal(s.origtext, '');
  t.equal(s.name, 'bob');
  t.equal(s.source.id, root);
  t.equal(s.source.name, 'alice');
  t.equal(s.source.count, 1, 'the source counts the repost');
  t.equal((await show(alice, root)).count, 1);
  const after = app.world.db.prepare('SELECT mentions FROM unread WHERE user_id = ?').get(userId(app, 'alice')) as { mentions: number };
  t.equal(after.mentions, before.mentions + 1, 'the source author is notified');

  const x = await xml(carol, 'POST', '/api/t/re_add', { reid: root, content: uniq('转播 xml'), clientip: '127.0.0.1' });
  t.equal(x.ret, '0');
  t.match(x.data.id, /^\d+$/);
  t.equal((await show(alice, root)).count, 2);
});

t.test('T14 t/re_add bad input', async (t) => {
  t.match(await post(bob, '/api/t/re_add', { clientip: '127.0.0.1' }), { ret: 1, msg: /reid/ }, 'missing reid');
  t.match(await post(bob, '/api/t/re_add', { reid: 'abc' }), { ret: 1, msg: /reid/ }, 'bad reid');
  t.match(await post(bob, '/api/t/re_add', { reid: '999999999999999' }), { ret: 4, errcode: 6, data: null }, 'unknown reid');
  const x = await xml(bob, 'POST', '/api/t/re_add', {});
  t.equal(x.ret, '1');
  t.match(x.msg, /reid/);
});

// ---------------------------------------------------------------------------------- T15 reply

t.test('T15 t/reply: a reply (type 4) to reid', async (t) => {
  const root = await add(alice);
  const id = await write(bob, '/api/t/reply', { reid: root, content: uniq('回复你') });
  const s = await show(alice, id);
  t.equal(s.type, 4);
  t.equal(s.source.id, root);
  t.same(await counts(root), { count: 0, mcount: 1 });
  // a reply to a repost attaches to the repost, not the root
  const repost = await write(carol, '/api/t/re_add', { reid: root });
  const r2 = await write(dave, '/api/t/reply', { reid: repost, content: uniq('reply to repost') });
  t.equal((await show(alice, r2)).source.id, repost);
  t.same(await counts(repost), { count: 0, mcount: 1 });
  t.same(await counts(root), { count: 1, mcount: 1 });

  const x = await xml(carol, 'POST', '/api/t/reply', { reid: root, content: uniq('xml reply'), clientip: '127.0.0.1' });
  t.equal(x.ret, '0');
  t.equal((await show(alice, x.data.id)).type, 4);
});

t.test('T15 t/reply bad input', async (t) => {
  const root = await add(alice);
  t.match(await post(bob, '/api/t/reply', { reid: root }), { ret: 1, msg: /content/ }, 'content required');
  t.match(await post(bob, '/api/t/reply', { content: uniq('x') }), { ret: 1, msg: /reid/ }, 'reid required');
  t.match(await post(bob, '/api/t/reply', { content: uniq('x'), reid: root, wei: 'north' }), { ret: 1, msg: /wei/ });
  t.match(await post(bob, '/api/t/reply', { content: uniq('x'), reid: '999999999999999' }), { ret: 4, errcode: 6 });
  const x = await xml(bob, 'POST', '/api/t/reply', { reid: root });
  t.equal(x.ret, '1');
  t.match(x.msg, /content/);
});

// ---------------------------------------------------------------------------------- T19 comment

t.test('T19 t/comment: a comment (type 7) attaches to the root of reid', async (t) => {
  const root = await add(alice);
  const repost = await write(bob, '/api/t/re_add', { reid: root, content: uniq('转') });
  const c1 = await write(carol, '/api/t/comment', { reid: root, content: uniq('点评 root') });
  const c2 = await write(dave, '/api/t/comment', { reid: repost, content: uniq('点评 via repost') });
  const s1 = await show(alice, c1);
  t.equal(s1.type, 7);
  t.equal(s1.source.id, root);
  t.equal((await show(alice, c2)).source.id, root, 'commenting on a repost comments on its root');
  t.same(await counts(root), { count: 1, mcount: 2 });
  t.same(await counts(repost), { count: 0, mcount: 0 });

  const x = await xml(bob, 'POST', '/api/t/comment', { reid: root, content: uniq('xml 点评'), clientip: '127.0.0.1' });
  t.equal(x.ret, '0');
  t.equal((await show(alice, x.data.id)).type, 7);
  t.same(await counts(root), { count: 1, mcount: 3 });
});

t.test('T19 t/comment bad input', async (t) => {
  const root = await add(alice);
  t.match(await post(bob, '/api/t/comment', { reid: root }), { ret: 1, msg: /content/ });
  t.match(await post(bob, '/api/t/comment', { content: uniq('x') }), { ret: 1, msg: /reid/ });
  t.match(await post(bob, '/api/t/comment', { content: uniq('x'), reid: '-5' }), { ret: 1, msg: /reid/ });
  t.match(await post(bob, '/api/t/comment', { content: uniq('x'), reid: '999999999999999' }), { ret: 4, errcode: 6 });
  const x = await xml(bob, 'POST', '/api/t/comment', { content: uniq('x') });
  t.equal(x.ret, '1');
  t.match(x.msg, /reid/);
});

// ------------------------------------------------------------------------- counters, re_count

t.test('count / mcount stay exact through re_add, reply, comment and del; re_count agrees with re_list', async (t) => {
  const root = await add(alice);
  const check = async (count: number, mcount: number, label: string) => {
    t.same(await counts(root), { count, mcount }, `${label}: re_count flag 2`);
    t.same((await get(alice, '/api/t/re_count', { ids: root, flag: 0 })).data, { [root]: count }, `${label}: flag 0`);
    t.same((await get(alice, '/api/t/re_count', { ids: root, flag: 1 })).data, { [root]: mcount }, `${label}: flag 1`);
    const s = await show(alice, root);
    t.equal(s.count, count, `${label}: show count`);
    t.equal(s.mcount, mcount, `${label}: show mcount`);
    t.equal(await relistTotal(root, 0), count, `${label}: re_list flag 0 totalnum`);
    t.equal(await relistTotal(root, 1), mcount, `${label}: re_list flag 1 totalnum`);
    t.equal(await relistTotal(root, 2), count + mcount, `${label}: re_list flag 2 totalnum`);
  };
  await check(0, 0, 'fresh');
  const r1 = await write(bob, '/api/t/re_add', { reid: root });
  const r2 = await write(carol, '/api/t/re_add', { reid: root, content: uniq('转播') });
  await check(2, 0, 'two reposts');
  const p1 = await write(dave, '/api/t/reply', { reid: root, content: uniq('reply') });
  await check(2, 1, 'a reply');
  const c1 = await write(bob, '/api/t/comment', { reid: root, content: uniq('comment') });
  const c2 = await write(carol, '/api/t/comment', { reid: r1, content: uniq('comment via repost') });
  await check(2, 3, 'two comments');
  // a repost of a repost counts on the repost it answers
  const rr = await write(dave, '/api/t/re_add', { reid: r2 });
  await check(2, 3, 'repost of a repost');
  t.same(await counts(r2), { count: 1, mcount: 0 });
  t.equal((await show(alice, rr)).source.id, r2);

  t.equal((await post(bob, '/api/t/del', { id: r1 })).ret, 0);
  await check(1, 3, 'a repost deleted');
  t.equal((await post(carol, '/api/t/del', { id: c2 })).ret, 0);
  await check(1, 2, 'a comment deleted');
  t.equal((await post(dave, '/api/t/del', { id: p1 })).ret, 0);
  await check(1, 1, 'the reply deleted');
  t.equal((await post(bob, '/api/t/del', { id: c1 })).ret, 0);
  await check(1, 0, 'the other comment deleted');
});

t.test('T17 t/re_count JSON and XML shapes', async (t) => {
  const a = await add(alice);
  const b = await add(bob);
  await write(carol, '/api/t/re_add', { reid: a });
  await write(dave, '/api/t/comment', { reid: a, content: uniq('c') });
  await write(dave, '/api/t/comment', { reid: b, content: uniq('c') });
  const ids = `${a},${b}, 999999999999999`;
  const f0 = await get(alice, '/api/t/re_count', { ids, flag: 0 });
  t.match(f0, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(f0.data, { [a]: 1, [b]: 0, '999999999999999': 0 }, 'flag 0: id → reposts; unknown ids count 0');
  const f1 = await get(alice, '/api/t/re_count', { ids, flag: 1 });
  t.same(f1.data, { [a]: 1, [b]: 1, '999999999999999': 0 }, 'flag 1: id → comments');
  const f2 = await get(alice, '/api/t/re_count', { ids: `${a},${b},${a}`, flag: 2 });
  t.same(f2.data, { [a]: { count: 1, mcount: 1 }, [b]: { count: 0, mcount: 1 } }, 'flag 2: id → {count, mcount}; duplicates once');
  const dflt = await get(alice, '/api/t/re_count', { ids: a });
  t.same(dflt.data, { [a]: 1 }, 'flag defaults to 0');

  const x0 = await xml(alice, 'GET', '/api/t/re_count', { ids: `${a},${b}`, flag: 0 });
  t.equal(x0.ret, '0');
  const items0 = x0.data.item as { '@_name': string; '#text': string }[];
  t.same(
    items0.map((i) => [i['@_name'], i['#text']]),
    [
      [a, '1'],
      [b, '0'],
    ],
    'XML: <item name="id">count</item>',
  );
  const x2 = await xml(alice, 'GET', '/api/t/re_count', { ids: a, flag: 2 });
  t.equal(x2.data.item['@_name'], a);
  t.equal(x2.data.item.count, '1');
  t.equal(x2.data.item.mcount, '1');
});

t.test('T17 t/re_count bad input', async (t) => {
  t.match(await get(alice, '/api/t/re_count', { flag: 0 }), { ret: 1, msg: /ids/, data: null }, 'missing ids');
  t.match(await get(alice, '/api/t/re_count', { ids: ' , ,' }), { ret: 1, msg: /ids/ }, 'empty list');
  t.match(await get(alice, '/api/t/re_count', { ids: '123,abc' }), { ret: 1, msg: /ids/ }, 'not an id');
  const many = Array.from({ length: 31 }, (_, i) => String(100000000000001 + i)).join(',');
  t.match(await get(alice, '/api/t/re_count', { ids: many }), { ret: 1, msg: /ids/ }, '31 ids');
  t.equal((await get(alice, '/api/t/re_count', { ids: many.split(',').slice(0, 30).join(',') })).ret, 0, '30 ids are fine');
  t.match(await get(alice, '/api/t/re_count', { ids: '100000000000001', flag: 3 }), { ret: 1, msg: /flag/ }, 'bad flag');
  const x = await xml(alice, 'GET', '/api/t/re_count', { flag: 1 });
  t.equal(x.ret, '1');
  t.match(x.msg, /ids/);
});

// ---------------------------------------------------------------------------------- T18 re_list

/** A root with 45 answers (reposts, replies, comments), several sharing one second. */
async function busyRoot(): Promise<{ root: string; reposts: Set<string>; comments: Set<string> }> {
  const root = await add(alice, uniq('a popular tweet'));
  const reposts = new Set<string>();
  const comments = new Set<string>();
  const users = ['bob', 'carol', 'dave', ...Array.from({ length: 12 }, (_, i) => `user${String(i + 6).padStart(4, '0')}`)].map((u) => weiboCreds(app, u));
  const clock = app.world.clock;
  clock.set(clock.now(), true); // frozen: four answers per second
  for (let i = 0; i < 45; i++) {
    if (i % 4 === 0) app.world.clock.advance(1); // ties: several answers per second
    const who = users[i % users.length];
    if (i % 3 === 0) comments.add(await write(who, i % 2 ? '/api/t/reply' : '/api/t/comment', { reid: root, content: uniq('answer') }));
    else reposts.add(await write(who, '/api/t/re_add', { reid: root, content: i % 5 || i >= users.length ? uniq('rt') : '' /* an empty repost twice would be a duplicate */ }));
  }
  clock.set(clock.now(), false);
  return { root, reposts, comments };
}

let busy: Awaited<ReturnType<typeof busyRoot>>;

t.test('T18 t/re_list JSON: wrapper, items newest first, user map', async (t) => {
  busy = await busyRoot();
  const b = await get(bob, '/api/t/re_list', { rootid: busy.root, flag: 0, reqnum: 10, pageflag: 0, pagetime: 0, twitterid: 0 });
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(Object.keys(b.data), ['hasnext', 'info', 'timestamp', 'totalnum', 'user']);
  t.equal(b.data.totalnum, busy.reposts.size);
  t.equal(b.data.hasnext, 0, 'more to fetch');
  t.equal(b.data.info.length, 10);
  t.type(b.data.timestamp, 'number');
  for (const it of b.data.info) {
    t.ok(busy.reposts.has(it.id), 'flag 0 lists reposts only');
    t.equal(it.type, 2);
    t.equal(it.source.id, busy.root);
    t.equal(b.data.user[it.name], app.world.users.byName(it.name)!.nick, 'user maps name → nick');
  }
  t.equal(b.data.user.alice, '爱丽丝', 'the source author is in the user map');
  const keys = b.data.info.map((i: { timestamp: number; id: string }) => [i.timestamp, BigInt(i.id)] as const);
  for (let i = 1; i < keys.length; i++) t.ok(keys[i - 1][0] > keys[i][0] || (keys[i - 1][0] === keys[i][0] && keys[i - 1][1] > keys[i][1]), 'newest first');

  const last = b.data.info[9];
  const next = await get(bob, '/api/t/re_list', { rootid: busy.root, flag: 0, reqnum: 5, pageflag: 1, pagetime: last.timestamp, twitterid: last.id });
  const viaLastid = await get(bob, '/api/t/re_list', { rootid: busy.root, flag: 0, reqnum: 5, pageflag: 1, pagetime: last.timestamp, lastid: last.id });
  t.same(viaLastid.data.info.map((i: { id: string }) => i.id), next.data.info.map((i: { id: string }) => i.id), 'lastid is accepted for twitterid');
  t.notOk(next.data.info.some((i: { id: string }) => b.data.info.some((j: { id: string }) => j.id === i.id)), 'the next page does not repeat the first');
  const c = await get(bob, '/api/t/re_list', { rootid: busy.root, flag: 1 });
  t.equal(c.data.totalnum, busy.comments.size);
  t.equal(c.data.info.length, busy.comments.size, 'reqnum defaults to 20');
  t.ok(c.data.info.every((i: { id: string; type: number }) => busy.comments.has(i.id) && (i.type === 4 || i.type === 7)), 'flag 1 lists comments and replies');
  t.equal(c.data.hasnext, 1, 'no more');

  const both = await get(bob, '/api/t/re_list', { rootid: busy.root, flag: 2, reqnum: 100 });
  t.equal(both.data.totalnum, 45);
  t.equal(both.data.info.length, 20, 'reqnum above 20 is clamped to 20');

  const none = await get(bob, '/api/t/re_list', { rootid: '999999999999999', flag: 2 });
  t.match(none, { ret: 0, data: { totalnum: 0, hasnext: 1, info: [] } }, 'unknown root: an empty list');
});

t.test('T18 t/re_list XML', async (t) => {
  const x = await xml(bob, 'GET', '/api/t/re_list', { rootid: busy.root, flag: 2, reqnum: 3 });
  t.equal(x.ret, '0');
  t.equal(x.data.totalnum, '45');
  t.equal(x.data.hasnext, '0');
  t.ok(Array.isArray(x.data.info), 'repeated <info> elements');
  t.equal(x.data.info.length, 3);
  for (const it of x.data.info) {
    t.ok(busy.reposts.has(it.id) || busy.comments.has(it.id));
    t.equal(it.source.id, busy.root);
  }
  t.equal(x.data.user.alice, '爱丽丝');
});

t.test('T18 t/re_list bad input', async (t) => {
  t.match(await get(bob, '/api/t/re_list', { flag: 0 }), { ret: 1, msg: /rootid/, data: null }, 'missing rootid');
  t.match(await get(bob, '/api/t/re_list', { rootid: 'x' }), { ret: 1, msg: /rootid/ });
  t.match(await get(bob, '/api/t/re_list', { rootid: busy.root, flag: 5 }), { ret: 1, msg: /flag/ });
  t.match(await get(bob, '/api/t/re_list', { rootid: busy.root, pageflag: 3 }), { ret: 1, msg: /pageflag/ });
  t.match(await get(bob, '/api/t/re_list', { rootid: busy.root, pagetime: 'yesterday' }), { ret: 1, msg: /pagetime/ });
  t.match(await get(bob, '/api/t/re_list', { rootid: busy.root, pagetime: -1 }), { ret: 1, msg: /pagetime/ });
  t.match(await get(bob, '/api/t/re_list', { rootid: busy.root, twitterid: 'abc' }), { ret: 1, msg: /twitterid/ });
  t.match(await get(bob, '/api/t/re_list', { rootid: busy.root, reqnum: 0 }), { ret: 1, msg: /reqnum/ });
  t.match(await get(bob, '/api/t/re_list', { rootid: busy.root, reqnum: 'ten' }), { ret: 1, msg: /reqnum/ });
  const x = await xml(bob, 'GET', '/api/t/re_list', { flag: 1 });
  t.equal(x.ret, '1');
  t.match(x.msg, /rootid/);
});

t.test('T18 t/re_list paging: down to the end and back up gives every row exactly once', async (t) => {
  const all = new Set([...busy.reposts, ...busy.comments]);
  const seconds = app.world.db.prepare('SELECT COUNT(DISTINCT timestamp) n FROM tweets WHERE source_id = ?').get(Number(busy.root)) as { n: number };
  t.ok(seconds.n < all.size / 2, 'many answers share a second (ties broken by id)');
  for (const reqnum of [7, 20, 1]) {
    type Item = { id: string; timestamp: number };
    const page = async (pageflag: number, anchor?: Item) =>
      (await get(bob, '/api/t/re_list', { rootid: busy.root, flag: 2, reqnum, pageflag, pagetime: anchor?.timestamp ?? 0, twitterid: anchor?.id ?? 0 })).data as {
        info: Item[];
        hasnext: number;
        totalnum: number;
      };
    // down
    const pages: Item[][] = [];
    let p = await page(0);
    pages.push(p.info);
    let guard = 0;
    while (p.hasnext === 0 && guard++ < 100) {
      p = await page(1, p.info[p.info.length - 1]);
      pages.push(p.info);
    }
    const down = pages.flat().map((i) => i.id);
    t.equal(down.length, all.size, `reqnum ${reqnum}: down walk length`);
    t.equal(new Set(down).size, down.length, `reqnum ${reqnum}: no repeats going down`);
    t.same(new Set(down), all, `reqnum ${reqnum}: every row going down`);
    t.equal(p.totalnum, all.size);
    t.ok(pages.slice(0, -1).every((pg) => pg.length === reqnum), 'full pages until the last');
    // a step past the end is empty and says no more
    const past = await page(1, down.length ? pages.flat()[down.length - 1] : undefined);
    t.match(past, { info: [], hasnext: 1 });
    // up, from the last page
    const upPages: Item[][] = [pages[pages.length - 1]];
    let top = pages[pages.length - 1][0];
    guard = 0;
    for (;;) {
      const u = await page(2, top);
      if (u.info.length) upPages.unshift(u.info);
      for (let i = 1; i < u.info.length; i++) t.ok(u.info[i - 1].timestamp >= u.info[i].timestamp, 'up pages are newest first too');
      if (u.hasnext === 1 || guard++ > 100) break;
      top = u.info[0];
    }
    const up = upPages.flat().map((i) => i.id);
    t.equal(new Set(up).size, up.length, `reqnum ${reqnum}: no repeats going up`);
    t.same(up, down, `reqnum ${reqnum}: walking up gives the same rows in the same order`);
  }
});

// ---------------------------------------------------------------------------------- T16 add_pic

const GIF_1x1 = Buffer.from('47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex');

t.test('T16 t/add_pic stores the picture, the tweet lists it in image, the URL serves it back', async (t) => {
  const content = uniq('带图 微博');
  for (const via of ['body', 'header'] as const) {
    const res = await signed(app, alice, {
      method: 'POST',
      path: '/api/t/add_pic',
      params: { format: 'json', content: `${content} ${via}`, clientip: '127.0.0.1', jing: '1.5', wei: '2.5' },
      files: { pic: { filename: 'a.png', contentType: 'image/png', data: PNG_1x1 } },
      via,
    });
    const b = res.json();
    t.match(b, { ret: 0, errcode: 0, msg: 'ok' }, `signed via ${via}`);
    t.same(Object.keys(b.data), ['id', 'time']);
    const s = await show(bob, b.data.id);
    t.equal(s.type, 1);
    t.equal(s.origtext, `${content} ${via}`);
    t.equal(s.jing, '1.5');
    t.ok(Array.isArray(s.image) && s.image.length === 1, 'image is a list of one URL');
    t.match(s.image[0], /^http:\/\/open\.t\.qq\.com\/mblogpic\/[0-9a-f]{32}$/, 'URL without a size suffix');
    const pic = await app.inject({ method: 'GET', url: new URL(s.image[0]).pathname + '/460' });
    t.equal(pic.statusCode, 200);
    t.equal(pic.headers['content-type'], 'image/png');
    t.same(pic.rawPayload, PNG_1x1, 'the stored bytes come back');
  }
});

t.test('T16 t/add_pic XML, GIF', async (t) => {
  const res = await signed(app, alice, {
    method: 'POST',
    path: '/api/t/add_pic',
    params: { format: 'xml', content: uniq('gif xml'), clientip: '127.0.0.1' },
    files: { pic: { filename: 'b.gif', contentType: 'image/gif', data: GIF_1x1 } },
  });
  const x = (parseXml(res.body) as { root: any }).root;
  t.equal(x.ret, '0');
  t.match(x.data.id, /^\d+$/);
  const sx = await xml(alice, 'GET', '/api/t/show', { id: x.data.id });
  t.match(sx.data.image, /\/mblogpic\/[0-9a-f]{32}$/, 'XML: one <image> element');
  const pic = await app.inject({ method: 'GET', url: new URL(sx.data.image).pathname });
  t.equal(pic.headers['content-type'], 'image/gif');
  t.same(pic.rawPayload, GIF_1x1);
});

t.test('T16 t/add_pic bad input: no pic, not an image, no content, too large', async (t) => {
  const files = { pic: { filename: 'a.png', contentType: 'image/png', data: PNG_1x1 } };
  const up = (params: Record<string, string>, f?: Record<string, { filename: string; contentType: string; data: Buffer }>, a: FastifyInstance = app, c = alice) =>
    signed(a, c, { method: 'POST', path: '/api/t/add_pic', params: { format: 'json', clientip: '127.0.0.1', ...params }, files: f ?? {} }).then((r) => r.json());
  const filesBefore = (app.world.db.prepare('SELECT COUNT(*) n FROM files').get() as { n: number }).n;
  t.match(await up({ content: uniq('no pic') }), { ret: 1, msg: /pic/, data: null }, 'missing pic');
  t.match(await up({ content: uniq('text') }, { pic: { filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('just some text, not a picture') } }), { ret: 1, msg: /pic/ }, 'not an image');
  t.match(await up({ content: uniq('lying type') }, { pic: { filename: 'a.png', contentType: 'image/png', data: Buffer.from('%PDF-1.4 fake') } }), { ret: 1, msg: /pic/ }, 'content type is not trusted');
  t.match(await up({ content: uniq('empty') }, { pic: { filename: 'a.png', contentType: 'image/png', data: Buffer.alloc(0) } }), { ret: 1, msg: /pic/ }, 'empty file');
  t.match(await up({}, files), { ret: 1, msg: /content/ }, 'missing content');
  // publish refused by a write rule: the picture is not kept
  t.match(await up({ content: uniq('dirtyword here') }, { pic: { filename: 'c.gif', contentType: 'image/gif', data: Buffer.concat([GIF_1x1, Buffer.from('x')]) } }), { ret: 4, errcode: 4 });
  t.equal((app.world.db.prepare('SELECT COUNT(*) n FROM files').get() as { n: number }).n, filesBefore, 'no file stored by refused uploads');
  const unsignedPic = await signed(app, alice, { method: 'POST', path: '/api/t/add_pic', params: { format: 'json', content: uniq('x') }, files, signWithSecret: 'bad' });
  t.match(unsignedPic.json(), { ret: 3, errcode: 9 }, 'bad signature');

  // a small upload limit to show the oversize refusal
  const small = await build({ maxUpload: 1024 });
  t.teardown(() => small.close());
  const big = Buffer.concat([PNG_1x1, Buffer.alloc(4096)]);
  const res = await up({ content: uniq('big') }, { pic: { filename: 'big.png', contentType: 'image/png', data: big } }, small, weiboCreds(small, 'alice'));
  t.match(res, { ret: 1, errcode: 1, data: null, msg: /too large/ }, 'oversize picture refused');
  t.equal((small.world.db.prepare('SELECT COUNT(*) n FROM tweets WHERE origtext LIKE ?').get('big%') as { n: number }).n, 0, 'nothing published');
  const ok = await up({ content: uniq('small enough') }, files, small, weiboCreds(small, 'alice'));
  t.equal(ok.ret, 0, 'a picture under the limit is accepted');
  const x = await signed(app, alice, { method: 'POST', path: '/api/t/add_pic', params: { format: 'xml', content: uniq('x'), clientip: '127.0.0.1' }, files: {} });
  const xr = (parseXml(x.body) as { root: any }).root;
  t.equal(xr.ret, '1');
  t.match(xr.msg, /pic/);
});

// ----------------------------------------------------------------- deleted sources, mentions, topics

t.test('a deleted source: re_add answers errcode 11, the repost shows it emptied', async (t) => {
  const root = await add(alice);
  const repost = await write(bob, '/api/t/re_add', { reid: root, content: uniq('before the delete') });
  t.equal((await post(alice, '/api/t/del', { id: root })).ret, 0);
  t.match(await post(carol, '/api/t/re_add', { reid: root }), { ret: 4, errcode: 11, data: null }, 'repost of the deleted tweet');
  t.match(await post(carol, '/api/t/re_add', { reid: repost }), { ret: 4, errcode: 11 }, 'repost of a repost whose root is deleted');
  t.match(await post(carol, '/api/t/reply', { reid: root, content: uniq('r') }), { ret: 4, errcode: 11 });
  t.match(await post(carol, '/api/t/comment', { reid: repost, content: uniq('c') }), { ret: 4, errcode: 11 });
  const s = await show(carol, repost);
  t.equal(s.status, 0, 'the repost itself stays');
  t.equal(s.source.id, root);
  t.equal(s.source.status, 3, 'its source is marked deleted by the user');
  t.equal(s.source.origtext, '');
  t.equal(s.source.text, '');
});

t.test('an @mention feeds the mentioned user; a blacklisting user is not fed', async (t) => {
  const daveId = userId(app, 'dave');
  const unread = (id: number) => (app.world.db.prepare('SELECT mentions FROM unread WHERE user_id = ?').get(id) as { mentions: number }).mentions;
  const before = unread(daveId);
  const id = await add(alice, uniq('hi @dave and @nobody_here and @dave again'));
  const rows = app.world.db.prepare('SELECT user_id FROM mentions WHERE tweet_id = ?').all(Number(id)) as { user_id: number }[];
  t.same(rows.map((r) => r.user_id), [daveId], 'one mention row, for dave');
  t.equal(unread(daveId), before + 1, "dave's unread mentions counter moves once");
  const feed = app.world.tweets.timeline({ kind: 'mentions', userId: daveId }, { pageflag: 0, pagetime: 0, lastid: 0, reqnum: 5 });
  t.equal(String(feed.rows[0]?.id), id, "the tweet is on top of dave's mentions");
  const viaApi = (await signed(app, dave, { method: 'GET', path: '/api/statuses/mentions_timeline', params: { format: 'json', pageflag: 0, reqnum: 5 } })).json();
  t.equal(viaApi.data.info[0].id, id, 'mentions_timeline shows it on top');

  // bob blacklisted erin: erin's @bob does not reach him
  const bobId = userId(app, 'bob');
  const bobBefore = unread(bobId);
  const e = await add(erin, uniq('hello @bob'));
  t.equal((app.world.db.prepare('SELECT COUNT(*) n FROM mentions WHERE tweet_id = ?').get(Number(e)) as { n: number }).n, 0);
  t.equal(unread(bobId), bobBefore);
  // mentioning yourself is not a mention
  const self = await add(alice, uniq('note to @alice'));
  t.equal((app.world.db.prepare('SELECT COUNT(*) n FROM mentions WHERE tweet_id = ?').get(Number(self)) as { n: number }).n, 0);
});

t.test('a #topic# creates the topic and files the tweet under it', async (t) => {
  const text = `新话题${Date.now()}`;
  t.notOk(app.world.db.prepare('SELECT id FROM topics WHERE text = ?').get(text), 'topic is new');
  const id = await add(alice, `#${text}# 第一次 [${++n}]`);
  const topic = app.world.db.prepare('SELECT id FROM topics WHERE text = ?').get(text) as { id: number } | undefined;
  t.ok(topic, 'topic created');
  const id2 = await write(bob, '/api/t/re_add', { reid: id, content: `#${text}# 转播` });
  t.equal((app.world.db.prepare('SELECT COUNT(*) n FROM topics WHERE text = ?').get(text) as { n: number }).n, 1, 'reused, not duplicated');
  const page = app.world.tweets.timeline({ kind: 'topic', topicId: topic!.id }, { pageflag: 0, pagetime: 0, lastid: 0, reqnum: 10 });
  t.same(page.rows.map((r) => String(r.id)).sort(), [id, id2].sort(), 'both tweets are filed under the topic');
  const viaApi = (await signed(app, alice, { method: 'GET', path: '/api/ht/ids', params: { format: 'json', httexts: text } })).json();
  t.equal(viaApi.data.info[0].id, String(topic!.id), 'ht/ids finds the new topic');
});

t.test('answers to a tweet notify its author through mentions', async (t) => {
  const aliceId = userId(app, 'alice');
  const root = await add(alice);
  const r = await write(carol, '/api/t/reply', { reid: root, content: uniq('a reply') });
  const c = await write(dave, '/api/t/comment', { reid: root, content: uniq('a comment') });
  const mine = app.world.db.prepare('SELECT tweet_id FROM mentions WHERE user_id = ? AND tweet_id IN (?, ?)').all(aliceId, Number(r), Number(c)) as { tweet_id: number }[];
  t.equal(mine.length, 2);
  const own = await write(alice, '/api/t/reply', { reid: root, content: uniq('replying to myself') });
  t.notOk(app.world.db.prepare('SELECT 1 FROM mentions WHERE tweet_id = ?').get(Number(own)), 'no notification for your own tweet');
});
