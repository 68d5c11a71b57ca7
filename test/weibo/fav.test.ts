// T49–T54: fav/addt, fav/delt, fav/list_t (`favtime` paging), fav/addht, fav/delht, fav/list_ht.
import t from 'tap';
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const creds: Record<string, WeiboCreds> = {};
for (const n of ['alice', 'bob', 'carol']) creds[n] = weiboCreds(app, n);
const ALICE = userId(app, 'alice');
const BOB = userId(app, 'bob');

type Body = { ret: number; errcode: number; msg: string; data: any };
const post = async (who: string, path: string, params: Record<string, string | number>): Promise<Body> =>
  (await signed(app, creds[who], { method: 'POST', path, params: { format: 'json', ...params } })).json();
const get = async (who: string, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, creds[who], { method: 'GET', path, params: { format: 'json', ...params } })).json();
const xmlOf = async (who: string, method: 'GET' | 'POST', path: string, params: Record<string, string | number>) =>
  parseXml((await signed(app, creds[who], { method, path, params: { format: 'xml', ...params } })).body) as { root: { ret: string; errcode: string; msg: string; data: any } };
const arr = <T>(x: T | T[] | undefined | ''): T[] => (x === undefined || x === '' ? [] : Array.isArray(x) ? x : [x]);

/** Visible tweets alice has not favourited yet. */
function unfavourited(n: number, uid = ALICE): number[] {
  return (
    app.world.db
      .prepare('SELECT id FROM tweets WHERE status = 0 AND id NOT IN (SELECT tweet_id FROM fav_tweets WHERE user_id = ?) ORDER BY id DESC LIMIT ?')
      .all(uid, n) as { id: number }[]
  ).map((r) => r.id);
}
const expectedFavs = (uid = ALICE) =>
  (app.world.db.prepare('SELECT tweet_id FROM fav_tweets WHERE user_id = ? ORDER BY storetime DESC, tweet_id DESC').all(uid) as { tweet_id: number }[]).map((r) => String(r.tweet_id));
const expectedTopics = (uid = ALICE) =>
  (app.world.db.prepare('SELECT topic_id FROM fav_topics WHERE user_id = ? ORDER BY storetime DESC, topic_id DESC').all(uid) as { topic_id: number }[]).map((r) => String(r.topic_id));
const favnum = async (who = 'alice') => (await get(who, '/api/user/info')).data.favnum as number;

t.test('T49 fav/addt JSON: {id}; favnum and list_t follow', async (t) => {
  const [id] = unfavourited(1);
  const before = await favnum();
  const storedFrom = app.world.now();
  const r = await post('alice', '/api/fav/addt', { id });
  t.equal(r.ret, 0, r.msg);
  t.same(r.data, { id: String(id) });
  t.equal(await favnum(), before + 1, 'user/info favnum +1');
  const list = await get('alice', '/api/fav/list_t', { pageflag: 0, reqnum: 5 });
  t.equal(list.ret, 0);
  t.equal(list.data.totalnum, before + 1, 'list total = favnum');
  const first = list.data.info[0];
  t.equal(first.id, String(id), 'the newest favourite is on top');
  t.type(first.storetime, 'string', 'storetime is a string of unix seconds');
  t.ok(Number(first.storetime) >= storedFrom && Number(first.storetime) <= app.world.now(), 'storetime = when it was stored');
  t.type(first.timestamp, 'number');
  const tw = app.world.tweets.get(id)!;
  t.equal(first.origtext, tw.origtext);
  t.equal(list.data.user[first.name], first.nick);
  // favouriting again is accepted and keeps one row
  const again = await post('alice', '/api/fav/addt', { id });
  t.equal(again.ret, 0);
  t.equal(await favnum(), before + 1, 'no duplicate');
});

t.test('T49 fav/addt XML', async (t) => {
  const [id] = unfavourited(1);
  const x = await xmlOf('alice', 'POST', '/api/fav/addt', { id });
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.id, String(id));
  t.ok(expectedFavs().includes(String(id)));
});

