// open.t.qq.com statuses/*: T4 home_timeline, T5 public_timeline, T6 user_timeline,
// T7 mentions_timeline, T8 ht_timeline, T9 broadcast_timeline, T10 special_timeline —
// shapes in JSON and XML, bad input, and what writes do to the reads. The full walks
// (down to the end and back up) are in paging.test.ts.
import t, { type Test } from 'tap';
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';
import { weiboClient, type WeiboBody } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;

const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const carol = weiboCreds(app, 'carol');
const db = app.world.db;

type Body = WeiboBody;
const { get, xml, post } = weiboClient(app);
let n = 0;
async function add(c: WeiboCreds, content: string): Promise<string> {
  const b = await post(c, '/api/t/add', { content: `${content} [${++n}]` });
  if (b.ret !== 0) throw new Error(`t/add failed: ${JSON.stringify(b)}`);
  return b.data.id;
}

const ids = (sql: string, ...a: unknown[]) => (db.prepare(sql).all(...a) as { id: number }[]).map((r) => String(r.id));
const count = (sql: string, ...a: unknown[]) => (db.prepare(sql).get(...a) as { n: number }).n;
const ALICE = userId(app, 'alice');
const BOB = userId(app, 'bob');

/** Newest first by (timestamp, id), as every `time` timeline orders. */
function assertNewestFirst(t: Test, info: { id: string; timestamp: number }[]) {
  for (let i = 1; i < info.length; i++) {
    const a = info[i - 1];
    const b = info[i];
    const ok = a.timestamp > b.timestamp || (a.timestamp === b.timestamp && BigInt(a.id) > BigInt(b.id));
    if (!ok) t.fail(`not newest first at ${i}: ${a.id}@${a.timestamp} then ${b.id}@${b.timestamp}`);
  }
  t.pass('newest first');
}

const TWEET_KEYS = [
  'city_code', 'count', 'country_code', 'emotiontype', 'emotionurl', 'from', 'fromurl', 'geo', 'head', 'id', 'image', 'isrealname', 'isvip',
  'jing', 'latitude', 'location', 'longitude', 'mcount', 'music', 'name', 'nick', 'origtext', 'province_code', 'self', 'source', 'status',
  'text', 'timestamp', 'type', 'video', 'wei',
];

/** The wrapper every timeline answers, checked against the page it carries. */
function assertWrapper(t: Test, b: Body, extra: string[]) {
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(Object.keys(b), ['data', 'errcode', 'msg', 'ret']);
  t.same(Object.keys(b.data), ['hasnext', 'info', 'timestamp', 'user', ...extra].sort(), 'data keys (sorted)');
  t.type(b.data.timestamp, 'number');
  t.ok(Math.abs(b.data.timestamp - app.world.now()) <= 2, 'timestamp is the server time');
  t.ok(Array.isArray(b.data.info));
  for (const item of b.data.info) {
    t.same(Object.keys(item), TWEET_KEYS, 'tweet keys');
    t.match(item.id, /^\d+$/);
    t.type(item.timestamp, 'number');
    t.type(item.count, 'number');
    t.type(item.country_code, 'string');
    t.equal(item.status, 0, 'only visible tweets');
    t.equal(b.data.user[item.name], item.nick, 'user map names the author');
    if (item.source) t.equal(b.data.user[item.source.name], item.source.nick, 'user map names the source author');
  }
  assertNewestFirst(t, b.data.info);
}

// ---------------------------------------------------------------------------------- T4

const HOME_SQL = 'SELECT id FROM tweets WHERE status = 0 AND (user_id = ? OR user_id IN (SELECT idol_id FROM follows WHERE fan_id = ?)) ORDER BY timestamp DESC, id DESC';

