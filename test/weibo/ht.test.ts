// open.t.qq.com topics and trends: T55 ht/ids, T56 ht/info, T47 trends/ht, and trends/t
// (documented as omitted: answers the API's "not provided" error).
import t, { type Test } from 'tap';
import { build, weiboCreds, signed, parseXml, type WeiboCreds } from '../helpers.js';
import { weiboClient, type WeiboBody } from '../helpers.js';
import { KEYWORD_WINDOW } from '../../db/topics.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;

const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const db = app.world.db;

type Body = WeiboBody;
const { get, xml, post } = weiboClient(app);
const topicId = (text: string) => (db.prepare('SELECT id FROM topics WHERE text = ?').get(text) as { id: number } | undefined)?.id;
const tweetnum = (id: number) =>
  (db.prepare('SELECT COUNT(*) n FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id WHERE tt.topic_id = ? AND t.status = 0').get(id) as { n: number }).n;
const favnum = (id: number) => (db.prepare('SELECT COUNT(*) n FROM fav_topics WHERE topic_id = ?').get(id) as { n: number }).n;

async function badInput(t: Test, path: string, cases: [Record<string, string | number>, RegExp][]) {
  for (const [p, re] of cases) {
    const b = await get(alice, path, p);
    t.match(b, { ret: 1, data: null }, `${path} ${JSON.stringify(p)}`);
    t.match(b.msg, re, b.msg);
  }
  const x = await xml(alice, path, cases[0][0]);
  t.equal(x.ret, '1', 'XML error');
  t.match(x.msg, cases[0][1]);
  const bad = (await signed(app, alice, { method: 'GET', path, params: cases[0][0], signWithSecret: 'nope' })).json();
  t.match(bad, { ret: 3, errcode: 9, data: null }, 'bad signature');
}

// ---------------------------------------------------------------------------------- T55

t.test('T55 ht/ids JSON: texts → ids, in the order asked, unknown texts left out', async (t) => {
  const b = await get(alice, '/api/ht/ids', { httexts: '美食,#读书会#, 没有这个话题 ,美食' });
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(b.data, {
    info: [
      { id: String(topicId('美食')), text: '美食' },
      { id: String(topicId('读书会')), text: '读书会' },
    ],
  });
  const none = await get(alice, '/api/ht/ids', { httexts: '没有这个话题' });
  t.same(none.data, { info: [] }, 'nothing known: info []');
});

t.test('T55 ht/ids XML', async (t) => {
  const r = await xml(alice, '/api/ht/ids', { httexts: '开放平台,程序员' });
  t.equal(r.ret, '0');
  t.same(r.data.info, [
    { id: String(topicId('开放平台')), text: '开放平台' },
    { id: String(topicId('程序员')), text: '程序员' },
  ]);
});

t.test('T55 ht/ids bad input', (t) =>
  badInput(t, '/api/ht/ids', [
    [{}, /httexts/],
    [{ httexts: '' }, /httexts/],
    [{ httexts: ',,' }, /httexts/],
    [{ httexts: '##' }, /httexts/],
    [{ httexts: Array.from({ length: 31 }, (_, i) => `t${i}`).join(',') }, /httexts.*30/],
  ]));

// ---------------------------------------------------------------------------------- T56

t.test('T56 ht/info JSON: favnum, tweetnum, text per id; unknown ids left out', async (t) => {
  const a = topicId('开放平台')!;
  const b2 = topicId('微博控')!;
  const b = await get(alice, '/api/ht/info', { ids: `${b2},${a},999999,${a}` });
  t.match(b, { ret: 0, msg: 'ok' });
  t.same(b.data, {
    info: [
      { favnum: favnum(b2), id: String(b2), text: '微博控', tweetnum: tweetnum(b2) },
      { favnum: favnum(a), id: String(a), text: '开放平台', tweetnum: tweetnum(a) },
    ],
  });
  t.ok(b.data.info[0].tweetnum > 0, 'seeded topics have tweets');
});

