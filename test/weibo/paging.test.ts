// Walks every paged read of open.t.qq.com to its end and back, and checks the pages against
// the store: `time` timelines (T4 home, T6 user, T7 mentions, T9 broadcast, T10 special)
// down with pageflag 1 and up with pageflag 2, T5 public_timeline by pos, T8 ht_timeline
// by pageinfo in both directions, T44–T46 search by page. Ties on one second (seeded, and
// a group larger than a page) must never lose or repeat a record.
import t, { type Test } from 'tap';
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;

const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const db = app.world.db;
const ALICE = userId(app, 'alice');
const BOB = userId(app, 'bob');

type Item = { id: string; timestamp: number };
type Body = { ret: number; errcode: number; msg: string; data: any };

async function get(c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> {
  const res = await signed(app, c, { method: 'GET', path, params: { format: 'json', ...params } });
  if (res.statusCode !== 200) throw new Error(`${path} answered HTTP ${res.statusCode}`);
  const b = res.json() as Body;
  if (b.ret !== 0) throw new Error(`${path} ${JSON.stringify(params)} answered ${JSON.stringify(b)}`);
  return b;
}
/** The same call in XML, converted back to the JSON shape the walk needs. */
async function getXml(c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> {
  const res = await signed(app, c, { method: 'GET', path, params: { ...params, format: 'xml' } });
  const r = (parseXml(res.body) as { root: any }).root;
  if (r.ret !== '0') throw new Error(`${path} answered ${res.body}`);
  const info = r.data.info === undefined ? [] : Array.isArray(r.data.info) ? r.data.info : [r.data.info];
  return {
    ret: 0,
    errcode: 0,
    msg: r.msg,
    data: { hasnext: Number(r.data.hasnext), info: info.map((i: any) => ({ id: i.id, timestamp: Number(i.timestamp) })) },
  };
}

const idsOf = (sql: string, ...a: unknown[]) => (db.prepare(sql).all(...a) as { id: number }[]).map((r) => String(r.id));
const sorted = (xs: string[]) => [...xs].sort();
const newer = (a: Item, b: Item) => a.timestamp > b.timestamp || (a.timestamp === b.timestamp && BigInt(a.id) > BigInt(b.id));

function assertNewestFirst(t: Test, items: Item[], what: string): boolean {
  for (let i = 1; i < items.length; i++) {
    if (!newer(items[i - 1], items[i])) {
      t.fail(`${what}: ${items[i - 1].id}@${items[i - 1].timestamp} before ${items[i].id}@${items[i].timestamp}`);
      return false;
    }
  }
  return true;
}

function assertExactly(t: Test, got: string[], expected: string[], what: string) {
  t.equal(new Set(got).size, got.length, `${what}: no duplicates`);
  t.same(sorted(got), sorted(expected), `${what}: exactly the store's rows (${expected.length})`);
}

// ---------------------------------------------------------------------------------------
// ties: seeded ones, plus groups on one second larger than a page

/** A second in the middle of a user's seeded history. */
const midSecond = (uid: number, offset: number) =>
  (db.prepare('SELECT timestamp FROM tweets WHERE user_id = ? ORDER BY timestamp, id LIMIT 1 OFFSET ?').get(uid, offset) as { timestamp: number }).timestamp;

const ALICE_TIE = midSecond(ALICE, 150);
const BOB_TIE = midSecond(BOB, 30);
for (let i = 0; i < 25; i++) app.world.tweets.post({ userId: ALICE, type: 1, content: `同一秒 alice ${i}`, timestamp: ALICE_TIE, skipRules: true });
for (let i = 0; i < 23; i++) app.world.tweets.post({ userId: BOB, type: 1, content: `同一秒 bob ${i} @alice #读书会#`, timestamp: BOB_TIE, skipRules: true });

t.test('the world has ties on one second to page through', async (t) => {
  const seededTies = (db.prepare('SELECT COUNT(*) n FROM (SELECT timestamp FROM tweets WHERE id < 100000000003001 GROUP BY timestamp HAVING COUNT(*) > 1)').get() as { n: number }).n;
  t.ok(seededTies > 100, `seeded ties: ${seededTies} seconds carry several tweets`);
  t.equal((db.prepare('SELECT COUNT(*) n FROM tweets WHERE timestamp = ? AND user_id = ?').get(ALICE_TIE, ALICE) as { n: number }).n >= 25, true);
});

// ---------------------------------------------------------------------------------------
// `time` timelines

interface Walk {
  down: Item[];
  downPages: Item[][];
  up: Item[];
  upPages: Item[][];
  /** page boundaries that fell inside one second */
  splitTies: number;
}

type Getter = (c: WeiboCreds, path: string, params: Record<string, string | number>) => Promise<Body>;

/**
 * First page, then pageflag 1 with (pagetime, lastid) of the last item until hasnext 1;
 * then from the bottom item pageflag 2 with (pagetime, lastid) of the first item of the
 * page just read until hasnext 1.
 */
async function walkTime(t: Test, c: WeiboCreds, path: string, extra: Record<string, string | number>, reqnum: number, fetch: Getter = get): Promise<Walk> {
  const downPages: Item[][] = [];
  let b = await fetch(c, path, { ...extra, pageflag: 0, pagetime: 0, lastid: 0, reqnum });
  downPages.push(b.data.info);
  let guard = 0;
  while (b.data.hasnext === 0) {
    if (++guard > 2000) throw new Error('no end in sight');
    const last = b.data.info[b.data.info.length - 1];
    b = await fetch(c, path, { ...extra, pageflag: 1, pagetime: last.timestamp, lastid: last.id, reqnum });
    downPages.push(b.data.info);
  }
  t.equal(b.data.hasnext, 1, 'the last page down says no more');
  const down = downPages.flat();
  const upPages: Item[][] = [];
  let anchor = down[down.length - 1];
  for (guard = 0; ; ) {
    if (++guard > 2000) throw new Error('no top in sight');
    b = await fetch(c, path, { ...extra, pageflag: 2, pagetime: anchor.timestamp, lastid: anchor.id, reqnum });
    upPages.push(b.data.info);
    if (b.data.info.length) anchor = b.data.info[0];
    if (b.data.hasnext !== 0) break;
  }
  t.equal(b.data.hasnext, 1, 'the last page up says no more');
  let splitTies = 0;
  for (let i = 1; i < downPages.length; i++) if (downPages[i - 1].at(-1)!.timestamp === downPages[i][0]?.timestamp) splitTies++;
  return { down, downPages, up: [...upPages].reverse().flat(), upPages, splitTies };
}

function checkWalk(t: Test, w: Walk, expected: string[], reqnum: number) {
  t.ok(expected.length > reqnum, `more than one page (${expected.length} rows)`);
  // down
  t.ok(w.downPages.every((p, i) => p.length === reqnum || (i === w.downPages.length - 1 && p.length > 0)), 'full pages, a non-empty last page');
  let ok = true;
  w.downPages.forEach((p, i) => (ok = assertNewestFirst(t, p, `down page ${i}`) && ok));
  t.ok(ok, 'every page down newest first');
  t.ok(assertNewestFirst(t, w.down, 'down, across pages'), 'pages follow each other in order');
  assertExactly(
    t,
    w.down.map((i) => i.id),
    expected,
    'down',
  );
  // up, from the bottom item
  ok = true;
  w.upPages.forEach((p, i) => (ok = assertNewestFirst(t, p, `up page ${i}`) && ok));
  t.ok(ok, 'every page up newest first');
  t.ok(w.upPages.slice(0, -1).every((p) => p.length === reqnum), 'full pages up');
  for (let i = 1; i < w.upPages.length; i++) {
    if (w.upPages[i].length && !newer(w.upPages[i].at(-1)!, w.upPages[i - 1][0])) t.fail(`up page ${i} is not newer than page ${i - 1}`);
  }
  const bottom = w.down[w.down.length - 1];
  assertExactly(t, [...w.up.map((i) => i.id), bottom.id], expected, 'up (plus the bottom anchor)');
  t.ok(assertNewestFirst(t, [...w.up, bottom], 'up, across pages'), 'pages up join in order');
}

const HOME_SQL = 'SELECT id FROM tweets WHERE status = 0 AND (user_id = ? OR user_id IN (SELECT idol_id FROM follows WHERE fan_id = ?))';
const USER_SQL = 'SELECT id FROM tweets WHERE status = 0 AND user_id = ?';
const MENTIONS_SQL = 'SELECT t.id FROM mentions m JOIN tweets t ON t.id = m.tweet_id WHERE m.user_id = ? AND t.status = 0';
const SPECIAL_SQL = 'SELECT id FROM tweets WHERE status = 0 AND user_id IN (SELECT idol_id FROM follows WHERE fan_id = ? AND special = 1)';

/** SQL texts prepared while fn runs (which of home_timeline's two ways to a page were taken). */
async function preparedDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const prepare = db.prepare;
  const seen: string[] = [];
  db.prepare = ((sql: string) => (seen.push(sql), prepare(sql))) as typeof db.prepare;
  try {
    await fn();
  } finally {
    db.prepare = prepare;
  }
  return seen;
}

t.test('T4 home_timeline: down to the end and back up, every row exactly once', async (t) => {
  const expected = idsOf(HOME_SQL, ALICE, ALICE);
  let w!: Walk;
  const sqls = await preparedDuring(async () => (w = await walkTime(t, alice, '/api/statuses/home_timeline', {}, 20)));
  // db/tweets.ts: pages near the top come off the world's newest tweets (windowedTweetPage), the
  // last pages from merging every author's own (per-author heads): the walk crosses both
  t.ok(sqls.some((s) => s.includes('INDEXED BY tweets_status_time_user')), 'some pages read off the world time index');
  t.ok(sqls.some((s) => s.startsWith('SELECT t.timestamp, t.id FROM tweets t WHERE t.user_id = ?')), 'some pages merged per author');
  checkWalk(t, w, expected, 20);
  t.ok(w.splitTies > 0, `page boundaries inside one second: ${w.splitTies}`);
  // an odd page size moves every boundary
  const w7 = await walkTime(t, alice, '/api/statuses/home_timeline', {}, 13);
  checkWalk(t, w7, expected, 13);
  t.ok(w7.splitTies > 0, `page boundaries inside one second (reqnum 13): ${w7.splitTies}`);
});

t.test('T4 home_timeline of a user who follows few: down and back up', async (t) => {
  const expected = idsOf(HOME_SQL, BOB, BOB);
  const w = await walkTime(t, bob, '/api/statuses/home_timeline', {}, 7);
  checkWalk(t, w, expected, 7);
});

t.test('T6 user_timeline (alice and bob): down and back up', async (t) => {
  for (const [name, uid] of [['alice', ALICE], ['bob', BOB]] as const) {
    const w = await walkTime(t, alice, '/api/statuses/user_timeline', { name }, 20);
    checkWalk(t, w, idsOf(USER_SQL, uid), 20);
    t.ok(w.splitTies > 0, `${name}: a tie group larger than a page is split (${w.splitTies})`);
  }
});

t.test('T7 mentions_timeline: down and back up', async (t) => {
  const w = await walkTime(t, alice, '/api/statuses/mentions_timeline', {}, 20);
  checkWalk(t, w, idsOf(MENTIONS_SQL, ALICE), 20);
  t.ok(w.splitTies > 0);
});

t.test('T9 broadcast_timeline: down and back up, in JSON and in XML', async (t) => {
  const expected = idsOf(USER_SQL, ALICE);
  checkWalk(t, await walkTime(t, alice, '/api/statuses/broadcast_timeline', {}, 20), expected, 20);
  checkWalk(t, await walkTime(t, alice, '/api/statuses/broadcast_timeline', {}, 20, getXml), expected, 20);
});

t.test('T10 special_timeline: down and back up', async (t) => {
  const w = await walkTime(t, alice, '/api/statuses/special_timeline', {}, 20);
  checkWalk(t, w, idsOf(SPECIAL_SQL, ALICE), 20);
});

// ---------------------------------------------------------------------------------------

t.test('T5 public_timeline: pos walks every visible tweet once, newest first', async (t) => {
  const expected = idsOf('SELECT id FROM tweets WHERE status = 0');
  const got: Item[] = [];
  let pos = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const b = await get(alice, '/api/statuses/public_timeline', { pos, reqnum: 20 });
    got.push(...b.data.info);
    if (b.data.pos !== pos + b.data.info.length) t.fail(`pos ${b.data.pos} after ${pos} + ${b.data.info.length}`);
    pos = b.data.pos;
    if (b.data.hasnext === 1) break;
  }
  t.ok(assertNewestFirst(t, got, 'public'), 'newest first across pages');
  assertExactly(
    t,
    got.map((i) => i.id),
    expected,
    'public',
  );
  t.equal(pos, expected.length, 'pos ends at the number of tweets');
});