t.test('T4 home_timeline JSON: own and followed users’ tweets, newest first', async (t) => {
  const b = await get(alice, '/api/statuses/home_timeline', { pageflag: 0, pagetime: 0, reqnum: 20 });
  assertWrapper(t, b, []);
  t.equal(b.data.info.length, 20);
  t.equal(b.data.hasnext, 0, 'more to fetch');
  t.same(b.data.info.map((i: any) => i.id), ids(HOME_SQL, ALICE, ALICE).slice(0, 20), 'the newest 20 of the store');
  t.notOk('totalnum' in b.data, 'home has no totalnum');
  // defaults: first page of 20
  const d = await get(alice, '/api/statuses/home_timeline');
  t.same(d.data.info.map((i: any) => i.id), b.data.info.map((i: any) => i.id), 'no parameters = first page of 20');
  // reqnum above 20 is clamped
  const big = await get(alice, '/api/statuses/home_timeline', { reqnum: 100 });
  t.equal(big.data.info.length, 20, 'reqnum 100 clamped to 20');
  const small = await get(alice, '/api/statuses/home_timeline', { reqnum: 3 });
  t.equal(small.data.info.length, 3);
  // paging flags without an anchor = first page
  const up = await get(alice, '/api/statuses/home_timeline', { pageflag: 2, pagetime: 0, reqnum: 3 });
  t.same(up.data.info.map((i: any) => i.id), small.data.info.map((i: any) => i.id), 'pageflag 2 without pagetime is the first page');
});

t.test('T4 home_timeline XML', async (t) => {
  const r = await xml(alice, '/api/statuses/home_timeline', { reqnum: 5 });
  t.equal(r.ret, '0');
  t.equal(r.msg, 'ok');
  t.equal(r.errcode, '0');
  t.equal(r.data.hasnext, '0');
  t.ok(Array.isArray(r.data.info) && r.data.info.length === 5, 'one <info> per tweet');
  t.same(r.data.info.map((i: any) => i.id), ids(HOME_SQL, ALICE, ALICE).slice(0, 5));
  for (const i of r.data.info) {
    t.equal(r.data.user[i.name], i.nick, '<user><name>nick</name></user>');
    t.match(i.timestamp, /^\d+$/);
  }
  t.match(r.data.timestamp, /^\d+$/);
});

/** Bad paging input common to every `time` timeline. */
async function pagingBadInput(t: Test, path: string, base: Record<string, string | number> = {}) {
  const cases: [Record<string, string | number>, RegExp][] = [
    [{ pageflag: 3 }, /pageflag/],
    [{ pageflag: 'down' }, /pageflag/],
    [{ reqnum: 0 }, /reqnum/],
    [{ reqnum: -5 }, /reqnum/],
    [{ reqnum: 'ten' }, /reqnum/],
    [{ pageflag: 1, pagetime: -1 }, /pagetime/],
    [{ pageflag: 1, pagetime: 'yesterday' }, /pagetime/],
    [{ pageflag: 1, pagetime: 1294000000, lastid: 'abc' }, /lastid/],
    [{ pageflag: 1, pagetime: 0, lastid: '100000000000010' }, /pagetime/],
  ];
  for (const [p, re] of cases) {
    const b = await get(alice, path, { ...base, ...p });
    t.match(b, { ret: 1, data: null }, `${path} ${JSON.stringify(p)} is ret 1`);
    t.match(b.msg, re, `msg names the parameter (${b.msg})`);
  }
  const x = await xml(alice, path, { ...base, reqnum: 0 });
  t.equal(x.ret, '1', 'XML error');
  t.match(x.msg, /reqnum/);
  // authentication
  const bad = (await signed(app, alice, { method: 'GET', path, params: base, signWithSecret: 'wrong' })).json();
  t.match(bad, { ret: 3, errcode: 9, data: null }, 'bad signature is ret 3');
  const anon = await app.inject({ method: 'GET', url: `${path}?format=json` });
  t.equal(anon.json().ret, 3, 'no OAuth parameters is ret 3');
}

t.test('T4 home_timeline bad input', (t) => pagingBadInput(t, '/api/statuses/home_timeline'));

// ---------------------------------------------------------------------------------- T5