t.test('T56 ht/info XML', async (t) => {
  const id = topicId('美食')!;
  const r = await xml(alice, '/api/ht/info', { ids: String(id) });
  t.equal(r.ret, '0');
  t.same(r.data.info, { favnum: String(favnum(id)), id: String(id), text: '美食', tweetnum: String(tweetnum(id)) }, 'one <info>');
});

t.test('T56 ht/info bad input', (t) =>
  badInput(t, '/api/ht/info', [
    [{}, /ids/],
    [{ ids: 'abc' }, /ids/],
    [{ ids: '1,-2' }, /ids/],
    [{ ids: '99999999999999999999' }, /ids/],
    [{ ids: Array.from({ length: 16 }, (_, i) => i + 1).join(',') }, /ids.*15/],
  ]));

t.test('writes show in ht/ids, ht/info, ht_timeline isfav and trends/ht', async (t) => {
  t.equal(topicId('全新话题'), undefined);
  const tw = await post(bob, '/api/t/add', { content: '#全新话题# 第一条' });
  t.equal(tw.ret, 0);
  const ids = await get(alice, '/api/ht/ids', { httexts: '全新话题' });
  t.equal(ids.data.info.length, 1, 'the topic exists once a tweet used it');
  const id = ids.data.info[0].id;
  t.same((await get(alice, '/api/ht/info', { ids: id })).data.info, [{ favnum: 0, id, text: '全新话题', tweetnum: 1 }]);
  // a second tweet, and alice favourites the topic
  t.equal((await post(alice, '/api/t/add', { content: '我也说 #全新话题#' })).ret, 0);
  t.equal((await post(alice, '/api/fav/addht', { id })).ret, 0);
  t.same((await get(alice, '/api/ht/info', { ids: id })).data.info, [{ favnum: 1, id, text: '全新话题', tweetnum: 2 }]);
  const ht = await get(alice, '/api/statuses/ht_timeline', { httext: '全新话题' });
  t.match(ht.data, { id, isfav: 1, totalnum: 2 });
  t.equal((await get(bob, '/api/statuses/ht_timeline', { httext: '全新话题' })).data.isfav, 0, 'isfav is per viewer');
  // trends/ht lists it among the topics
  const tr = await get(alice, '/api/trends/ht', { type: 1, reqnum: 20 });
  t.ok(tr.data.info.some((i: any) => i.name === '全新话题' && i.type === 0), 'the new topic is in the topic trends');
  // deleting the tweets drops tweetnum
  t.equal((await post(bob, '/api/t/del', { id: tw.data.id })).ret, 0);
  t.equal((await get(alice, '/api/ht/info', { ids: id })).data.info[0].tweetnum, 1);
  t.equal((await post(alice, '/api/fav/delht', { id })).ret, 0);
  t.equal((await get(alice, '/api/ht/info', { ids: id })).data.info[0].favnum, 0);
});

// ---------------------------------------------------------------------------------- T47

/** Topics with visible tweets, most used first (as trends/ht ranks them). */
function topicRanking(): string[] {
  return (
    db
      .prepare(
        `SELECT tp.text FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id JOIN topics tp ON tp.id = tt.topic_id WHERE t.status = 0
         GROUP BY tp.id ORDER BY COUNT(*) DESC, MAX(tt.timestamp) DESC, tp.id`,
      )
      .all() as { text: string }[]
  ).map((r) => r.text);
}