t.test('T49 fav/addt bad input', async (t) => {
  const before = await favnum();
  let r = await post('alice', '/api/fav/addt', {});
  t.match(r, { ret: 1, data: null });
  t.match(r.msg, /\bid\b/);
  r = await post('alice', '/api/fav/addt', { id: 'abc' });
  t.equal(r.ret, 1);
  t.match(r.msg, /\bid\b/);
  r = await post('alice', '/api/fav/addt', { id: '999999999999999' });
  t.match(r, { ret: 4, errcode: 6 }, 'no such tweet');
  const gone = app.world.tweets.post({ userId: BOB, type: 1, content: `doomed ${Date.now()}` });
  app.world.tweets.delete(BOB, gone.id);
  r = await post('alice', '/api/fav/addt', { id: gone.id });
  t.match(r, { ret: 4, errcode: 6 }, 'deleted tweet');
  t.equal(await favnum(), before, 'nothing stored');
  const bad = await signed(app, creds.alice, { method: 'POST', path: '/api/fav/addt', params: { id: unfavourited(1)[0] }, signWithSecret: 'x' });
  t.match(bad.json(), { ret: 3, data: null });
});

t.test('T50 fav/delt JSON and XML; favnum equals the list total after each write', async (t) => {
  const [a, b] = unfavourited(2);
  for (const id of [a, b]) {
    app.world.clock.advance(1); // b is stored a second after a: the newest favourite
    t.equal((await post('alice', '/api/fav/addt', { id })).ret, 0);
  }
  const n0 = await favnum();
  t.equal((await get('alice', '/api/fav/list_t')).data.totalnum, n0);
  const r = await post('alice', '/api/fav/delt', { id: a });
  t.equal(r.ret, 0, r.msg);
  t.same(r.data, { id: String(a) });
  t.equal(await favnum(), n0 - 1);
  let list = await get('alice', '/api/fav/list_t', { reqnum: 20 });
  t.equal(list.data.totalnum, n0 - 1);
  t.notOk(list.data.info.some((i: { id: string }) => i.id === String(a)), 'gone from the list');
  t.equal(list.data.info[0].id, String(b));
  const x = await xmlOf('alice', 'POST', '/api/fav/delt', { id: b });
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.id, String(b));
  t.equal(await favnum(), n0 - 2);
  list = await get('alice', '/api/fav/list_t');
  t.equal(list.data.totalnum, n0 - 2);
  t.equal(list.data.totalnum, expectedFavs().length);
});

t.test('T50 fav/delt bad input', async (t) => {
  let r = await post('alice', '/api/fav/delt', {});
  t.match(r, { ret: 1, data: null });
  t.match(r.msg, /\bid\b/);
  r = await post('alice', '/api/fav/delt', { id: '12x' });
  t.equal(r.ret, 1);
  const [notFav] = unfavourited(1);
  r = await post('alice', '/api/fav/delt', { id: notFav });
  t.match(r, { ret: 4, errcode: 6 }, 'not in the favourites');
  // bob's favourite is not alice's to remove
  const bobs = expectedFavs(BOB)[0] ?? String(unfavourited(1, BOB)[0]);
  if (!expectedFavs(BOB).includes(bobs)) await post('bob', '/api/fav/addt', { id: bobs });
  if (expectedFavs().includes(bobs)) await post('alice', '/api/fav/delt', { id: bobs });
  r = await post('alice', '/api/fav/delt', { id: bobs });
  t.match(r, { ret: 4, errcode: 6 });
  t.ok(expectedFavs(BOB).includes(bobs), "bob's favourite untouched");
});

t.test('T51 a favourite whose tweet is deleted stays listed (status 3, empty text) and counted', async (t) => {
  const tw = app.world.tweets.post({ userId: BOB, type: 1, content: `fav then delete ${Date.now()}` });
  t.equal((await post('alice', '/api/fav/addt', { id: tw.id })).ret, 0);
  app.world.tweets.delete(BOB, tw.id);
  const list = await get('alice', '/api/fav/list_t', { reqnum: 3 });
  t.equal(list.data.info[0].id, String(tw.id));
  t.equal(list.data.info[0].status, 3);
  t.equal(list.data.info[0].origtext, '');
  t.equal(list.data.totalnum, await favnum());
  t.equal((await post('alice', '/api/fav/delt', { id: tw.id })).ret, 0, 'and can still be removed');
});