t.test('T5 public_timeline JSON: pos is where the next call starts', async (t) => {
  const all = ids('SELECT id FROM tweets WHERE status = 0 ORDER BY timestamp DESC, id DESC');
  const b = await get(alice, '/api/statuses/public_timeline', { pos: 0, reqnum: 20 });
  assertWrapper(t, b, ['pos']);
  t.equal(b.data.pos, 20, 'seed example: pos 0, reqnum 20 → pos 20');
  t.equal(b.data.hasnext, 0);
  t.same(b.data.info.map((i: any) => i.id), all.slice(0, 20));
  const next = await get(alice, '/api/statuses/public_timeline', { pos: b.data.pos, reqnum: 7 });
  t.equal(next.data.pos, 27);
  t.same(next.data.info.map((i: any) => i.id), all.slice(20, 27));
  // the end
  const last = await get(alice, '/api/statuses/public_timeline', { pos: all.length - 3, reqnum: 20 });
  t.equal(last.data.info.length, 3);
  t.equal(last.data.hasnext, 1, 'no more');
  t.equal(last.data.pos, all.length);
  const past = await get(alice, '/api/statuses/public_timeline', { pos: all.length + 100 });
  t.match(past, { ret: 0, data: { hasnext: 1, info: [], pos: all.length + 100 } }, 'past the end: an empty page');
  t.equal((await get(alice, '/api/statuses/public_timeline', { reqnum: 500 })).data.info.length, 20, 'reqnum clamped to 20');
  t.equal((await get(alice, '/api/statuses/public_timeline', { pos: '999999999999999999' })).data.info.length, 0, 'a huge pos is just past the end');
});

t.test('T5 public_timeline XML', async (t) => {
  const r = await xml(alice, '/api/statuses/public_timeline', { pos: 3, reqnum: 4 });
  t.equal(r.ret, '0');
  t.equal(r.data.pos, '7');
  t.equal(r.data.info.length, 4);
  t.same(r.data.info.map((i: any) => i.id), ids('SELECT id FROM tweets WHERE status = 0 ORDER BY timestamp DESC, id DESC LIMIT 4 OFFSET 3'));
});

t.test('T5 public_timeline bad input', async (t) => {
  for (const [p, re] of [[{ pos: -1 }, /pos/], [{ pos: 'start' }, /pos/], [{ reqnum: 0 }, /reqnum/], [{ reqnum: '2x' }, /reqnum/]] as const) {
    const b = await get(alice, '/api/statuses/public_timeline', p);
    t.match(b, { ret: 1, data: null }, JSON.stringify(p));
    t.match(b.msg, re);
  }
  const x = await xml(alice, '/api/statuses/public_timeline', { pos: -3 });
  t.equal(x.ret, '1');
  t.match(x.msg, /pos/);
  t.equal((await signed(app, alice, { method: 'GET', path: '/api/statuses/public_timeline', signWithSecret: 'x' })).json().ret, 3);
});

// ---------------------------------------------------------------------------------- T6

t.test('T6 user_timeline JSON: the named user’s tweets and totalnum', async (t) => {
  const b = await get(alice, '/api/statuses/user_timeline', { name: 'bob', reqnum: 10 });
  assertWrapper(t, b, ['totalnum']);
  const expected = ids('SELECT id FROM tweets WHERE status = 0 AND user_id = ? ORDER BY timestamp DESC, id DESC', BOB);
  t.equal(b.data.totalnum, expected.length, 'totalnum counts the visible tweets');
  t.same(b.data.info.map((i: any) => i.id), expected.slice(0, 10));
  t.ok(b.data.info.every((i: any) => i.name === 'bob' && i.self === 0), 'all bob’s, not mine');
  const mine = await get(alice, '/api/statuses/user_timeline', { name: 'alice', reqnum: 2 });
  t.ok(mine.data.info.every((i: any) => i.self === 1), 'self = 1 on my own');
  const names = new Set<string>(mine.data.info.flatMap((i: any) => [i.name, ...(i.source ? [i.source.name] : [])]));
  t.same(Object.keys(mine.data.user), [...names].sort(), 'user maps exactly the authors on the page (and their sources)');
});