// ---------------------------------------------------------------------------------------

t.test('T8 ht_timeline: pageinfo down to the end (pageflag 1) and back up (pageflag 2)', async (t) => {
  const topic = (db.prepare("SELECT id FROM topics WHERE text = '读书会'").get() as { id: number }).id;
  const expected = idsOf('SELECT t.id FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id WHERE tt.topic_id = ? AND t.status = 0', topic);
  t.ok(expected.length > 40);
  const reqnum = 7;
  const q = { httext: '读书会', reqnum };
  const downPages: Item[][] = [];
  const codes: number[] = [];
  let b = await get(alice, '/api/statuses/ht_timeline', { ...q, pageflag: 4, pageinfo: '' });
  downPages.push(b.data.info);
  codes.push(b.data.hasnext);
  while (b.data.hasnext === 0 || b.data.hasnext === 2) {
    b = await get(alice, '/api/statuses/ht_timeline', { ...q, pageflag: 1, pageinfo: b.data.pageinfo });
    downPages.push(b.data.info);
    codes.push(b.data.hasnext);
    if (downPages.length > 500) throw new Error('no end');
  }
  t.equal(codes[0], 2, 'first page: cannot go up');
  t.ok(codes.slice(1, -1).every((c) => c === 0), 'middle pages: both ways');
  t.equal(codes.at(-1), 1, 'last page: cannot go down');
  t.ok(downPages.every((p) => p.length > 0));
  const down = downPages.flat();
  t.ok(assertNewestFirst(t, down, 'ht down'), 'newest first');
  assertExactly(
    t,
    down.map((i) => i.id),
    expected,
    'ht down',
  );
  let split = 0;
  for (let i = 1; i < downPages.length; i++) if (downPages[i - 1].at(-1)!.timestamp === downPages[i][0].timestamp) split++;
  t.ok(split > 0, `tie groups split by pages: ${split}`);

  // back up from the last page's pageinfo
  const upPages: Item[][] = [];
  const upCodes: number[] = [];
  for (let guard = 0; ; guard++) {
    b = await get(alice, '/api/statuses/ht_timeline', { ...q, pageflag: 2, pageinfo: b.data.pageinfo });
    upPages.push(b.data.info);
    upCodes.push(b.data.hasnext);
    if (b.data.hasnext === 2 || b.data.hasnext === 3 || guard > 500) break;
  }
  t.equal(upCodes.at(-1), 2, 'the top again: cannot go up');
  t.ok(upCodes.slice(0, -1).every((c) => c === 0), 'on the way up: both ways');
  const up = [...upPages].reverse().flat();
  t.ok(assertNewestFirst(t, up, 'ht up'), 'newest first');
  assertExactly(t, [...up.map((i) => i.id), ...downPages.at(-1)!.map((i) => i.id)], expected, 'ht up + the last page');
  // pageflag 4 jumps back to the first page from anywhere
  const again = await get(alice, '/api/statuses/ht_timeline', { ...q, pageflag: 4, pageinfo: b.data.pageinfo });
  t.same(
    again.data.info.map((i: Item) => i.id),
    downPages[0].map((i) => i.id),
  );
});

