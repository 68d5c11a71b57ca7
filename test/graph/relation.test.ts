// G17–G20: graph.qq.com relation/get_fanslist, get_idollist, add_idol, del_idol — `index`
// paging, the mode / install / sex filters, follows by name and by openid, and counters in
// get_info / get_other_info following every write.
import t from 'tap';
import { build, graphCreds, graphGet, graphPost, parseXml, qs, userId, GRAPH, GRAPH_PLAIN } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const alice = graphCreds(app, 'alice');
const bob = graphCreds(app, 'bob');

type Json = Record<string, any>;
type Creds = Record<string, string>;
const openidOf = (name: string, appid: string = GRAPH.appid) => app.world.apps.openidFor(appid, userId(app, name));
const xmlError = (body: string) => (parseXml(body) as { root: { data: { ret: string; errcode: string; msg: string } } }).root.data;

async function ok(res: Promise<{ json: () => any }>): Promise<Json> {
  const body = (await res).json() as Json;
  if (body.ret !== 0) throw new Error(`expected ret 0, got ${JSON.stringify(body)}`);
  return body;
}
const info = async (c: Creds) => (await ok(graphGet(app, '/user/get_info', c))).data as Json;
const other = async (c: Creds, name: string) => (await ok(graphGet(app, '/user/get_other_info', c, { name }))).data as Json;

/** Walks a whole list with the given page size; returns the pages. */
async function walk(c: Creds, path: string, reqnum: number, extra: Record<string, string | number> = {}) {
  const pages: Json[] = [];
  let startindex = 0;
  for (let n = 0; n < 200; n++) {
    const d = (await ok(graphGet(app, path, c, { reqnum, startindex, ...extra }))).data as Json;
    pages.push(d);
    if (d.hasnext === 1) break;
    startindex = d.nextstartpos;
  }
  return pages;
}
const names = (pages: Json[]) => pages.flatMap((p) => p.info.map((i: Json) => i.name as string));

t.test('G17 get_fanslist (JSON): first page of alice fans', async (t) => {
  const res = await graphGet(app, '/relation/get_fanslist', alice, { reqnum: 10, startindex: 0 });
  t.match(res.headers['content-type'], /text\/html/);
  const body = res.json() as Json;
  t.same(Object.keys(body), ['ret', 'errcode', 'msg', 'data', 'seqid']);
  t.match(body, { ret: 0, errcode: 0, msg: 'ok' });
  const d = body.data;
  t.same(Object.keys(d), ['timestamp', 'hasnext', 'curnum', 'nextstartpos', 'info']);
  t.equal(d.hasnext, 0, 'more to fetch');
  t.equal(d.curnum, 10);
  t.equal(d.nextstartpos, 10);
  t.equal(d.info.length, 10);
  for (const u of d.info) {
    t.equal(u.isfans, 1, `${u.name} is alice's fan`);
    t.equal(u.openid, openidOf(u.name), 'openid for this app');
    t.type(u.fansnum, 'number');
    t.type(u.idolnum, 'number');
    t.equal(u.vip, u.isvip, 'vip mirrors isvip');
    t.ok(Array.isArray(u.tweet) && Array.isArray(u.tag));
    t.type(u.province_code, 'string');
  }
  // mode 0: newest follow first — the seed's last follower of alice is user0040
  t.equal(d.info[0].name, 'user0040');
});

t.test('G17 get_fanslist pages to the end with no duplicates; the union is fansnum', async (t) => {
  const fansnum = (await info(alice)).fansnum;
  for (const reqnum of [7, 30]) {
    const pages = await walk(alice, '/relation/get_fanslist', reqnum);
    const all = names(pages);
    t.equal(new Set(all).size, all.length, `reqnum ${reqnum}: no duplicates`);
    t.equal(all.length, fansnum, `reqnum ${reqnum}: union = fansnum`);
    t.equal(pages.length, Math.ceil(fansnum / reqnum), 'as many pages as needed');
    t.ok(pages.slice(0, -1).every((p) => p.hasnext === 0 && p.curnum === reqnum), 'hasnext 0 until the last page');
    t.equal(pages[pages.length - 1].hasnext, 1);
    t.ok(all.includes('bob') && all.includes('carol') && all.includes('dave') && all.includes('user0006'));
  }
  const past = (await ok(graphGet(app, '/relation/get_fanslist', alice, { reqnum: 30, startindex: 10000 }))).data;
  t.same([past.info, past.hasnext, past.curnum, past.nextstartpos], [[], 1, 0, 10000], 'past the end: empty, hasnext 1');
});