t.test('T6 user_timeline XML', async (t) => {
  const r = await xml(alice, '/api/statuses/user_timeline', { name: 'carol', reqnum: 2 });
  t.equal(r.ret, '0');
  t.equal(r.data.totalnum, String(count('SELECT COUNT(*) n FROM tweets WHERE status = 0 AND user_id = ?', userId(app, 'carol'))));
  t.equal(r.data.info.length, 2);
  t.equal(r.data.info[0].name, 'carol');
  t.equal(r.data.user.carol, 'Carol');
});

t.test('T6 user_timeline bad input', async (t) => {
  for (const [p, re] of [[{}, /name/], [{ name: '' }, /name/], [{ name: 'nobody_here' }, /name.*nobody_here/]] as const) {
    const b = await get(alice, '/api/statuses/user_timeline', p);
    t.match(b, { ret: 1, data: null }, JSON.stringify(p));
    t.match(b.msg, re);
  }
  await pagingBadInput(t, '/api/statuses/user_timeline', { name: 'bob' });
});

// ---------------------------------------------------------------------------------- T7

const MENTIONS_SQL = 'SELECT t.id FROM mentions m JOIN tweets t ON t.id = m.tweet_id WHERE m.user_id = ? AND t.status = 0 ORDER BY m.timestamp DESC, m.tweet_id DESC';

t.test('T7 mentions_timeline JSON: tweets that @mention me, totalnum', async (t) => {
  const b = await get(alice, '/api/statuses/mentions_timeline', { reqnum: 20 });
  assertWrapper(t, b, ['totalnum']);
  const expected = ids(MENTIONS_SQL, ALICE);
  t.ok(expected.length > 0, 'the seed mentions alice');
  t.equal(b.data.totalnum, expected.length);
  t.same(b.data.info.map((i: any) => i.id), expected.slice(0, 20));
});

t.test('T7 mentions_timeline XML', async (t) => {
  const r = await xml(alice, '/api/statuses/mentions_timeline', { reqnum: 1 });
  t.equal(r.ret, '0');
  // one item: the parser gives an object, not an array
  t.equal(r.data.info.id, ids(MENTIONS_SQL, ALICE)[0]);
  t.equal(r.data.totalnum, String(ids(MENTIONS_SQL, ALICE).length));
});

t.test('T7 mentions_timeline bad input', (t) => pagingBadInput(t, '/api/statuses/mentions_timeline'));

// ---------------------------------------------------------------------------------- T9 / T10

t.test('T9 broadcast_timeline JSON: my own tweets, totalnum', async (t) => {
  const b = await get(bob, '/api/statuses/broadcast_timeline', { reqnum: 15 });
  assertWrapper(t, b, ['totalnum']);
  const expected = ids('SELECT id FROM tweets WHERE status = 0 AND user_id = ? ORDER BY timestamp DESC, id DESC', BOB);
  t.equal(b.data.totalnum, expected.length);
  t.same(b.data.info.map((i: any) => i.id), expected.slice(0, 15));
  t.ok(b.data.info.every((i: any) => i.self === 1));
});

t.test('T9 broadcast_timeline XML', async (t) => {
  const r = await xml(alice, '/api/statuses/broadcast_timeline', { reqnum: 3 });
  t.equal(r.ret, '0');
  t.same(r.data.info.map((i: any) => i.name), ['alice', 'alice', 'alice']);
  t.same(r.data.info.map((i: any) => i.self), ['1', '1', '1']);
});

t.test('T9 broadcast_timeline bad input', (t) => pagingBadInput(t, '/api/statuses/broadcast_timeline'));

const SPECIAL_SQL = 'SELECT id FROM tweets WHERE status = 0 AND user_id IN (SELECT idol_id FROM follows WHERE fan_id = ? AND special = 1) ORDER BY timestamp DESC, id DESC';