t.test('T51 fav/list_t JSON wrapper and XML', async (t) => {
  const j = await get('alice', '/api/fav/list_t', { pageflag: 0, pagetime: 0, lastid: 0, reqnum: 6 });
  t.equal(j.ret, 0);
  t.same(Object.keys(j.data), ['hasnext', 'info', 'nexttime', 'prevtime', 'timestamp', 'totalnum', 'user']);
  t.equal(j.data.hasnext, 0);
  t.equal(j.data.info.length, 6);
  t.same(j.data.info.map((i: { id: string }) => i.id), expectedFavs().slice(0, 6));
  t.equal(j.data.prevtime, Number(j.data.info[0].storetime), 'prevtime = first storetime');
  t.equal(j.data.nexttime, Number(j.data.info[5].storetime), 'nexttime = last storetime');
  t.type(j.data.nexttime, 'number');
  for (const i of j.data.info) {
    t.type(i.storetime, 'string');
    t.match(i.storetime, /^\d+$/);
    t.match(i.id, /^\d+$/);
  }
  const x = await xmlOf('alice', 'GET', '/api/fav/list_t', { reqnum: 4 });
  t.equal(x.root.ret, '0');
  const info = arr(x.root.data.info) as { id: string; storetime: string }[];
  t.same(info.map((i) => i.id), expectedFavs().slice(0, 4));
  t.equal(info[0].storetime, j.data.info[0].storetime);
  t.equal(x.root.data.prevtime, String(j.data.prevtime));
  t.equal(x.root.data.totalnum, String(j.data.totalnum));
});

t.test('T51 fav/list_t bad input', async (t) => {
  for (const [params, name] of [
    [{ pageflag: 4 }, 'pageflag'],
    [{ reqnum: 0 }, 'reqnum'],
    [{ reqnum: 'many' }, 'reqnum'],
    [{ pageflag: 1, pagetime: -1 }, 'pagetime'],
    [{ pageflag: 1, nexttime: 'soon' }, 'nexttime'],
    [{ pageflag: 2, prevtime: 'x' }, 'prevtime'],
    [{ pageflag: 1, pagetime: 1300000000, lastid: '-4' }, 'lastid'],
  ] as const) {
    const r = await get('alice', '/api/fav/list_t', params);
    t.equal(r.ret, 1, JSON.stringify(params));
    t.match(r.msg, new RegExp(name));
    t.equal(r.data, null);
  }
  const big = await get('alice', '/api/fav/list_t', { reqnum: 99 });
  t.equal(big.data.info.length, 20, 'reqnum clamped to 20');
});

t.test('T51 fav/list_t walked down with nexttime and back up with prevtime: every favourite once', async (t) => {
  // a burst of favourites stored in one second
  const clock = app.world.clock;
  clock.set(clock.now() + 5, true);
  for (const id of unfavourited(5)) t.equal((await post('alice', '/api/fav/addt', { id })).ret, 0);
  clock.reset();
  const expected = expectedFavs();
  t.ok(expected.length > 30, `enough favourites (${expected.length})`);
  const reqnum = 3;
  const pages: string[][] = [];
  let r = await get('alice', '/api/fav/list_t', { pageflag: 0, reqnum });
  for (let guard = 0; guard < 200; guard++) {
    t.equal(r.ret, 0);
    const info = r.data.info as { id: string }[];
    pages.push(info.map((i) => i.id));
    if (r.data.hasnext === 1 || !info.length) break;
    // alternate the two documented spellings of the anchor
    const anchor: Record<string, number> = guard % 2 ? { pagetime: r.data.nexttime } : { nexttime: r.data.nexttime };
    r = await get('alice', '/api/fav/list_t', { pageflag: 1, reqnum, lastid: info[info.length - 1].id, ...anchor });
  }
  t.same(pages.flat(), expected, 'down: the store’s favourites, newest first, once each');
  const storeOf = (id: string) => (app.world.db.prepare('SELECT storetime FROM fav_tweets WHERE user_id = ? AND tweet_id = ?').get(ALICE, Number(id)) as { storetime: number }).storetime;
  t.equal(storeOf(pages[0][2]), storeOf(pages[1][0]), 'a page boundary falls inside the same-second burst');

  const bottom = pages[pages.length - 1];
  // start from the bottom page's prevtime and first id
  const bottomStore = app.world.db.prepare('SELECT storetime FROM fav_tweets WHERE user_id = ? AND tweet_id = ?').get(ALICE, Number(bottom[0])) as { storetime: number };
  let anchor: Record<string, string | number> = { prevtime: bottomStore.storetime, lastid: bottom[0] };
  const up: string[][] = [];
  for (let guard = 0; guard < 200; guard++) {
    const res = await get('alice', '/api/fav/list_t', { pageflag: 2, reqnum, ...anchor });
    t.equal(res.ret, 0);
    const info = res.data.info as { id: string }[];
    if (info.length) up.unshift(info.map((i) => i.id));
    if (res.data.hasnext === 1 || !info.length) break;
    anchor = guard % 2 ? { pagetime: res.data.prevtime, lastid: info[0].id } : { prevtime: res.data.prevtime, lastid: info[0].id };
  }
  t.same([...up.flat(), ...bottom], expected, 'up: every favourite above the bottom page, once each');
});

