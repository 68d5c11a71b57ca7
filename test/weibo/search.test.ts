// open.t.qq.com search/*: T44 search/user, T45 search/t, T46 search/userbytag (`page`
// paging; the full page walks are in paging.test.ts).
import t, { type Test } from 'tap';
import { build, weiboCreds, signed, parseXml, type WeiboCreds } from '../helpers.js';
import { weiboClient, type WeiboBody } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;

const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const dave = weiboCreds(app, 'dave');
const db = app.world.db;

type Body = WeiboBody;
const { get, xml, post } = weiboClient(app);
const names = (sql: string, ...a: unknown[]) => (db.prepare(sql).all(...a) as { name: string }[]).map((r) => r.name);
const ids = (sql: string, ...a: unknown[]) => (db.prepare(sql).all(...a) as { id: number }[]).map((r) => String(r.id));

const USER_KEYS = ['city_code', 'country_code', 'fansnum', 'head', 'idolnum', 'isfans', 'isidol', 'isrealname', 'isvip', 'location', 'name', 'nick', 'province_code', 'sex', 'tag', 'tweet'];

async function badInput(t: Test, path: string) {
  const cases: [Record<string, string | number>, RegExp][] = [
    [{}, /keyword/],
    [{ keyword: '' }, /keyword/],
    [{ keyword: '   ' }, /keyword/],
    [{ keyword: 'x'.repeat(61) }, /keyword/],
    [{ keyword: 'a', page: 0 }, /page/],
    [{ keyword: 'a', page: -1 }, /page/],
    [{ keyword: 'a', page: 'first' }, /page/],
    [{ keyword: 'a', pagesize: 0 }, /pagesize/],
    [{ keyword: 'a', pagesize: 'ten' }, /pagesize/],
  ];
  for (const [p, re] of cases) {
    const b = await get(alice, path, p);
    t.match(b, { ret: 1, data: null }, `${path} ${JSON.stringify(p)}`);
    t.match(b.msg, re, b.msg);
  }
  const x = await xml(alice, path, {});
  t.equal(x.ret, '1', 'XML error');
  t.match(x.msg, /keyword/);
  t.match((await signed(app, alice, { method: 'GET', path, params: { keyword: 'a' }, signWithSecret: 'nope' })).json(), { ret: 3, errcode: 9, data: null }, 'bad signature');
}

/** No hits: ret 0, msg "result is empty", data null (as the real service answered). */
async function emptyResult(t: Test, path: string, keyword: string) {
  const b = await get(alice, path, { keyword });
  t.same(b, { data: null, errcode: 0, msg: 'result is empty', ret: 0 });
  const x = await xml(alice, path, { keyword });
  t.equal(x.ret, '0');
  t.equal(x.msg, 'result is empty');
  t.equal(x.data, '');
  // a page past the last hit is empty too
  const past = await get(alice, path, { keyword: 'a', page: 100000 });
  t.equal(past.msg, 'result is empty');
  t.equal((await get(alice, path, { keyword: 'a', page: '999999999999999999' })).msg, 'result is empty', 'a huge page number');
}

// ---------------------------------------------------------------------------------- T44

const USER_SQL = "SELECT name FROM users WHERE instr(lower(name), lower(?)) > 0 OR instr(lower(nick), lower(?)) > 0";

t.test('T44 search/user JSON: name or nick contains the keyword; totalnum, hasnext', async (t) => {
  const expected = names(USER_SQL + ' ORDER BY id', 'user00', 'user00');
  const b = await get(alice, '/api/search/user', { keyword: 'user00', pagesize: 10, page: 1 });
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(Object.keys(b.data), ['hasnext', 'info', 'timestamp', 'totalnum']);
  t.equal(b.data.totalnum, expected.length);
  t.equal(b.data.hasnext, 0, 'more pages');
  t.same(b.data.info.map((u: any) => u.name), expected.slice(0, 10));
  for (const u of b.data.info) {
    t.same(Object.keys(u), USER_KEYS);
    t.type(u.fansnum, 'number');
    t.ok(Array.isArray(u.tweet) && u.tweet.length <= 1, 'tweet is a list of at most one');
  }
  // exact matches first; nick matches; case-insensitive
  t.equal((await get(alice, '/api/search/user', { keyword: 'BOB' })).data.info[0].name, 'bob');
  const byNick = await get(alice, '/api/search/user', { keyword: '爱丽' });
  t.same(byNick.data.info.map((u: any) => u.name), ['alice']);
  t.equal(byNick.data.hasnext, 1, 'one page only');
  const carol = (await get(alice, '/api/search/user', { keyword: 'carol' })).data.info[0];
  t.match(carol, { name: 'carol', nick: 'Carol', isidol: 1, isfans: 1 }, 'relations seen from the caller');
  // defaults and clamp
  t.equal((await get(alice, '/api/search/user', { keyword: 'user00' })).data.info.length, 10, 'pagesize defaults to 10');
  t.equal((await get(alice, '/api/search/user', { keyword: 'user00', pagesize: 100 })).data.info.length, 15, 'pagesize clamped to 15');
  const p2 = await get(alice, '/api/search/user', { keyword: 'user00', pagesize: 10, page: 2 });
  t.same(p2.data.info.map((u: any) => u.name), expected.slice(10, 20));
});