t.test('T10 special_timeline JSON: tweets of specially-followed users', async (t) => {
  const b = await get(alice, '/api/statuses/special_timeline', { reqnum: 20 });
  assertWrapper(t, b, ['totalnum']);
  const expected = ids(SPECIAL_SQL, ALICE);
  t.equal(b.data.totalnum, expected.length);
  t.same(b.data.info.map((i: any) => i.id), expected.slice(0, 20));
  t.ok(b.data.info.some((i: any) => i.name === 'bob'), 'bob is special to alice');
});

t.test('T10 special_timeline XML', async (t) => {
  const r = await xml(alice, '/api/statuses/special_timeline', { reqnum: 2 });
  t.equal(r.ret, '0');
  t.same(r.data.info.map((i: any) => i.id), ids(SPECIAL_SQL, ALICE).slice(0, 2));
});

t.test('T10 special_timeline bad input', (t) => pagingBadInput(t, '/api/statuses/special_timeline'));

t.test('empty timelines are ret 0 with info [] (not data null)', async (t) => {
  // a user nobody follows specially and who follows no-one specially
  const lonely = (db.prepare('SELECT id, name FROM users WHERE id NOT IN (SELECT fan_id FROM follows WHERE special = 1) ORDER BY id LIMIT 1').get() as { id: number; name: string });
  const c = weiboCreds(app, lonely.name);
  const b = await get(c, '/api/statuses/special_timeline');
  t.match(b, { ret: 0, msg: 'ok', data: { hasnext: 1, info: [], totalnum: 0, user: {} } });
  const r = await xml(c, '/api/statuses/special_timeline');
  t.equal(r.ret, '0');
  t.equal(r.data.hasnext, '1');
  t.equal(r.data.info, undefined, 'no <info> element');
  // paging up from the newest item: nothing newer
  const top = (await get(alice, '/api/statuses/home_timeline', { reqnum: 1 })).data.info[0];
  const up = await get(alice, '/api/statuses/home_timeline', { pageflag: 2, pagetime: top.timestamp, lastid: top.id });
  t.match(up, { ret: 0, data: { hasnext: 1, info: [] } }, 'nothing newer than the top');
});

// ---------------------------------------------------------------------------------- T8

t.test('T8 ht_timeline JSON: topic id, isfav, totalnum, pageinfo, hasnext', async (t) => {
  const topic = db.prepare("SELECT id FROM topics WHERE text = '读书会'").get() as { id: number };
  const expected = ids(
    'SELECT t.id FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id WHERE tt.topic_id = ? AND t.status = 0 ORDER BY tt.timestamp DESC, tt.tweet_id DESC',
    topic.id,
  );
  const b = await get(alice, '/api/statuses/ht_timeline', { httext: '读书会', pageflag: 1, pageinfo: '', reqnum: 10 });
  assertWrapper(t, b, ['id', 'isfav', 'pageinfo', 'totalnum']);
  t.equal(b.data.id, String(topic.id), 'topic id as a string');
  t.equal(b.data.totalnum, expected.length);
  t.same(b.data.info.map((i: any) => i.id), expected.slice(0, 10));
  t.ok(b.data.info.every((i: any) => i.origtext.includes('#读书会#')));
  t.equal(b.data.hasnext, 2, 'first page: cannot go up, can go down');
  t.match(b.data.pageinfo, /^[0-9a-f]+$/, 'opaque pageinfo');
  t.equal(b.data.isfav, count('SELECT COUNT(*) n FROM fav_topics WHERE user_id = ? AND topic_id = ?', ALICE, topic.id));
  // '#读书会#' names the same topic; pageflag 4 = first page
  const same = await get(alice, '/api/statuses/ht_timeline', { httext: '#读书会#', pageflag: 4, reqnum: 10 });
  t.same(same.data.info.map((i: any) => i.id), expected.slice(0, 10));
  // next page, then previous page back
  const next = await get(alice, '/api/statuses/ht_timeline', { httext: '读书会', pageflag: 1, pageinfo: b.data.pageinfo, reqnum: 10 });
  t.same(next.data.info.map((i: any) => i.id), expected.slice(10, 20));
  t.equal(next.data.hasnext, 0, 'middle page: both ways');
  const prev = await get(alice, '/api/statuses/ht_timeline', { httext: '读书会', pageflag: 2, pageinfo: next.data.pageinfo, reqnum: 10 });
  t.same(prev.data.info.map((i: any) => i.id), expected.slice(0, 10));
  t.equal(prev.data.hasnext, 2);
  // pageflag 3: the last page
  const lastPage = await get(alice, '/api/statuses/ht_timeline', { httext: '读书会', pageflag: 3, reqnum: 10 });
  t.same(lastPage.data.info.map((i: any) => i.id), expected.slice(-10));
  t.equal(lastPage.data.hasnext, 1, 'last page: cannot go down');
  const all = await get(alice, '/api/statuses/ht_timeline', { httext: '读书会', reqnum: 20 });
  t.equal(all.data.info.length, Math.min(20, expected.length));
});