t.test('T52 fav/addht JSON and XML; list_ht shows it with favnum and tweetnum', async (t) => {
  const topics = (app.world.db.prepare('SELECT id FROM topics WHERE id NOT IN (SELECT topic_id FROM fav_topics WHERE user_id = ?) ORDER BY id').all(ALICE) as { id: number }[]).map((r) => r.id);
  t.ok(topics.length >= 2);
  const [a, b] = topics;
  const favnumOf = (id: number) => (app.world.db.prepare('SELECT COUNT(*) n FROM fav_topics WHERE topic_id = ?').get(id) as { n: number }).n;
  const before = favnumOf(a);
  const storedFrom = app.world.now();
  const r = await post('alice', '/api/fav/addht', { id: a });
  t.equal(r.ret, 0, r.msg);
  t.same(r.data, { id: String(a) });
  t.type(r.data.id, 'string');
  const list = await get('alice', '/api/fav/list_ht', { reqnum: 15 });
  t.equal(list.ret, 0);
  const top = list.data.info[0];
  t.same(Object.keys(top), ['favnum', 'id', 'text', 'timestamp', 'tweetnum']);
  t.equal(top.id, String(a));
  t.equal(top.favnum, before + 1);
  t.ok(top.timestamp >= storedFrom && top.timestamp <= app.world.now(), 'timestamp = when it was stored');
  const tweetnum = (app.world.db.prepare('SELECT COUNT(*) n FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id WHERE tt.topic_id = ? AND t.status = 0').get(a) as { n: number }).n;
  t.equal(top.tweetnum, tweetnum);
  t.equal(top.text, (app.world.db.prepare('SELECT text FROM topics WHERE id = ?').get(a) as { text: string }).text);
  // another user favouriting the same topic raises favnum
  if (!expectedTopics(BOB).includes(String(a))) {
    t.equal((await post('bob', '/api/fav/addht', { id: a })).ret, 0);
    const again = await get('alice', '/api/fav/list_ht');
    t.equal(again.data.info.find((i: { id: string }) => i.id === String(a)).favnum, before + 2);
  }
  const x = await xmlOf('alice', 'POST', '/api/fav/addht', { id: b });
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.id, String(b));
  t.equal(expectedTopics()[0], String(b));
  t.equal((await post('alice', '/api/fav/addht', { id: b })).ret, 0, 'favouriting twice is accepted');
  t.equal(expectedTopics().filter((i) => i === String(b)).length, 1);
});

t.test('T52 fav/addht bad input', async (t) => {
  let r = await post('alice', '/api/fav/addht', {});
  t.match(r, { ret: 1, data: null });
  t.match(r.msg, /\bid\b/);
  r = await post('alice', '/api/fav/addht', { id: '#开放平台#' });
  t.equal(r.ret, 1);
  r = await post('alice', '/api/fav/addht', { id: 987654321 });
  t.match(r, { ret: 4, errcode: 6 }, 'no such topic');
});

t.test('T53 fav/delht JSON and XML, and bad input', async (t) => {
  const [a, b] = expectedTopics();
  t.ok(a && b);
  const n = expectedTopics().length;
  const r = await post('alice', '/api/fav/delht', { id: a });
  t.equal(r.ret, 0, r.msg);
  t.same(r.data, { id: a });
  const list = await get('alice', '/api/fav/list_ht');
  t.notOk(list.data.info.some((i: { id: string }) => i.id === a), 'gone from list_ht');
  t.equal(list.data.totalnum, n - 1);
  const x = await xmlOf('alice', 'POST', '/api/fav/delht', { id: b });
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.id, b);
  t.equal(expectedTopics().length, n - 2);
  let e = await post('alice', '/api/fav/delht', { id: b });
  t.match(e, { ret: 4, errcode: 6 }, 'not a favourite any more');
  e = await post('alice', '/api/fav/delht', {});
  t.equal(e.ret, 1);
  t.match(e.msg, /\bid\b/);
  e = await post('alice', '/api/fav/delht', { id: 'one' });
  t.equal(e.ret, 1);
});

