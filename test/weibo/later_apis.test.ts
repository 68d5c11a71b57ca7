// The later v1 additions the OAuth 2.0-era SDKs call (docs/endpoints.md L1–L8):
// statuses/{home,user,broadcast,mentions}_timeline_ids, t/list, user/infos,
// friends/fanslist_s and idollist_s; and the openid OAuth 2.0 callers get in answers.
import t from 'tap';
import { build, qs, parseXml, WEIBO, weiboCreds, signed, userId } from '../helpers.js';
import { WEIBO_ACCESS_TTL } from '../../db/oauth2.js';

const app = await build();
t.teardown(() => app.close());
const world = app.world;

/** OAuth 2.0 parameters for a user, minted in the store (the flow itself is test/weibo/oauth2.test.ts). */
function v2(name: string) {
  const id = userId(app, name);
  const tok = world.oauth2.issueToken(WEIBO.appid, id, 'all', WEIBO_ACCESS_TTL);
  return { oauth_consumer_key: WEIBO.appid, access_token: tok.access_token, openid: world.apps.openidFor(WEIBO.appid, id), oauth_version: '2.a', scope: 'all', clientip: '203.0.113.7' };
}

type Answer = { ret: number; errcode: number; msg: string; data: Record<string, unknown> & { info: Record<string, unknown>[]; hasnext: number } };
const get = async (path: string, creds: Record<string, string>, params: Record<string, string | number> = {}): Promise<Answer> =>
  JSON.parse((await app.inject({ method: 'GET', url: `${path}?${qs({ ...creds, ...params })}` })).body);

const bob = v2('bob');
const alice = v2('alice');

t.test('*_timeline_ids: the full timeline\'s ids and timestamps, page by page', async (t) => {
  const pairs: [string, string, Record<string, string>][] = [
    ['/api/statuses/home_timeline_ids', '/api/statuses/home_timeline', {}],
    ['/api/statuses/user_timeline_ids', '/api/statuses/user_timeline', { name: 'carol' }],
    ['/api/statuses/broadcast_timeline_ids', '/api/statuses/broadcast_timeline', {}],
    ['/api/statuses/mentions_timeline_ids', '/api/statuses/mentions_timeline', {}],
  ];
  for (const [ids, full, extra] of pairs) {
    let params: Record<string, string | number> = { ...extra, pageflag: 0, reqnum: 7 };
    for (let page = 0; page < 3; page++) {
      const a = await get(ids, alice, params);
      const b = await get(full, alice, params);
      t.equal(a.ret, 0, `${ids} page ${page}: ${a.msg}`);
      t.same(a.data.info, b.data.info.map((tw) => ({ id: tw.id, timestamp: tw.timestamp })), `${ids} page ${page}`);
      t.equal(a.data.hasnext, b.data.hasnext, `${ids} page ${page} hasnext`);
      if (!a.data.info.length) break;
      const last = a.data.info[a.data.info.length - 1];
      params = { ...extra, pageflag: 1, pagetime: Number(last.timestamp), lastid: String(last.id), reqnum: 7 };
    }
  }
  const some = await get('/api/statuses/home_timeline_ids', alice, { reqnum: 3 });
  t.equal(some.data.info.length, 3);
  t.same(Object.keys(some.data.info[0]), ['id', 'timestamp']);
  t.match((await get('/api/statuses/user_timeline_ids', alice)).msg, /name/, 'user_timeline_ids needs name');
  t.equal((await get('/api/statuses/user_timeline_ids', alice, { name: 'nobody' })).ret, 1);
  // OAuth 1.0a callers get the same index
  const signedIds = JSON.parse((await signed(app, weiboCreds(app, 'alice'), { method: 'GET', path: '/api/statuses/home_timeline_ids', params: { reqnum: 3 } })).body);
  t.same(signedIds.data.info, some.data.info);
});

t.test('t/list: the tweets asked for, in order, deleted and unknown ones left out', async (t) => {
  const ids = (await get('/api/statuses/broadcast_timeline_ids', bob, { reqnum: 4 })).data.info.map((r) => String(r.id));
  t.equal(ids.length, 4);
  const del = await app.inject({ method: 'POST', url: '/api/t/del', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs({ ...bob, id: ids[1] }) });
  t.equal(JSON.parse(del.body).ret, 0);
  const asked = [ids[3], ids[1], '999999999999999', ids[0], ids[3]];
  const list = await get('/api/t/list', alice, { ids: asked.join(',') });
  t.equal(list.ret, 0, list.msg);
  t.same(list.data.info.map((tw) => tw.id), [ids[3], ids[0]]);
  const show = JSON.parse((await app.inject({ method: 'GET', url: `/api/t/show?${qs({ ...alice, id: ids[0] })}` })).body);
  t.same(list.data.info[1], show.data, 'each tweet as t/show shapes it');
  t.same(Object.keys(list.data).sort(), ['info', 'timestamp', 'user']);

  const xml = await app.inject({ method: 'GET', url: `/api/t/list?${qs({ ...alice, ids: ids[0], format: 'xml' })}` });
  t.equal((parseXml(xml.body).root as { data: { info: { id: string } } }).data.info.id, ids[0]);

  t.equal((await get('/api/t/list', alice, {})).ret, 1, 'ids missing');
  t.match((await get('/api/t/list', alice, { ids: 'abc' })).msg, /not a tweet id/);
  t.match((await get('/api/t/list', alice, { ids: Array.from({ length: 31 }, (_, i) => i + 1).join(',') })).msg, /at most 30/);
});