t.test('G17 get_fanslist mode 1 lists the same users; sex filters (mode 0)', async (t) => {
  const mode0 = names(await walk(alice, '/relation/get_fanslist', 30));
  const mode1 = names(await walk(alice, '/relation/get_fanslist', 30, { mode: 1 }));
  t.same([...mode1].sort(), [...mode0].sort(), 'same set');
  t.notSame(mode1, mode0, 'in another order');
  const all = (await walk(alice, '/relation/get_fanslist', 30)).flatMap((p) => p.info) as Json[];
  for (const sex of [1, 2]) {
    const pages = await walk(alice, '/relation/get_fanslist', 5, { sex });
    const items = pages.flatMap((p) => p.info) as Json[];
    t.ok(items.length > 0, `some fans of sex ${sex}`);
    t.ok(items.every((u) => u.sex === sex), `only sex ${sex}`);
    t.same(items.map((u) => u.name), all.filter((u) => u.sex === sex).map((u) => u.name), 'the same order as unfiltered');
  }
});

t.test('G17 get_fanslist install: fans who authorised the app, or not', async (t) => {
  const plainAlice = graphCreds(app, 'alice', 'all', GRAPH_PLAIN.appid);
  graphCreds(app, 'user0010', 'all', GRAPH_PLAIN.appid);
  graphCreds(app, 'user0012', 'get_user_info', GRAPH_PLAIN.appid);
  const revoked = graphCreds(app, 'user0014', 'all', GRAPH_PLAIN.appid);
  app.world.oauth2.revoke(revoked.access_token);
  const fansnum = (await info(plainAlice)).fansnum;
  const installed = (await ok(graphGet(app, '/relation/get_fanslist', plainAlice, { reqnum: 30, startindex: 0, install: 1 }))).data;
  t.same(installed.info.map((u: Json) => u.name).sort(), ['user0010', 'user0012']);
  t.equal(installed.hasnext, 1);
  t.equal(installed.info[0].openid, openidOf(installed.info[0].name, GRAPH_PLAIN.appid), 'openids of the calling app');
  const others = names(await walk(plainAlice, '/relation/get_fanslist', 30, { install: 2 }));
  t.equal(others.length, fansnum - 2);
  t.notOk(others.includes('user0010') || others.includes('user0012'));
  t.ok(others.includes('user0014'), 'a revoked authorisation is not an install');
});

t.test('G17 get_fanslist (XML)', async (t) => {
  const res = await graphGet(app, '/relation/get_fanslist', alice, { reqnum: 3, startindex: 3, format: 'xml' });
  t.match(res.headers['content-type'], /text\/xml/);
  const x = parseXml(res.body) as { data: { ret: string; errcode: string; data: { hasnext: string; curnum: string; nextstartpos: string; info: Json[] } } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.data.hasnext, '0');
  t.equal(x.data.data.curnum, '3');
  t.equal(x.data.data.nextstartpos, '6');
  t.equal(x.data.data.info.length, 3, 'one <info> per user');
  const json = (await ok(graphGet(app, '/relation/get_fanslist', alice, { reqnum: 3, startindex: 3 }))).data;
  t.same(x.data.data.info.map((u) => u.name), json.info.map((u: Json) => u.name));
  t.equal(x.data.data.info[0].openid, openidOf(x.data.data.info[0].name));
  t.equal(x.data.data.info[0].isfans, '1');
});

t.test('G18 get_idollist (JSON and XML): alice follows bob and carol; paging covers idolnum', async (t) => {
  const d = (await ok(graphGet(app, '/relation/get_idollist', alice, { reqnum: 30, startindex: 0 }))).data;
  t.same(Object.keys(d), ['timestamp', 'hasnext', 'curnum', 'nextstartpos', 'info']);
  const idolnum = (await info(alice)).idolnum;
  const all = names(await walk(alice, '/relation/get_idollist', 4));
  t.equal(all.length, idolnum, 'union = idolnum');
  t.equal(new Set(all).size, all.length, 'no duplicates');
  t.ok(all.includes('bob') && all.includes('carol'));
  const bobItem = d.info.find((u: Json) => u.name === 'bob') ?? (await walk(alice, '/relation/get_idollist', 30)).flatMap((p) => p.info).find((u: Json) => u.name === 'bob');
  t.match(bobItem, { isidol: 1, isfans: 1, openid: bob.openid, nick: '鲍勃' });
  const mode1 = names(await walk(alice, '/relation/get_idollist', 30, { mode: 1 }));
  t.same([...mode1].sort(), [...all].sort(), 'mode 1: same set');

  const x = parseXml((await graphGet(app, '/relation/get_idollist', alice, { reqnum: 2, startindex: 0, format: 'xml' })).body) as { data: { ret: string; data: { hasnext: string; info: Json[] } } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.data.info.length, 2);
  t.same(x.data.data.info.map((u) => u.name), all.slice(0, 2));
  t.equal(x.data.data.hasnext, '0');
});