// ---------------------------------------------------------------------------------------

async function walkSearch(c: WeiboCreds, path: string, keyword: string, pagesize: number): Promise<{ pages: any[][]; codes: number[]; totals: number[] }> {
  const pages: any[][] = [];
  const codes: number[] = [];
  const totals: number[] = [];
  for (let page = 1; page < 500; page++) {
    const b = await get(c, path, { keyword, page, pagesize });
    if (b.data === null) break; // result is empty: past the end
    pages.push(b.data.info);
    codes.push(b.data.hasnext);
    totals.push(b.data.totalnum);
  }
  return { pages, codes, totals };
}

t.test('T45 search/t: page walks every hit once; hasnext 1 / 3 / 2', async (t) => {
  const expected = idsOf("SELECT id FROM tweets WHERE status = 0 AND instr(origtext, '天气') > 0");
  const { pages, codes, totals } = await walkSearch(alice, '/api/search/t', '天气', 30);
  t.ok(pages.length > 2);
  t.ok(totals.every((n) => n === expected.length), 'totalnum on every page');
  t.equal(codes[0], 1);
  t.ok(codes.slice(1, -1).every((c) => c === 3));
  t.equal(codes.at(-1), 2);
  const all = pages.flat();
  t.ok(assertNewestFirst(t, all, 'search/t'), 'newest first');
  assertExactly(
    t,
    all.map((i: Item) => i.id),
    expected,
    'search/t',
  );
});