t.test('user/infos: other_info\'s profile of each account, GET or POST', async (t) => {
  const infos = await get('/api/user/infos', alice, { names: 'bob,carol,bob' });
  t.equal(infos.ret, 0, infos.msg);
  t.same(infos.data.info.map((u) => u.name), ['bob', 'carol']);
  const other = JSON.parse((await app.inject({ method: 'GET', url: `/api/user/other_info?${qs({ ...alice, name: 'bob' })}` })).body).data;
  t.same(infos.data.info[0], Object.fromEntries(Object.entries(other).filter(([k]) => !/^Ismy/.test(k))));
  t.equal(infos.data.info[0].ismyidol, 1, 'alice follows bob');
  const post = await app.inject({ method: 'POST', url: '/api/user/infos', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs({ ...alice, names: 'dave' }) });
  t.equal(JSON.parse(post.body).data.info[0].nick, '大卫');
  t.match((await get('/api/user/infos', alice, { names: 'bob,nobody' })).msg, /nobody/);
  t.equal((await get('/api/user/infos', alice, {})).ret, 1);
});

t.test('friends/fanslist_s and idollist_s: simple items, 200 a page', async (t) => {
  /** Every name of a full list (30 a page). */
  const wholeList = async (path: string) => {
    const names: string[] = [];
    for (let start = 0; ; start += 30) {
      const page = await get(path, alice, { reqnum: 30, startindex: start });
      names.push(...page.data.info.map((u) => String(u.name)));
      if (page.data.hasnext === 1) return names;
    }
  };
  const fans = await get('/api/friends/fanslist_s', alice, { reqnum: 200, startindex: 0 });
  t.equal(fans.ret, 0, fans.msg);
  const full = await wholeList('/api/friends/fanslist');
  t.same(fans.data.info.map((u) => u.name), full, 'the same fans as fanslist, in its order');
  t.ok(full.length > 30);
  t.equal(fans.data.hasnext, 1);
  const bobItem = fans.data.info.find((u) => u.name === 'bob')!;
  t.same(Object.keys(bobItem).sort(), ['fansnum', 'head', 'idolnum', 'isvip', 'name', 'nick', 'openid', 'sex']);
  t.equal(bobItem.openid, world.apps.openidFor(WEIBO.appid, userId(app, 'bob')));
  const page2 = await get('/api/friends/fanslist_s', alice, { reqnum: 5, startindex: 5, install: 0, mode: 1 });
  t.same(page2.data.info.map((u) => u.name), full.slice(5, 10));
  t.equal(page2.data.hasnext, 0);

  const idols = await get('/api/friends/idollist_s', alice);
  t.same(idols.data.info.map((u) => u.name), await wholeList('/api/friends/idollist'));
  t.ok(idols.data.info.some((u) => u.name === 'bob'));

  t.match((await get('/api/friends/fanslist_s', alice, { reqnum: 201 })).msg, /reqnum/);
  t.equal((await get('/api/friends/fanslist_s', alice, { reqnum: 0 })).ret, 1);
  t.equal((await get('/api/friends/fanslist_s', alice, { startindex: -1 })).ret, 1);
  t.equal((await get('/api/friends/fanslist_s', alice, { install: 7 })).ret, 1);
  // OAuth 1.0a callers: the same list without openid (the 2010 wire had none)
  const signedFans = JSON.parse((await signed(app, weiboCreds(app, 'alice'), { method: 'GET', path: '/api/friends/fanslist_s', params: { reqnum: 3 } })).body);
  t.notOk('openid' in signedFans.data.info[0]);
});

t.test('OAuth 2.0 callers get openids in answers; OAuth 1.0a answers are unchanged', async (t) => {
  const info = await get('/api/user/info', bob);
  t.equal(info.data.openid, bob.openid);
  const home = await get('/api/statuses/home_timeline', bob, { reqnum: 3 });
  for (const tw of home.data.info) t.equal(tw.openid, world.apps.openidFor(WEIBO.appid, userId(app, String(tw.name))));
  const signedInfo = JSON.parse((await signed(app, weiboCreds(app, 'bob'), { method: 'GET', path: '/api/user/info' })).body);
  t.notOk('openid' in signedInfo.data);
});