t.test('G17/G18 parameter errors name the parameter', async (t) => {
  const cases: [string, Record<string, string | number>, RegExp][] = [];
  for (const path of ['/relation/get_fanslist', '/relation/get_idollist']) {
    cases.push(
      [path, { reqnum: 0, startindex: 0 }, /reqnum/],
      [path, { reqnum: 31, startindex: 0 }, /reqnum/],
      [path, { reqnum: 'ten', startindex: 0 }, /reqnum/],
      [path, { reqnum: 10, startindex: -1 }, /startindex/],
      [path, { reqnum: 10, startindex: 'first' }, /startindex/],
      [path, { reqnum: 10, startindex: 0, mode: 2 }, /mode/],
      [path, { reqnum: 10, startindex: 0, install: 3 }, /install/],
    );
  }
  cases.push(['/relation/get_fanslist', { reqnum: 10, startindex: 0, sex: 3 }, /sex/]);
  for (const [path, params, msg] of cases) {
    const body = (await graphGet(app, path, alice, params)).json() as Json;
    t.equal(body.ret, 1, `${path} ${JSON.stringify(params)}`);
    t.match(body.msg, msg);
    t.equal(body.data, null);
  }
  const x = xmlError((await graphGet(app, '/relation/get_idollist', alice, { reqnum: 99, format: 'xml' })).body);
  t.equal(x.ret, '1');
  t.match(x.msg, /reqnum/);
});

/** A user alice does not follow, chosen through the API. */
async function strangers(n: number): Promise<string[]> {
  const idols = new Set(names(await walk(alice, '/relation/get_idollist', 30)));
  const out: string[] = [];
  for (let i = 6; i <= 40 && out.length < n; i++) {
    const name = `user${String(i).padStart(4, '0')}`;
    if (!idols.has(name)) out.push(name);
  }
  if (out.length < n) throw new Error('not enough strangers in the seed');
  return out;
}

t.test('G19/G20 add_idol and del_idol by name change both lists and both counters', async (t) => {
  const [target] = await strangers(1);
  const them = graphCreds(app, target);
  const [a0, x0] = [await info(alice), await info(them)];
  t.equal((await other(alice, target)).ismyidol, 0);

  const res = await graphPost(app, '/relation/add_idol', alice, { name: target });
  const body = res.json() as Json;
  t.same(Object.keys(body), ['ret', 'errcode', 'msg', 'data', 'seqid']);
  t.match(body, { ret: 0, errcode: 0, msg: 'ok', data: null });

  const [a1, x1] = [await info(alice), await info(them)];
  t.equal(a1.idolnum, a0.idolnum + 1, "alice's idolnum + 1");
  t.equal(x1.fansnum, x0.fansnum + 1, `${target}'s fansnum + 1`);
  t.equal((await other(alice, target)).ismyidol, 1);
  t.equal((await other(alice, target)).fansnum, x1.fansnum, 'get_other_info shows the new fansnum');
  t.equal((await other(them, 'alice')).ismyfans, 1, 'alice is now their fan');
  t.equal((await other(them, 'alice')).idolnum, a1.idolnum, 'get_other_info shows the new idolnum');
  const idols = (await ok(graphGet(app, '/relation/get_idollist', alice, { reqnum: 5, startindex: 0 }))).data;
  t.equal(idols.info[0].name, target, 'newest idol first');
  t.equal(idols.info[0].openid, openidOf(target));
  const fans = (await ok(graphGet(app, '/relation/get_fanslist', them, { reqnum: 5, startindex: 0 }))).data;
  t.equal(fans.info[0].name, 'alice', 'alice heads their fans list');
  t.equal(fans.info[0].openid, alice.openid);

  t.match((await graphPost(app, '/relation/add_idol', alice, { name: target })).json(), { ret: 0 }, 'following again is harmless');
  t.equal((await info(alice)).idolnum, a1.idolnum, '…and counts once');

  t.match((await graphPost(app, '/relation/del_idol', alice, { name: target })).json(), { ret: 0, errcode: 0, msg: 'ok', data: null });
  const [a2, x2] = [await info(alice), await info(them)];
  t.equal(a2.idolnum, a0.idolnum);
  t.equal(x2.fansnum, x0.fansnum);
  t.equal((await other(alice, target)).ismyidol, 0);
  t.notOk(names(await walk(alice, '/relation/get_idollist', 30)).includes(target));
  t.notOk(names(await walk(them, '/relation/get_fanslist', 30)).includes('alice'));
  t.match((await graphPost(app, '/relation/del_idol', alice, { name: target })).json(), { ret: 0 }, 'unfollowing a non-idol is harmless');
});