t.test('T8 ht_timeline XML', async (t) => {
  const r = await xml(alice, '/api/statuses/ht_timeline', { httext: '美食', reqnum: 3 });
  t.equal(r.ret, '0');
  t.equal(r.data.id, String((db.prepare("SELECT id FROM topics WHERE text = '美食'").get() as { id: number }).id));
  t.equal(r.data.info.length, 3);
  t.equal(r.data.hasnext, '2');
  t.match(r.data.pageinfo, /^[0-9a-f]+$/);
  t.match(r.data.isfav, /^[01]$/);
  t.match(r.data.totalnum, /^\d+$/);
});

t.test('T8 ht_timeline: an unknown topic is an empty topic page', async (t) => {
  const b = await get(alice, '/api/statuses/ht_timeline', { httext: '从来没有人用过的话题' });
  t.same(b.data, { hasnext: 3, id: '0', info: [], isfav: 0, pageinfo: '', timestamp: b.data.timestamp, totalnum: 0, user: {} });
  t.equal(b.ret, 0);
});

t.test('T8 ht_timeline bad input', async (t) => {
  const first = (await get(alice, '/api/statuses/ht_timeline', { httext: '美食', reqnum: 2 })).data.pageinfo;
  const cases: [Record<string, string | number>, RegExp][] = [
    [{}, /httext/],
    [{ httext: '' }, /httext/],
    [{ httext: '##' }, /httext/],
    [{ httext: '美食', pageflag: 5 }, /pageflag/],
    [{ httext: '美食', pageflag: 'next' }, /pageflag/],
    [{ httext: '美食', reqnum: 0 }, /reqnum/],
    [{ httext: '美食', pageflag: 1, pageinfo: 'not-a-pageinfo' }, /pageinfo/],
    [{ httext: '美食', pageflag: 1, pageinfo: 'abcdef' }, /pageinfo/],
    [{ httext: '读书会', pageflag: 1, pageinfo: first }, /pageinfo/],
  ];
  for (const [p, re] of cases) {
    const b = await get(alice, '/api/statuses/ht_timeline', p);
    t.match(b, { ret: 1, data: null }, JSON.stringify(p));
    t.match(b.msg, re, b.msg);
  }
  const x = await xml(alice, '/api/statuses/ht_timeline', {});
  t.equal(x.ret, '1');
  t.match(x.msg, /httext/);
  t.equal((await signed(app, alice, { method: 'GET', path: '/api/statuses/ht_timeline', params: { httext: '美食' }, signWithSecret: 'x' })).json().ret, 3);
});

// ---------------------------------------------------------------------------------- writes → reads