t.test('T44 search/user XML', async (t) => {
  const r = await xml(alice, '/api/search/user', { keyword: 'user001', pagesize: 3 });
  t.equal(r.ret, '0');
  t.equal(r.data.totalnum, String(names(USER_SQL, 'user001', 'user001').length));
  t.same(r.data.info.map((u: any) => u.name), ['user0010', 'user0011', 'user0012']);
  t.equal(r.data.hasnext, '0');
});

t.test('T44 search/user bad input', (t) => badInput(t, '/api/search/user'));
t.test('T44 search/user: no hits', (t) => emptyResult(t, '/api/search/user', 'nobody-has-this-name'));

t.test('T44 search/user sees a nick change', async (t) => {
  t.equal((await get(alice, '/api/search/user', { keyword: '新昵称大卫' })).msg, 'result is empty');
  t.equal((await post(dave, '/api/user/update', { nick: '新昵称大卫' })).ret, 0);
  const b = await get(alice, '/api/search/user', { keyword: '新昵称' });
  t.same(b.data.info.map((u: any) => [u.name, u.nick]), [['dave', '新昵称大卫']]);
});

// ---------------------------------------------------------------------------------- T45

const TWEET_SQL = 'SELECT id FROM tweets WHERE status = 0 AND instr(lower(origtext), lower(?)) > 0 ORDER BY timestamp DESC, id DESC';

t.test('T45 search/t JSON: content contains the keyword, newest first; hasnext 1 down / 2 up / 3 both', async (t) => {
  const expected = ids(TWEET_SQL, '咖啡');
  t.ok(expected.length > 40);
  const b = await get(alice, '/api/search/t', { keyword: '咖啡', pagesize: 20, page: 1 });
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(Object.keys(b.data), ['costtime', 'hasnext', 'info', 'timestamp', 'totalnum', 'user']);
  t.type(b.data.costtime, 'number');
  t.equal(b.data.totalnum, expected.length);
  t.same(b.data.info.map((i: any) => i.id), expected.slice(0, 20));
  t.ok(b.data.info.every((i: any) => i.origtext.includes('咖啡')));
  for (const i of b.data.info) t.equal(b.data.user[i.name], i.nick);
  t.equal(b.data.hasnext, 1, 'first page: can page down');
  const mid = await get(alice, '/api/search/t', { keyword: '咖啡', pagesize: 20, page: 2 });
  t.same(mid.data.info.map((i: any) => i.id), expected.slice(20, 40));
  t.equal(mid.data.hasnext, 3, 'middle: both ways');
  const lastPage = Math.ceil(expected.length / 20);
  const last = await get(alice, '/api/search/t', { keyword: '咖啡', pagesize: 20, page: lastPage });
  t.same(last.data.info.map((i: any) => i.id), expected.slice((lastPage - 1) * 20));
  t.equal(last.data.hasnext, 2, 'last page: can only page up');
  t.equal((await get(alice, '/api/search/t', { keyword: '咖啡', pagesize: 100 })).data.info.length, 30, 'pagesize clamped to 30');
  t.equal((await get(alice, '/api/search/t', { keyword: '咖啡' })).data.info.length, 10, 'pagesize defaults to 10');
  // case-insensitive, and % / _ are literal characters, not patterns
  t.equal((await get(alice, '/api/search/t', { keyword: 'HELLO', pagesize: 1 })).data.totalnum, ids(TWEET_SQL, 'hello').length);
  t.equal((await get(alice, '/api/search/t', { keyword: '%' })).msg, 'result is empty');
  t.equal((await get(alice, '/api/search/t', { keyword: '_' })).msg, 'result is empty');
});