t.test('T44 / T46 search/user and search/userbytag: page walks every hit once; hasnext 0 then 1', async (t) => {
  const users = (db.prepare("SELECT name FROM users WHERE instr(name, 'user') > 0 OR instr(nick, 'user') > 0").all() as { name: string }[]).map((r) => r.name);
  const u = await walkSearch(alice, '/api/search/user', 'user', 4);
  t.ok(u.pages.length > 3);
  t.ok(u.codes.slice(0, -1).every((c) => c === 0) && u.codes.at(-1) === 1, 'hasnext 0 until the last page');
  const got = u.pages.flat().map((x: any) => x.name);
  assertExactly(t, got, users, 'search/user');
  const tagged = (db.prepare("SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM tags g WHERE g.user_id = u.id AND instr(g.name, '微博控') > 0)").all() as { name: string }[]).map(
    (r) => r.name,
  );
  const g = await walkSearch(alice, '/api/search/userbytag', '微博控', 3);
  t.ok(g.pages.length > 1);
  t.ok(g.codes.slice(0, -1).every((c) => c === 0) && g.codes.at(-1) === 1);
  assertExactly(
    t,
    g.pages.flat().map((x: any) => x.name),
    tagged,
    'search/userbytag',
  );
});

// ---------------------------------------------------------------------------------------