t.test('T54 fav/list_ht XML and bad input', async (t) => {
  const x = await xmlOf('alice', 'GET', '/api/fav/list_ht', { reqnum: 15 });
  t.equal(x.root.ret, '0');
  const info = arr(x.root.data.info) as { id: string; favnum: string; tweetnum: string; text: string; timestamp: string }[];
  t.same(info.map((i) => i.id), expectedTopics().slice(0, 15));
  for (const i of info) {
    t.match(i.favnum, /^\d+$/);
    t.match(i.tweetnum, /^\d+$/);
    t.match(i.timestamp, /^\d+$/);
    t.ok(i.text.length > 0);
  }
  for (const [params, name] of [
    [{ reqnum: 0 }, 'reqnum'],
    [{ pageflag: 9 }, 'pageflag'],
    [{ pageflag: 1, pagetime: 'x' }, 'pagetime'],
    [{ pageflag: 1, pagetime: 5, lastid: 'y' }, 'lastid'],
  ] as const) {
    const r = await get('alice', '/api/fav/list_ht', params);
    t.equal(r.ret, 1, JSON.stringify(params));
    t.match(r.msg, new RegExp(name));
  }
});

t.test('T54 fav/list_ht: reqnum at most 15; walked down and back up gives every topic once', async (t) => {
  // more topics than one page: post tweets with new topics, favourite them (some in one second)
  const clock = app.world.clock;
  const ids: number[] = [];
  for (let i = 0; i < 22; i++) {
    const tw = app.world.tweets.post({ userId: BOB, type: 1, content: `#收藏话题${i}# text ${i} ${Date.now()}` });
    const topic = app.world.db.prepare('SELECT topic_id FROM tweet_topics WHERE tweet_id = ?').get(tw.id) as { topic_id: number };
    ids.push(topic.topic_id);
  }
  clock.set(clock.now() + 3, true);
  for (const id of ids) {
    if (id % 4 === 0) clock.advance(1);
    t.equal((await post('alice', '/api/fav/addht', { id })).ret, 0);
  }
  clock.reset();
  const expected = expectedTopics();
  t.ok(expected.length > 20);
  const big = await get('alice', '/api/fav/list_ht', { reqnum: 50 });
  t.equal(big.ret, 0);
  t.equal(big.data.info.length, 15, 'clamped to 15');
  t.equal(big.data.hasnext, 0);

  const reqnum = 4;
  const pages: { id: string; timestamp: number }[][] = [];
  let r = await get('alice', '/api/fav/list_ht', { pageflag: 0, reqnum });
  for (let guard = 0; guard < 100; guard++) {
    const info = r.data.info as { id: string; timestamp: number }[];
    pages.push(info);
    if (r.data.hasnext === 1 || !info.length) break;
    const last = info[info.length - 1];
    r = await get('alice', '/api/fav/list_ht', { pageflag: 1, reqnum, pagetime: last.timestamp, lastid: last.id });
  }
  t.same(pages.flat().map((i) => i.id), expected, 'down: every favourite topic once, newest first');
  t.equal(r.data.totalnum, expected.length);

  const bottom = pages[pages.length - 1];
  let anchor = { pagetime: bottom[0].timestamp, lastid: bottom[0].id };
  const up: string[][] = [];
  for (let guard = 0; guard < 100; guard++) {
    const res = await get('alice', '/api/fav/list_ht', { pageflag: 2, reqnum, ...anchor });
    const info = res.data.info as { id: string; timestamp: number }[];
    if (info.length) {
      up.unshift(info.map((i) => i.id));
      anchor = { pagetime: info[0].timestamp, lastid: info[0].id };
    }
    if (res.data.hasnext === 1 || !info.length) break;
  }
  t.same([...up.flat(), ...bottom.map((i) => i.id)], expected, 'up: every topic above the bottom page once');
});