t.test('a new tweet reaches home (fans), special, broadcast, user, mentions and topic timelines; t/del removes it', async (t) => {
  const before = {
    user: (await get(alice, '/api/statuses/user_timeline', { name: 'bob', reqnum: 1 })).data.totalnum,
    mentions: (await get(carol, '/api/statuses/mentions_timeline', { reqnum: 1 })).data.totalnum,
    special: (await get(alice, '/api/statuses/special_timeline', { reqnum: 1 })).data.totalnum,
  };
  const id = await add(bob, '#新鲜话题# 你好 @carol');
  const top = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}) => (await get(c, path, { reqnum: 1, ...params })).data;
  t.equal((await top(alice, '/api/statuses/home_timeline')).info[0].id, id, 'top of a fan’s home');
  t.equal((await top(alice, '/api/statuses/special_timeline')).info[0].id, id, 'top of a special fan’s special timeline');
  t.equal((await top(bob, '/api/statuses/home_timeline')).info[0].id, id, 'top of the author’s own home');
  const bc = await top(bob, '/api/statuses/broadcast_timeline');
  t.equal(bc.info[0].id, id, 'top of broadcast_timeline');
  t.equal(bc.info[0].self, 1);
  const ut = await top(alice, '/api/statuses/user_timeline', { name: 'bob' });
  t.equal(ut.info[0].id, id);
  t.equal(ut.totalnum, before.user + 1, 'user_timeline totalnum +1');
  const mt = await top(carol, '/api/statuses/mentions_timeline');
  t.equal(mt.info[0].id, id, 'top of the mentioned user’s mentions');
  t.equal(mt.totalnum, before.mentions + 1);
  t.equal((await top(alice, '/api/statuses/special_timeline')).totalnum, before.special + 1);
  t.equal((await top(alice, '/api/statuses/public_timeline', { pos: 0 })).info[0].id, id, 'top of public_timeline');
  const ht = await top(alice, '/api/statuses/ht_timeline', { httext: '新鲜话题' });
  t.equal(ht.info[0].id, id, 'the new topic’s timeline');
  t.equal(ht.totalnum, 1);
  t.equal(ht.hasnext, 3, 'one tweet: neither way');
  t.not(ht.id, '0');
  // someone who does not follow bob does not see it
  const stranger = db.prepare('SELECT name FROM users WHERE id NOT IN (SELECT fan_id FROM follows WHERE idol_id = ?) AND id != ? ORDER BY id LIMIT 1').get(BOB, BOB) as { name: string };
  const sc = weiboCreds(app, stranger.name);
  const sh = await get(sc, '/api/statuses/home_timeline', { reqnum: 20 });
  t.notOk(sh.data.info.some((i: any) => i.id === id), `${stranger.name} does not follow bob`);

  // delete: gone everywhere
  const del = await post(bob, '/api/t/del', { id });
  t.equal(del.ret, 0);
  t.not((await top(alice, '/api/statuses/home_timeline')).info[0].id, id, 'gone from home');
  t.not((await top(bob, '/api/statuses/broadcast_timeline')).info[0]?.id, id, 'gone from broadcast');
  t.equal((await top(alice, '/api/statuses/user_timeline', { name: 'bob' })).totalnum, before.user);
  t.equal((await top(carol, '/api/statuses/mentions_timeline')).totalnum, before.mentions);
  const ht2 = await top(alice, '/api/statuses/ht_timeline', { httext: '新鲜话题' });
  t.same(ht2.info, [], 'topic timeline empty');
  t.equal(ht2.totalnum, 0);
});

t.test('a repost shows its source in the timeline wrapper and the user map', async (t) => {
  const orig = await add(carol, 'original by carol');
  const b = await post(bob, '/api/t/re_add', { content: 'look', reid: orig });
  t.equal(b.ret, 0);
  const home = (await get(alice, '/api/statuses/home_timeline', { reqnum: 2 })).data;
  t.equal(home.info[0].id, b.data.id);
  t.equal(home.info[0].type, 2);
  t.equal(home.info[0].source.id, orig);
  t.equal(home.info[0].source.name, 'carol');
  t.equal(home.user.carol, 'Carol');
  t.equal(home.user.bob, '鲍勃');
});