t.test('a tweet posted through t/add tops the home of every fan of its author and its broadcast_timeline', async (t) => {
  const fans = (db.prepare('SELECT u.name FROM follows f JOIN users u ON u.id = f.fan_id WHERE f.idol_id = ?').all(BOB) as { name: string }[]).map((r) => r.name);
  t.ok(fans.includes('alice') && fans.length > 2);
  const creds = new Map(fans.map((n) => [n, weiboCreds(app, n)]));
  const topBefore = new Map<string, Item>();
  for (const [n, c] of creds) topBefore.set(n, (await get(c, '/api/statuses/home_timeline', { reqnum: 1 })).data.info[0]);

  const res = await signed(app, bob, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: '给所有粉丝的新消息', clientip: '10.0.0.2' } });
  const added = res.json();
  t.equal(added.ret, 0);
  const id = added.data.id;
  for (const [n, c] of creds) {
    const home = await get(c, '/api/statuses/home_timeline', { reqnum: 2 });
    t.equal(home.data.info[0].id, id, `top of ${n}'s home`);
    t.equal(home.data.info[1].id, topBefore.get(n)!.id, `${n}'s previous top is second`);
    // paging up from the previous top finds exactly the new tweet
    const up = await get(c, '/api/statuses/home_timeline', { pageflag: 2, pagetime: topBefore.get(n)!.timestamp, lastid: topBefore.get(n)!.id, reqnum: 20 });
    t.same(
      up.data.info.map((i: Item) => i.id),
      [id],
      `${n}: page up from the old top`,
    );
    t.equal(up.data.hasnext, 1);
  }
  const bc = await get(bob, '/api/statuses/broadcast_timeline', { reqnum: 1 });
  t.equal(bc.data.info[0].id, id, 'top of the author’s broadcast_timeline');
  // and the walk still matches the store afterwards
  checkWalk(t, await walkTime(t, alice, '/api/statuses/special_timeline', {}, 20), idsOf(SPECIAL_SQL, ALICE), 20);
});