t.test('G19/G20 by openid: fopenids (`_`-separated) and fopenid', async (t) => {
  const [u1, u2] = await strangers(2);
  const before = await info(alice);
  const res = await graphPost(app, '/relation/add_idol', alice, { fopenids: `${openidOf(u1)}_${openidOf(u2)}` });
  t.match(res.json(), { ret: 0, data: null });
  t.equal((await info(alice)).idolnum, before.idolnum + 2);
  const top = (await ok(graphGet(app, '/relation/get_idollist', alice, { reqnum: 2, startindex: 0 }))).data;
  t.same(top.info.map((u: Json) => u.openid).sort(), [openidOf(u1), openidOf(u2)].sort());

  const x = parseXml((await graphPost(app, '/relation/del_idol', alice, { fopenid: openidOf(u1), format: 'xml' })).body) as { data: { ret: string; errcode: string; msg: string } };
  t.same([x.data.ret, x.data.errcode, x.data.msg], ['0', '0', 'ok'], 'XML answer');
  t.match((await graphPost(app, '/relation/del_idol', alice, { fopenid: openidOf(u2) })).json(), { ret: 0 });
  t.equal((await info(alice)).idolnum, before.idolnum);
  t.equal((await other(alice, u1)).ismyidol, 0);
  t.equal((await other(alice, u2)).ismyidol, 0);
});

t.test('G19 add_idol (XML) and a comma list of names; name wins over fopenids', async (t) => {
  const [u1, u2, u3] = await strangers(3);
  const before = await info(alice);
  const x = parseXml((await graphPost(app, '/relation/add_idol', alice, { name: `${u1},${u2}`, fopenids: openidOf(u3), format: 'xml' })).body) as { data: { ret: string; errcode: string; msg: string } };
  t.same([x.data.ret, x.data.errcode, x.data.msg], ['0', '0', 'ok']);
  t.equal((await info(alice)).idolnum, before.idolnum + 2);
  t.equal((await other(alice, u1)).ismyidol, 1);
  t.equal((await other(alice, u2)).ismyidol, 1);
  t.equal((await other(alice, u3)).ismyidol, 0, 'fopenids ignored when name is given');
  for (const u of [u1, u2]) await ok(graphPost(app, '/relation/del_idol', alice, { name: u }));
  t.equal((await info(alice)).idolnum, before.idolnum);
});

t.test('G19 add_idol refusals: nothing is written', async (t) => {
  const [u1] = await strangers(1);
  const before = await info(alice);
  const many = Array.from({ length: 31 }, (_, i) => `user${String(i + 6).padStart(4, '0')}`);
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /name/],
    [{ name: '' }, /name/],
    [{ name: ',,' }, /name/],
    [{ name: many.join(',') }, /name/],
    [{ name: `${u1},nobody_here` }, /name/],
    [{ name: 'alice' }, /name/],
    [{ fopenids: 'zzz' }, /fopenids/],
    [{ fopenids: Array.from({ length: 31 }, (_, i) => openidOf(`user${String(i + 6).padStart(4, '0')}`)).join('_') }, /fopenids/],
    [{ fopenids: `${openidOf(u1)}_${openidOf('bob', GRAPH_PLAIN.appid)}` }, /fopenids/],
  ];
  for (const [params, msg] of cases) {
    const body = (await graphPost(app, '/relation/add_idol', alice, params)).json() as Json;
    t.equal(body.ret, 1, JSON.stringify(params).slice(0, 80));
    t.match(body.msg, msg);
  }
  t.equal((await info(alice)).idolnum, before.idolnum, 'all or nothing');
  t.equal((await other(alice, u1)).ismyidol, 0);

  // blacklists: bob has blacklisted erin
  const erin = graphCreds(app, 'erin');
  t.match((await graphPost(app, '/relation/add_idol', erin, { name: 'bob' })).json(), { ret: 4, errcode: 5, data: null }, 'blacklisted by the target');
  t.match((await graphPost(app, '/relation/add_idol', bob, { name: 'erin' })).json(), { ret: 4, errcode: 5 }, 'target on own blacklist');
  t.match((await graphPost(app, '/relation/add_idol', erin, { name: `${u1},bob` })).json(), { ret: 4, errcode: 5 });
  t.equal((await other(erin, u1)).ismyidol, 0, 'the allowed part of a refused list is not followed either');
  t.equal((await other(bob, 'erin')).ismyidol, 0);
  const x = xmlError((await graphPost(app, '/relation/add_idol', erin, { name: 'bob', format: 'xml' })).body);
  t.same([x.ret, x.errcode], ['4', '5']);
});