t.test('T45 search/t XML', async (t) => {
  const r = await xml(alice, '/api/search/t', { keyword: '晚安', pagesize: 2 });
  t.equal(r.ret, '0');
  t.same(r.data.info.map((i: any) => i.id), ids(TWEET_SQL, '晚安').slice(0, 2));
  t.equal(r.data.totalnum, String(ids(TWEET_SQL, '晚安').length));
  t.equal(r.data.hasnext, '1');
  t.match(r.data.costtime, /^\d+$/);
});

t.test('T45 search/t bad input', (t) => badInput(t, '/api/search/t'));
t.test('T45 search/t: no hits', (t) => emptyResult(t, '/api/search/t', '这句话没有人说过'));

t.test('T45 search/t finds a new tweet at the top, and not once it is deleted', async (t) => {
  const b = await post(bob, '/api/t/add', { content: '独一无二的搜索词 qwertyuiop' });
  t.equal(b.ret, 0);
  const s = await get(alice, '/api/search/t', { keyword: 'QWERTYUIOP' });
  t.equal(s.data.totalnum, 1);
  t.equal(s.data.info[0].id, b.data.id);
  t.equal(s.data.hasnext, 0, 'a single page: neither way');
  t.equal((await post(bob, '/api/t/del', { id: b.data.id })).ret, 0);
  t.equal((await get(alice, '/api/search/t', { keyword: 'qwertyuiop' })).msg, 'result is empty');
});

// ---------------------------------------------------------------------------------- T46

const TAG_SQL = 'SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM tags g WHERE g.user_id = u.id AND instr(lower(g.name), lower(?)) > 0) ORDER BY id';

t.test('T46 search/userbytag JSON: users with a matching tag', async (t) => {
  const expected = names(TAG_SQL, '微博控');
  t.ok(expected.length > 3);
  const b = await get(alice, '/api/search/userbytag', { keyword: '微博控', pagesize: 3 });
  t.match(b, { ret: 0, msg: 'ok' });
  t.same(Object.keys(b.data), ['hasnext', 'info', 'timestamp', 'totalnum']);
  t.equal(b.data.totalnum, expected.length);
  t.same(b.data.info.map((u: any) => u.name), expected.slice(0, 3));
  t.equal(b.data.hasnext, 0);
  for (const u of b.data.info) {
    t.same(Object.keys(u), USER_KEYS);
    t.ok(u.tag.some((g: any) => g.name.includes('微博控')), `${u.name} has the tag`);
  }
  const all = await get(alice, '/api/search/userbytag', { keyword: '微博控', pagesize: 15 });
  t.equal(all.data.hasnext, expected.length > 15 ? 0 : 1);
});

t.test('T46 search/userbytag XML', async (t) => {
  const r = await xml(alice, '/api/search/userbytag', { keyword: '音乐', pagesize: 2 });
  t.equal(r.ret, '0');
  t.same(r.data.info.map((u: any) => u.name), names(TAG_SQL, '音乐').slice(0, 2));
  t.equal(r.data.totalnum, String(names(TAG_SQL, '音乐').length));
});

t.test('T46 search/userbytag bad input', (t) => badInput(t, '/api/search/userbytag'));
t.test('T46 search/userbytag: no hits', (t) => emptyResult(t, '/api/search/userbytag', '没有这个标签'));

t.test('T46 search/userbytag follows tag/add and tag/del', async (t) => {
  t.equal((await get(alice, '/api/search/userbytag', { keyword: '冲浪爱好者' })).msg, 'result is empty');
  const added = await post(dave, '/api/tag/add', { tag: '冲浪爱好者' });
  t.equal(added.ret, 0);
  const b = await get(alice, '/api/search/userbytag', { keyword: '冲浪' });
  t.same(b.data.info.map((u: any) => u.name), ['dave']);
  t.equal(b.data.totalnum, 1);
  t.equal((await post(dave, '/api/tag/del', { tagid: added.data.tagid })).ret, 0);
  t.equal((await get(alice, '/api/search/userbytag', { keyword: '冲浪' })).msg, 'result is empty');
});


