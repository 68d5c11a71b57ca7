// friends/* (T24–T37): lists walked to the end against the store, writes visible in the
// reads, counters equal to list totals, blacklist rules, check, bad input.
import t from 'tap';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const carol = weiboCreds(app, 'carol');
const erin = weiboCreds(app, 'erin');

type Body = { ret: number; errcode: number; msg: string; data: any };

const get = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'GET', path, params })).json();
const post = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'POST', path, params })).json();
const xml = async (c: WeiboCreds, method: 'GET' | 'POST', path: string, params: Record<string, string | number> = {}) =>
  (parseXml((await signed(app, c, { method, path, params: { ...params, format: 'xml' } })).body) as { root: any }).root;
const asArray = <T>(v: T | T[] | undefined | ''): T[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

const db = app.world.db;
const names = (sql: string, ...args: unknown[]) => (db.prepare(sql).all(...args) as { name: string }[]).map((r) => r.name);
const expected = {
  fans: (id: number) => names('SELECT u.name FROM follows f JOIN users u ON u.id = f.fan_id WHERE f.idol_id = ?', id),
  idols: (id: number) => names('SELECT u.name FROM follows f JOIN users u ON u.id = f.idol_id WHERE f.fan_id = ?', id),
  special: (id: number) => names('SELECT u.name FROM follows f JOIN users u ON u.id = f.idol_id WHERE f.fan_id = ? AND f.special = 1', id),
  black: (id: number) => names('SELECT u.name FROM blacklist b JOIN users u ON u.id = b.black_id WHERE b.user_id = ?', id),
};

/** Walks a list with startindex/reqnum until hasnext = 1; checks every page's shape on the way. */
async function walk(t: Test, c: WeiboCreds, path: string, reqnum: number, extra: Record<string, string> = {}): Promise<string[]> {
  const seen: string[] = [];
  for (let startindex = 0, pages = 0; ; startindex += reqnum, pages++) {
    if (pages > 100) throw new Error('list never ends');
    const b = await get(c, path, { ...extra, reqnum, startindex });
    if (b.ret !== 0) {
      t.fail(`${path} ${JSON.stringify(b)}`);
      return seen;
    }
    t.type(b.data.timestamp, 'number');
    t.ok(b.data.info.length <= reqnum);
    for (const u of b.data.info) seen.push(u.name);
    if (b.data.hasnext === 1) break;
    t.equal(b.data.hasnext, 0);
    t.equal(b.data.info.length, reqnum, 'a page with more after it is full');
  }
  return seen;
}

async function sameSet(t: Test, c: WeiboCreds, path: string, want: string[], extra: Record<string, string> = {}) {
  for (const reqnum of [7, 30]) {
    const got = await walk(t, c, path, reqnum, extra);
    t.equal(new Set(got).size, got.length, `${path} reqnum ${reqnum}: no row twice`);
    t.same([...got].sort(), [...want].sort(), `${path} reqnum ${reqnum}: exactly the store's rows`);
  }
}


t.test('own lists walked to the end give the store rows exactly once (T24–T27)', async (t) => {
  // give bob a blacklist long enough to page
  for (let i = 10; i <= 20; i++) t.equal((await post(bob, '/api/friends/addblacklist', { name: `user00${i}` })).ret, 0);
  const a = userId(app, 'alice');
  const b = userId(app, 'bob');
  t.ok(expected.fans(a).length > 30, 'alice has more than one page of fans');
  await sameSet(t, alice, '/api/friends/fanslist', expected.fans(a));
  await sameSet(t, alice, '/api/friends/idollist', expected.idols(a));
  await sameSet(t, alice, '/api/friends/speciallist', expected.special(a));
  await sameSet(t, bob, '/api/friends/blacklist', expected.black(b));
  t.ok(expected.black(b).length >= 12);
});

t.test('other users lists walked to the end (T35–T37)', async (t) => {
  const d = userId(app, 'dave');
  const a = userId(app, 'alice');
  await sameSet(t, bob, '/api/friends/user_fanslist', expected.fans(a), { name: 'alice' });
  await sameSet(t, bob, '/api/friends/user_idollist', expected.idols(a), { name: 'alice' });
  await sameSet(t, bob, '/api/friends/user_speciallist', expected.special(a), { name: 'alice' });
  await sameSet(t, alice, '/api/friends/user_fanslist', expected.fans(d), { name: 'dave' });
  await sameSet(t, alice, '/api/friends/user_idollist', expected.idols(d), { name: 'dave' });
});

t.test('list items: JSON shape and newest relation first', async (t) => {
  const b = await get(alice, '/api/friends/idollist', { reqnum: 30, startindex: 0 });
  t.equal(b.ret, 0);
  t.same(Object.keys(b.data), ['hasnext', 'info', 'timestamp']);
  const bobItem = b.data.info.find((u: any) => u.name === 'bob');
  t.ok(bobItem, 'bob is an idol of alice');
  t.match(bobItem, { name: 'bob', nick: '鲍勃', isidol: 1, isfans: 1, province_code: '11', city_code: '8' });
  t.type(bobItem.fansnum, 'number');
  t.type(bobItem.idolnum, 'number');
  t.ok(Array.isArray(bobItem.tweet) && Array.isArray(bobItem.tag));
  t.match(bobItem.head, /^http:\/\/open\.t\.qq\.com\/mbloghead\/[0-9a-f]{32}$/);
  // newest first: a fresh follow comes out on top
  const fresh = 'user0039';
  await post(alice, '/api/friends/del', { name: fresh });
  t.equal((await post(alice, '/api/friends/add', { name: fresh })).ret, 0);
  const again = await get(alice, '/api/friends/idollist', { reqnum: 1, startindex: 0 });
  t.equal(again.data.info[0].name, fresh);
  t.equal(again.data.hasnext, 0);
});

t.test('blacklist items carry name, nick and head only', async (t) => {
  const b = await get(bob, '/api/friends/blacklist', { reqnum: 30, startindex: 0 });
  t.equal(b.ret, 0);
  const e = b.data.info.find((u: any) => u.name === 'erin');
  t.same(Object.keys(e), ['head', 'name', 'nick']);
  t.equal(e.nick, 'Erin <script>');
});

t.test('every list in XML', async (t) => {
  for (const [path, params, c] of [
    ['/api/friends/fanslist', {}, alice],
    ['/api/friends/idollist', {}, alice],
    ['/api/friends/blacklist', {}, bob],
    ['/api/friends/speciallist', {}, alice],
    ['/api/friends/user_fanslist', { name: 'alice' }, bob],
    ['/api/friends/user_idollist', { name: 'alice' }, bob],
    ['/api/friends/user_speciallist', { name: 'alice' }, bob],
  ] as const) {
    const r = await xml(c, 'GET', path, { ...params, reqnum: 5, startindex: 0 });
    t.equal(r.ret, '0', path);
    t.equal(r.msg, 'ok');
    const info = asArray(r.data.info);
    t.ok(info.length >= 1 && info.length <= 5, `${path}: repeated <info>`);
    t.type(info[0].name, 'string');
    t.ok(r.data.hasnext === '0' || r.data.hasnext === '1');
    t.match(r.data.timestamp, /^\d+$/);
  }
  const sp = await xml(bob, 'GET', '/api/friends/user_speciallist', { name: 'alice', reqnum: 30 });
  t.same(asArray(sp.data.info).map((i: any) => i.name).sort(), expected.special(userId(app, 'alice')).sort(), 'XML list = store rows');
  const bl = await xml(bob, 'GET', '/api/friends/blacklist', { reqnum: 30 });
  t.same(Object.keys(asArray(bl.data.info)[0]).sort(), ['head', 'name', 'nick']);
});

t.test('paging bad input', async (t) => {
  for (const path of ['/api/friends/fanslist', '/api/friends/idollist', '/api/friends/blacklist', '/api/friends/speciallist']) {
    t.match(await get(alice, path, { reqnum: 0 }), { ret: 1, msg: /reqnum/, data: null }, `${path} reqnum 0`);
    t.match(await get(alice, path, { reqnum: 'ten' }), { ret: 1, msg: /reqnum/ }, `${path} reqnum not a number`);
    t.match(await get(alice, path, { reqnum: 31 }), { ret: 4, msg: /server error.*reqnum/, data: null }, `${path} reqnum 31: the real server's ret 4`);
    t.match(await get(alice, path, { startindex: -1 }), { ret: 1, msg: /startindex/ }, `${path} startindex -1`);
    t.match(await get(alice, path, { startindex: 'x' }), { ret: 1, msg: /startindex/ });
    const past = await get(alice, path, { startindex: 100000, reqnum: 10 });
    t.match(past, { ret: 0, data: { hasnext: 1, info: [] } }, `${path} past the end`);
  }
  const x = await xml(alice, 'GET', '/api/friends/fanslist', { reqnum: 99 });
  t.equal(x.ret, '4');
  for (const path of ['/api/friends/user_fanslist', '/api/friends/user_idollist', '/api/friends/user_speciallist']) {
    t.match(await get(alice, path), { ret: 1, msg: /name/, data: null }, `${path} without name`);
    t.match(await get(alice, path, { name: 'nobody_here' }), { ret: 1, msg: /name.*nobody_here/ }, `${path} unknown name`);
    t.match(await get(alice, path, { name: 'bob', reqnum: 31 }), { ret: 4 });
  }
  const bad = await signed(app, alice, { method: 'GET', path: '/api/friends/fanslist', signWithSecret: 'nope' });
  t.match(bad.json(), { ret: 3, errcode: 9 });
});

/** The counters of user/info (self) and other_info (others) against the lists walked through the API. */
async function countersMatchLists(t: Test, viewer: WeiboCreds, name: string) {
  const self = app.world.oauth1.get(viewer.token)!.user_id === userId(app, name);
  const info = self ? await get(viewer, '/api/user/info') : await get(viewer, '/api/user/other_info', { name });
  t.equal(info.ret, 0);
  const fans = self ? await walk(t, viewer, '/api/friends/fanslist', 30) : await walk(t, viewer, '/api/friends/user_fanslist', 30, { name });
  const idols = self ? await walk(t, viewer, '/api/friends/idollist', 30) : await walk(t, viewer, '/api/friends/user_idollist', 30, { name });
  const fanSet = new Set(fans);
  t.equal(info.data.fansnum, fans.length, `${name} fansnum`);
  t.equal(info.data.idolnum, idols.length, `${name} idolnum`);
  t.equal(info.data.mutual_fans_num, idols.filter((n) => fanSet.has(n)).length, `${name} mutual_fans_num`);
}

t.test('writes (T28–T33) show in the lists and keep counters equal to list totals', async (t) => {
  const a = userId(app, 'alice');
  await countersMatchLists(t, alice, 'alice');
  await countersMatchLists(t, alice, 'dave');

  // unfollow then follow dave
  t.match(await post(alice, '/api/friends/del', { name: 'dave' }), { ret: 0, errcode: 0, msg: 'ok', data: null });
  t.notOk(expected.idols(a).includes('dave'));
  t.match(await get(alice, '/api/user/other_info', { name: 'dave' }), { data: { ismyidol: 0, Ismyidol: 0 } });
  await countersMatchLists(t, alice, 'alice');
  await countersMatchLists(t, alice, 'dave');
  t.match(await post(alice, '/api/friends/add', { name: 'dave' }), { ret: 0, data: null });
  t.ok(expected.idols(a).includes('dave'));
  t.match(await get(alice, '/api/user/other_info', { name: 'dave' }), { data: { ismyidol: 1, Ismyidol: 1 } });
  t.match(await post(alice, '/api/friends/add', { name: 'dave' }), { ret: 0 }, 'following again is fine');
  await countersMatchLists(t, alice, 'alice');
  await countersMatchLists(t, alice, 'dave');

  // special: addspecial / delspecial
  t.match(await post(alice, '/api/friends/addspecial', { name: 'dave' }), { ret: 0, data: null });
  let sp = await walk(t, alice, '/api/friends/speciallist', 30);
  t.ok(sp.includes('dave'));
  t.match(await post(alice, '/api/friends/delspecial', { name: 'dave' }), { ret: 0, data: null });
  sp = await walk(t, alice, '/api/friends/speciallist', 30);
  t.notOk(sp.includes('dave'));
  t.ok((await walk(t, alice, '/api/friends/idollist', 30)).includes('dave'), 'delspecial keeps the follow');

  // addspecial of someone not followed follows them too
  const target = 'user0025';
  await post(alice, '/api/friends/del', { name: target });
  t.match(await post(alice, '/api/friends/addspecial', { name: target }), { ret: 0 });
  t.ok((await walk(t, alice, '/api/friends/idollist', 30)).includes(target));
  t.ok((await walk(t, alice, '/api/friends/speciallist', 30)).includes(target));
  await countersMatchLists(t, alice, 'alice');
  await countersMatchLists(t, alice, target);

  // blacklisting removes the follows both ways
  t.ok(expected.fans(a).includes('carol') && expected.idols(a).includes('carol'));
  t.match(await post(alice, '/api/friends/addblacklist', { name: 'carol' }), { ret: 0, data: null });
  t.ok((await walk(t, alice, '/api/friends/blacklist', 30)).includes('carol'));
  t.notOk((await walk(t, alice, '/api/friends/idollist', 30)).includes('carol'));
  t.notOk((await walk(t, alice, '/api/friends/fanslist', 30)).includes('carol'));
  t.match(await get(alice, '/api/user/other_info', { name: 'carol' }), { data: { ismyblack: 1, Ismyblack: 1, ismyidol: 0, ismyfans: 0 } });
  await countersMatchLists(t, alice, 'alice');
  await countersMatchLists(t, alice, 'carol');

  // carol, blacklisted by alice, cannot follow her
  t.match(await post(carol, '/api/friends/add', { name: 'alice' }), { ret: 4, errcode: 5, msg: /alice/, data: null });
  t.match(await post(carol, '/api/friends/addspecial', { name: 'alice' }), { ret: 4, errcode: 5 });
  t.notOk(expected.fans(a).includes('carol'));
  // nor may alice follow someone in her own blacklist
  t.match(await post(alice, '/api/friends/add', { name: 'carol' }), { ret: 4, errcode: 5 });
  await countersMatchLists(t, alice, 'alice');

  // delblacklist: carol may follow again
  t.match(await post(alice, '/api/friends/delblacklist', { name: 'carol' }), { ret: 0, data: null });
  t.notOk((await walk(t, alice, '/api/friends/blacklist', 30)).includes('carol'));
  t.match(await get(alice, '/api/user/other_info', { name: 'carol' }), { data: { ismyblack: 0, Ismyblack: 0 } });
  t.match(await post(carol, '/api/friends/add', { name: 'alice' }), { ret: 0 });
  t.ok((await walk(t, alice, '/api/friends/fanslist', 30)).includes('carol'));
  await countersMatchLists(t, alice, 'alice');
  await countersMatchLists(t, alice, 'carol');
  await countersMatchLists(t, carol, 'carol');
});

t.test('a user blacklisted by the target cannot follow them (seeded: bob blacklisted erin)', async (t) => {
  t.match(await post(erin, '/api/friends/add', { name: 'bob' }), { ret: 4, errcode: 5, msg: /blacklist/ });
  const x = await xml(erin, 'POST', '/api/friends/add', { name: 'bob' });
  t.equal(x.ret, '4');
  t.equal(x.errcode, '5');
  t.notOk(expected.fans(userId(app, 'bob')).includes('erin'));
  t.match(await get(erin, '/api/user/other_info', { name: 'bob' }), { data: { ismyidol: 0 } });
  t.match(await post(bob, '/api/friends/add', { name: 'erin' }), { ret: 4, errcode: 5 }, 'nor the other way while erin is blacklisted');
});

t.test('writes in XML (T28–T33)', async (t) => {
  for (const path of ['/api/friends/add', '/api/friends/addspecial', '/api/friends/delspecial', '/api/friends/del', '/api/friends/addblacklist', '/api/friends/delblacklist']) {
    const r = await xml(dave(), 'POST', path, { name: 'user0030' });
    t.equal(r.ret, '0', path);
    t.equal(r.msg, 'ok');
    t.equal(r.data, '', `${path}: empty data`);
  }
  t.notOk(expected.idols(userId(app, 'dave')).includes('user0030'));
  t.notOk(expected.black(userId(app, 'dave')).includes('user0030'));
});

function dave() {
  return (daveCreds ??= weiboCreds(app, 'dave'));
}
let daveCreds: WeiboCreds | undefined;

t.test('write bad input (T28–T33)', async (t) => {
  for (const path of ['/api/friends/add', '/api/friends/del', '/api/friends/addspecial', '/api/friends/delspecial', '/api/friends/addblacklist', '/api/friends/delblacklist']) {
    t.match(await post(alice, path), { ret: 1, msg: /name/, data: null }, `${path} without name`);
    t.match(await post(alice, path, { name: '' }), { ret: 1, msg: /name/ });
    t.match(await post(alice, path, { name: 'ghost_user' }), { ret: 1, msg: /name.*ghost_user/ }, `${path} unknown user`);
    t.match(await post(alice, path, { name: 'alice' }), { ret: 1, msg: /name.*yourself/ }, `${path} yourself`);
    t.match((await signed(app, alice, { method: 'POST', path, params: { name: 'bob' }, signWithSecret: 'x' })).json(), { ret: 3, errcode: 9 });
  }
  const x = await xml(alice, 'POST', '/api/friends/add', { name: 'ghost_user' });
  t.equal(x.ret, '1');
  t.match(x.msg, /ghost_user/);
  t.equal(expected.fans(userId(app, 'alice')).includes('alice'), false, 'nobody follows themselves');
});

t.test('friends/check (T34)', async (t) => {
  const a = userId(app, 'alice');
  const fans = new Set(expected.fans(a));
  const idols = new Set(expected.idols(a));
  const probe = ['bob', 'carol', 'user0004', 'user0006', 'erin', 'nobody_x'];
  const f0 = await get(alice, '/api/friends/check', { names: probe.join(','), flag: 0 });
  t.equal(f0.ret, 0);
  for (const n of probe) t.equal(f0.data[n], fans.has(n), `flag 0 ${n}`);
  const f1 = await get(alice, '/api/friends/check', { names: probe.join(','), flag: 1 });
  for (const n of probe) t.equal(f1.data[n], idols.has(n), `flag 1 ${n}`);
  const f2 = await get(alice, '/api/friends/check', { names: probe.join(','), flag: 2 });
  for (const n of probe) t.same(f2.data[n], { isfans: fans.has(n), isidol: idols.has(n) }, `flag 2 ${n}`);
  t.equal(typeof f0.data.bob, 'boolean');

  // follow makes check flip
  await post(alice, '/api/friends/del', { name: 'user0033' });
  t.equal((await get(alice, '/api/friends/check', { names: 'user0033', flag: 1 })).data.user0033, false);
  await post(alice, '/api/friends/add', { name: 'user0033' });
  t.equal((await get(alice, '/api/friends/check', { names: 'user0033', flag: 1 })).data.user0033, true);

  const x = await xml(alice, 'GET', '/api/friends/check', { names: 'bob,nobody_x', flag: 2 });
  t.equal(x.ret, '0');
  t.same(x.data.bob, { isfans: String(fans.has('bob')), isidol: String(idols.has('bob')) });
  t.same(x.data.nobody_x, { isfans: 'false', isidol: 'false' });
  const x0 = await xml(alice, 'GET', '/api/friends/check', { names: 'bob', flag: 0 });
  t.equal(x0.data.bob, 'true');

  t.match(await get(alice, '/api/friends/check', { flag: 0 }), { ret: 1, msg: /names/ });
  t.match(await get(alice, '/api/friends/check', { names: ' , ', flag: 0 }), { ret: 1, msg: /names/ });
  const many = Array.from({ length: 31 }, (_, i) => `user${String(i + 1).padStart(4, '0')}`).join(',');
  t.match(await get(alice, '/api/friends/check', { names: many, flag: 0 }), { ret: 1, msg: /names.*30/ });
  t.equal((await get(alice, '/api/friends/check', { names: many.split(',').slice(0, 30).join(','), flag: 0 })).ret, 0, '30 names are fine');
  t.match(await get(alice, '/api/friends/check', { names: 'bob', flag: 3 }), { ret: 1, msg: /flag/ });
  t.match(await get(alice, '/api/friends/check', { names: 'bob', flag: 'x' }), { ret: 1, msg: /flag/ });
});