t.test('G20 del_idol refusals name the parameter', async (t) => {
  const before = await info(alice);
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /name/],
    [{ name: 'nobody_here' }, /name/],
    [{ fopenid: 'nope' }, /fopenid/],
    [{ fopenid: `${openidOf('bob')}_${openidOf('carol')}` }, /fopenid/],
    [{ fopenid: openidOf('bob', GRAPH_PLAIN.appid) }, /fopenid/],
  ];
  for (const [params, msg] of cases) {
    const body = (await graphPost(app, '/relation/del_idol', alice, params)).json() as Json;
    t.equal(body.ret, 1, JSON.stringify(params));
    t.match(body.msg, msg);
  }
  t.equal((await info(alice)).idolnum, before.idolnum);
  t.equal((await other(alice, 'bob')).ismyidol, 1, 'bob is still followed');
  const x = xmlError((await graphPost(app, '/relation/del_idol', alice, { format: 'xml' })).body);
  t.equal(x.ret, '1');
});

t.test('G17–G20 need the API in the token scope (ret 100030)', async (t) => {
  const narrow = graphCreds(app, 'alice', 'get_user_info,get_info,add_t');
  const calls = [
    graphGet(app, '/relation/get_fanslist', narrow, { reqnum: 10, startindex: 0 }),
    graphGet(app, '/relation/get_idollist', narrow, { reqnum: 10, startindex: 0 }),
    graphPost(app, '/relation/add_idol', narrow, { name: 'dave' }),
    graphPost(app, '/relation/del_idol', narrow, { name: 'bob' }),
  ];
  for (const res of await Promise.all(calls)) t.match(res.json(), { ret: 100030, data: null });
  t.equal((await other(alice, 'bob')).ismyidol, 1, 'nothing changed');
  // the PHP SDK's misspelt scope name, granted through the real login flow, still allows get_idollist
  const redirect = 'http://localhost:3000/callback';
  const auth = await app.inject({
    method: 'GET',
    url: `/oauth2.0/authorize?${qs({ response_type: 'code', client_id: GRAPH.appid, redirect_uri: redirect, state: 's', scope: 'get_user_info,get_idolist', emu_user: 'alice' })}`,
  });
  const code = new URL(auth.headers.location as string).searchParams.get('code')!;
  const tok = await app.inject({
    method: 'GET',
    url: `/oauth2.0/token?${qs({ grant_type: 'authorization_code', client_id: GRAPH.appid, client_secret: GRAPH.secret, code, redirect_uri: redirect })}`,
  });
  const accessToken = new URLSearchParams(tok.body).get('access_token')!;
  const viaLogin = { access_token: accessToken, oauth_consumer_key: GRAPH.appid, openid: alice.openid };
  t.match((await graphGet(app, '/relation/get_idollist', viaLogin, { reqnum: 10, startindex: 0 })).json(), { ret: 0 });
  t.match((await graphGet(app, '/relation/get_fanslist', viaLogin, { reqnum: 10, startindex: 0 })).json(), { ret: 100030 }, 'but not get_fanslist');
});

t.test("G17–G20 refuse another user's openid", async (t) => {
  const stolen = { ...alice, openid: bob.openid };
  const bobBefore = await info(bob);
  const calls = [
    graphGet(app, '/relation/get_fanslist', stolen, { reqnum: 10, startindex: 0 }),
    graphGet(app, '/relation/get_idollist', stolen, { reqnum: 10, startindex: 0 }),
    graphPost(app, '/relation/add_idol', stolen, { name: 'dave' }),
    graphPost(app, '/relation/del_idol', stolen, { name: 'alice' }),
  ];
  for (const res of await Promise.all(calls)) {
    const body = res.json() as Json;
    t.equal(body.ret, -22);
    t.equal(body.data, null);
  }
  const bobAfter = await info(bob);
  t.equal(bobAfter.idolnum, bobBefore.idolnum, "bob's follows unchanged");
  t.equal((await other(bob, 'alice')).ismyidol, 1);
});