t.test('T47 trends/ht JSON: type 1 topics, 2 keywords, 3 both; pos paging', async (t) => {
  const topics = topicRanking();
  const b = await get(alice, '/api/trends/ht', { type: 1, reqnum: 3, pos: 0 });
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(Object.keys(b.data), ['hasnext', 'info', 'pos']);
  t.equal(b.data.pos, 3);
  t.equal(b.data.hasnext, 0);
  t.same(b.data.info, topics.slice(0, 3).map((name) => ({ keywords: name, name, type: 0 })), 'most used topics first');
  // walk all topics with pos
  const seen: string[] = [];
  let pos = 0;
  for (let i = 0; i < 20; i++) {
    const p = await get(alice, '/api/trends/ht', { type: 1, reqnum: 3, pos });
    seen.push(...p.data.info.map((x: any) => x.name));
    t.equal(p.data.pos, pos + p.data.info.length, 'pos = where the next call starts');
    pos = p.data.pos;
    if (p.data.hasnext === 1) break;
  }
  t.same(seen, topics, 'pos walks every topic once');
  // keywords: type 1 items, words of recent tweets, most frequent first
  const k = await get(alice, '/api/trends/ht', { type: 2, reqnum: 20 });
  t.equal(k.data.info.length, 20);
  t.ok(k.data.info.every((i: any) => i.type === 1 && i.name === i.keywords), 'keyword items: type 1');
  const recent = (db.prepare('SELECT origtext FROM tweets WHERE status = 0 ORDER BY timestamp DESC, id DESC LIMIT ?').all(KEYWORD_WINDOW) as { origtext: string }[]).map((r) => r.origtext);
  const freq = (w: string) => recent.filter((s) => s.split(/\s+/).includes(w)).length;
  const fs = k.data.info.map((i: any) => freq(i.name));
  t.ok(fs.every((f: number, i: number) => i === 0 || f <= fs[i - 1]), `keywords ranked by how many recent tweets use them (${fs.join(',')})`);
  t.ok(fs[0] > 0);
  // a keyword finds tweets through search/t
  const s = await get(alice, '/api/search/t', { keyword: k.data.info[0].name });
  t.ok(s.data.totalnum >= fs[0], 'search/t finds the keyword');
  // both: topics first, then keywords
  const both = await get(alice, '/api/trends/ht', { type: 3, reqnum: 20 });
  t.same(both.data.info.slice(0, topics.length).map((i: any) => i.name), topics);
  t.same(both.data.info.slice(topics.length), k.data.info.slice(0, 20 - topics.length));
  // defaults: type 3, reqnum 20, pos 0
  t.same((await get(alice, '/api/trends/ht')).data, both.data);
  // clamped reqnum; past the end
  t.equal((await get(alice, '/api/trends/ht', { type: 2, reqnum: 50 })).data.info.length, 20, 'reqnum clamped to 20');
  const past = await get(alice, '/api/trends/ht', { type: 1, pos: 1000 });
  t.same(past.data, { hasnext: 1, info: [], pos: 1000 }, 'past the end: empty');
});

t.test('T47 trends/ht XML', async (t) => {
  const r = await xml(alice, '/api/trends/ht', { type: 1, reqnum: 2 });
  t.equal(r.ret, '0');
  t.equal(r.data.pos, '2');
  t.equal(r.data.hasnext, '0');
  const top = topicRanking().slice(0, 2);
  t.same(r.data.info, top.map((name) => ({ keywords: name, name, type: '0' })));
});

t.test('T47 trends/ht bad input', (t) =>
  badInput(t, '/api/trends/ht', [
    [{ type: 4 }, /type/],
    [{ type: 0 }, /type/],
    [{ type: 'topics' }, /type/],
    [{ reqnum: 0 }, /reqnum/],
    [{ reqnum: 'x' }, /reqnum/],
    [{ pos: -1 }, /pos/],
    [{ pos: 'next' }, /pos/],
  ]));

// ---------------------------------------------------------------------------------- trends/t

t.test('trends/t (documented as omitted) answers the "not provided" error, not a 404', async (t) => {
  for (const method of ['GET', 'POST'] as const) {
    const res = await signed(app, alice, { method, path: '/api/trends/t', params: { format: 'json', reqnum: 10 } });
    t.equal(res.statusCode, 200, method);
    const b = res.json();
    t.same(Object.keys(b), ['data', 'errcode', 'msg', 'ret']);
    t.match(b, { ret: 4, errcode: 0, data: null });
    t.match(b.msg, /not provided.*trends\/t/);
  }
  const x = await xml(alice, '/api/trends/t');
  t.equal(x.ret, '4');
  t.match(x.msg, /not provided/);
  const anon = await app.inject({ method: 'GET', url: '/api/trends/t' });
  t.equal(anon.statusCode, 200);
  t.equal(anon.json().ret, 4, 'whatever the credentials');
  // a path that was never documented is still the 404 of the not-found handler
  t.equal((await app.inject({ method: 'GET', url: '/api/trends/nothing' })).statusCode, 404);
});


