// G4 get_user_info (byte layout of reference §5.1), G5 get_vip_info, G6 get_vip_rich_info
// (seed 004 members) and every refusal of server/auth/oauth2.ts.
import t from 'tap';
import { build, graphCreds, graphGet, graphPost, parseXml, GRAPH, GRAPH_PLAIN, userId } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const alice = graphCreds(app, 'alice');

/** Member order of a modern get_user_info answer (reference §5.1). */
const USER_INFO_KEYS = [
  'ret', 'msg', 'is_lost', 'nickname', 'gender', 'gender_type', 'province', 'city', 'year', 'constellation',
  'figureurl', 'figureurl_1', 'figureurl_2', 'figureurl_qq_1', 'figureurl_qq_2', 'figureurl_qq', 'figureurl_type',
  'is_yellow_vip', 'vip', 'yellow_vip_level', 'level', 'is_yellow_year_vip',
];

/** Member order of seed 004's example. */
const VIP_RICH_KEYS = [
  'ret', 'msg', 'is_lost', 'is_qq_vip', 'is_qq_year_vip', 'qq_vip_level',
  'qq_vip_start', 'qq_vip_end', 'qq_vip_payway', 'qq_year_vip_start', 'qq_year_vip_end', 'qq_year_vip_payway',
  'qq_zuanhuang_start', 'qq_zuanhuang_end', 'qq_zuanhuang_payway', 'qq_haohua_start', 'qq_haohua_end', 'qq_haohua_payway',
  'qq_svip_start', 'qq_svip_end', 'qq_svip_payway', 'history_pay_time', 'history_end_time',
];

t.test('G4 get_user_info: pretty layout byte for byte, text/html, escaped URLs', async (t) => {
  const res = await graphGet(app, '/user/get_user_info', alice);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const body = res.body;
  t.ok(body.startsWith('{\n    "ret": 0,\n    "msg": "",\n    "is_lost":0,\n    "nickname": "爱丽丝",\n'), 'opening lines, "is_lost":0 without a space');
  t.ok(body.endsWith('"\n}\n'), 'closing brace on its own line, then LF');
  const lines = body.split('\n');
  t.equal(lines[0], '{');
  t.equal(lines.length, USER_INFO_KEYS.length + 3, '{, one line per member, }, trailing empty');
  const members = lines.slice(1, -2);
  members.forEach((line, i) => {
    const sep = USER_INFO_KEYS[i] === 'is_lost' ? '":' : '": ';
    t.ok(line.startsWith(`    "${USER_INFO_KEYS[i]}${sep}`), `line ${i + 1} is ${USER_INFO_KEYS[i]}`);
    t.equal(line.endsWith(','), i < members.length - 1, 'members joined by ,LF');
  });
  t.notOk(/[^\\]\//.test(body), 'every / is escaped as \\/');
  t.match(body, /"figureurl": "http:\\\/\\\/localhost(:\d+)?\\\/qzapp\\\/101000001\\\/[0-9A-F]{32}\\\/30"/);
  // and it is still JSON
  const j = JSON.parse(body);
  t.same(Object.keys(j), USER_INFO_KEYS);
  t.equal(j.ret, 0);
  t.equal(j.is_lost, 0);
  t.equal(j.gender, '女');
  t.equal(j.gender_type, 2);
  t.equal(j.is_yellow_vip, '1');
  t.equal(j.vip, '1');
  t.equal(j.yellow_vip_level, '7');
  t.equal(j.level, '7');
  t.equal(j.figureurl_type, '1');
  for (const k of USER_INFO_KEYS) {
    if (k === 'ret' || k === 'is_lost' || k === 'gender_type') t.type(j[k], 'number', k);
    else t.type(j[k], 'string', k);
  }
  t.equal(j.figureurl_1, j.figureurl.replace(/\/30$/, '/50'));
  t.equal(j.figureurl_2, j.figureurl.replace(/\/30$/, '/100'));
  t.match(j.figureurl_qq_1, /\/qqapp\/101000001\/[0-9A-F]{32}\/40$/);
  t.match(j.figureurl_qq_2, /\/100$/);
  t.match(j.figureurl_qq, /\/640$/);
  const openid = app.world.apps.openidFor(GRAPH.appid, userId(app, 'alice'));
  t.ok(j.figureurl.includes(`/${openid}/`), 'QZone avatar embeds appid and openid');
});

t.test('G4 get_user_info: the avatar URLs serve a picture', async (t) => {
  const j = (await graphGet(app, '/user/get_user_info', alice)).json();
  for (const u of [j.figureurl, j.figureurl_qq_1, j.figureurl_qq]) {
    const pic = await app.inject({ method: 'GET', url: new URL(u).pathname });
    t.equal(pic.statusCode, 200, u);
    t.match(pic.headers['content-type'], /^image\//);
    t.ok(pic.rawPayload.length > 0);
  }
});

t.test('G4 get_user_info: a male user without VIP, POST form, gender_type 1', async (t) => {
  const res = await graphPost(app, '/user/get_user_info', graphCreds(app, 'bob'));
  const j = res.json();
  t.equal(j.ret, 0);
  t.equal(j.nickname, '鲍勃');
  t.equal(j.gender, '男');
  t.equal(j.gender_type, 1);
});

t.test('G4 get_user_info XML', async (t) => {
  const res = await graphGet(app, '/user/get_user_info', alice, { format: 'xml' });
  t.match(res.headers['content-type'], /^text\/xml/);
  const x = parseXml(res.body) as { data: Record<string, string> };
  t.equal(x.data.ret, '0');
  t.equal(x.data.nickname, '爱丽丝');
  t.equal(x.data.gender, '女');
  t.equal(x.data.is_yellow_vip, '1');
  t.match(x.data.figureurl_qq_1, /\/qqapp\/101000001\/[0-9A-F]{32}\/40$/);
  t.notOk(res.body.includes('\\/'), 'XML URLs are not JSON-escaped');
});

t.test('G4 format other than lower-case xml means JSON', async (t) => {
  const res = await graphGet(app, '/user/get_user_info', alice, { format: 'XML' });
  t.equal(JSON.parse(res.body).ret, 0);
});

t.test('G5 get_vip_info JSON: numbers, documented member order', async (t) => {
  const res = await graphGet(app, '/user/get_vip_info', alice);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const j = res.json();
  t.same(Object.keys(j), ['ret', 'msg', 'is_qq_vip', 'qq_vip_level', 'is_qq_year_vip']);
  t.equal(j.ret, 0);
  t.equal(j.msg, '');
  t.equal(j.is_qq_vip, 1);
  t.equal(j.qq_vip_level, 5);
  t.type(j.is_qq_year_vip, 'number');
  const u = app.world.users.byName('alice')!;
  t.equal(j.is_qq_year_vip, u.is_qq_year_vip);
  t.match(res.body, /^\{"ret":0,"msg":"","is_qq_vip":1,"qq_vip_level":5,"is_qq_year_vip":[01]\}$/, 'compact JSON');
});

t.test('G5 get_vip_info XML and POST', async (t) => {
  const x = parseXml((await graphGet(app, '/user/get_vip_info', alice, { format: 'xml' })).body) as { data: Record<string, string> };
  t.equal(x.data.ret, '0');
  t.equal(x.data.is_qq_vip, '1');
  t.equal(x.data.qq_vip_level, '5');
  const post = (await graphPost(app, '/user/get_vip_info', alice)).json();
  t.equal(post.qq_vip_level, 5);
});

t.test('G6 get_vip_rich_info JSON: seed 004 members, all numbers', async (t) => {
  const j = (await graphGet(app, '/user/get_vip_rich_info', alice)).json();
  t.same(Object.keys(j), VIP_RICH_KEYS);
  for (const k of VIP_RICH_KEYS.filter((k) => k !== 'msg')) t.type(j[k], 'number', k);
  t.equal(j.ret, 0);
  t.equal(j.is_lost, 0);
  t.equal(j.is_qq_vip, 1);
  t.equal(j.qq_vip_level, 5);
  t.ok(j.qq_vip_start > 0);
  t.equal(j.qq_vip_end - j.qq_vip_start, 31536000, 'a year of membership');
  t.ok([5, 100, 111, 118].includes(j.qq_vip_payway), 'a payway code of seed 004');
  t.equal(j.history_pay_time, 0, 'history only for non-members');
  t.equal(j.qq_svip_start, 0);
});

t.test('G6 get_vip_rich_info for a non-member: history fields set, POST', async (t) => {
  const non = app.world.users.list(40).find((u) => u.is_qq_vip === 0);
  t.ok(non, 'the seed has a non-member');
  const j = (await graphPost(app, '/user/get_vip_rich_info', graphCreds(app, non!.name))).json();
  t.equal(j.ret, 0);
  t.equal(j.is_qq_vip, 0);
  t.equal(j.qq_vip_level, 0);
  t.equal(j.qq_vip_start, 0);
  t.equal(j.qq_vip_payway, 0);
  t.ok(j.history_pay_time > 0);
  t.ok(j.history_end_time > j.history_pay_time);
});

t.test('G6 get_vip_rich_info XML: seed 004 element order', async (t) => {
  const res = await graphGet(app, '/user/get_vip_rich_info', alice, { format: 'xml' });
  const x = parseXml(res.body) as { data: Record<string, string> };
  t.same(Object.keys(x.data), VIP_RICH_KEYS);
  t.equal(x.data.ret, '0');
  t.equal(x.data.msg, '');
  t.equal(x.data.is_qq_vip, '1');
  t.equal(x.data.qq_vip_level, '5');
});

// ---------------------------------------------------------------------------------------
// Refusals of server/auth/oauth2.ts, on every endpoint of this file

const ENDPOINTS = ['/user/get_user_info', '/user/get_vip_info', '/user/get_vip_rich_info'];

function without(o: Record<string, string>, k: string) {
  const c = { ...o };
  delete c[k];
  return c;
}

/** A subtest's `t` (the last overload of t.test takes just the callback). */
type T = Parameters<Parameters<typeof t.test>[0]>[0];

async function refused(t: T, path: string, creds: Record<string, string>, ret: number, msg: RegExp, params: Record<string, string> = {}) {
  const res = await graphGet(app, path, creds, params);
  t.equal(res.statusCode, 200, `${path}: HTTP 200 on errors`);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const j = res.json();
  t.same(Object.keys(j), ['ret', 'msg'], `${path}: only ret and msg`);
  t.equal(j.ret, ret, `${path}: ret ${ret}`);
  t.match(j.msg, msg);
}

t.test('missing access_token: 100007', async (t) => {
  for (const p of ENDPOINTS) await refused(t, p, without(alice, 'access_token'), 100007, /access token/);
});

t.test('missing oauth_consumer_key: 100001; `appid` is accepted as its name', async (t) => {
  for (const p of ENDPOINTS) await refused(t, p, without(alice, 'oauth_consumer_key'), 100001, /oauth_consumer_key|appid/);
  const res = await graphGet(app, '/user/get_vip_info', { ...without(alice, 'oauth_consumer_key'), appid: GRAPH.appid });
  t.equal(res.json().ret, 0);
});

t.test('missing openid: -1', async (t) => {
  for (const p of ENDPOINTS) await refused(t, p, without(alice, 'openid'), -1, /openid/);
});

t.test('unknown access token: 100016', async (t) => {
  for (const p of ENDPOINTS) await refused(t, p, { ...alice, access_token: '0123456789ABCDEF0123456789ABCDEF' }, 100016, /access token check failed/);
});

t.test('token issued to another app: 100013', async (t) => {
  const other = graphCreds(app, 'alice', 'all', GRAPH_PLAIN.appid);
  for (const p of ENDPOINTS) await refused(t, p, { ...alice, access_token: other.access_token }, 100013, /another app|illegal/);
});

t.test('revoked token: 100015', async (t) => {
  const c = graphCreds(app, 'alice');
  t.equal((await graphGet(app, '/user/get_user_info', c)).json().ret, 0, 'works before the revocation');
  t.ok(app.world.oauth2.revoke(c.access_token));
  for (const p of ENDPOINTS) await refused(t, p, c, 100015, /revoked/);
});

t.test('expired token: 100014', async (t) => {
  const c = graphCreds(app, 'alice');
  app.world.clock.advance(7776001);
  t.teardown(() => app.world.clock.advance(-7776001));
  for (const p of ENDPOINTS) await refused(t, p, c, 100014, /expired/);
});

t.test('token still valid ten seconds before its 90 days are up', async (t) => {
  const c = graphCreds(app, 'alice');
  app.world.clock.advance(7775990);
  t.teardown(() => app.world.clock.advance(-7775990));
  t.equal((await graphGet(app, '/user/get_user_info', c)).json().ret, 0);
});

t.test("wrong openid (another user's, or garbage): -22", async (t) => {
  const bobOpenid = app.world.apps.openidFor(GRAPH.appid, userId(app, 'bob'));
  for (const p of ENDPOINTS) {
    await refused(t, p, { ...alice, openid: bobOpenid }, -22, /openid is invalid/);
    await refused(t, p, { ...alice, openid: 'NOT-AN-OPENID' }, -22, /openid is invalid/);
  }
});

t.test('alice in another app has another openid; mixing them is -22', async (t) => {
  const plain = graphCreds(app, 'alice', 'all', GRAPH_PLAIN.appid);
  t.not(plain.openid, alice.openid);
  await refused(t, '/user/get_user_info', { ...alice, openid: plain.openid }, -22, /openid/);
});

t.test('app not approved for the VIP APIs: 100031 (get_user_info still allowed)', async (t) => {
  const plain = graphCreds(app, 'alice', 'all', GRAPH_PLAIN.appid);
  await refused(t, '/user/get_vip_info', plain, 100031, /get_vip_info/);
  await refused(t, '/user/get_vip_rich_info', plain, 100031, /get_vip_rich_info/);
  const res = await graphGet(app, '/user/get_user_info', plain);
  t.equal(res.json().ret, 0, 'get_user_info needs no approval');
  t.ok(res.body.includes(`qzapp\\/${GRAPH_PLAIN.appid}\\/${plain.openid}\\/30`), 'avatar URL of the calling app');
});

t.test('API not in the token scope: 100030 (get_user_info always granted)', async (t) => {
  const narrow = graphCreds(app, 'alice', 'get_user_info');
  await refused(t, '/user/get_vip_info', narrow, 100030, /get_vip_info/);
  await refused(t, '/user/get_vip_rich_info', narrow, 100030, /get_vip_rich_info/);
  t.equal((await graphGet(app, '/user/get_user_info', narrow)).json().ret, 0);
  const vipOnly = graphCreds(app, 'alice', 'get_vip_info');
  t.equal((await graphGet(app, '/user/get_vip_info', vipOnly)).json().ret, 0, 'a scope naming the API grants it');
  await refused(t, '/user/get_vip_rich_info', vipOnly, 100030, /get_vip_rich_info/);
});

t.test('refusals in XML: <root><data> with a CDATA msg (seed 003)', async (t) => {
  const res = await graphGet(app, '/user/get_vip_info', without(alice, 'access_token'), { format: 'xml' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/xml/);
  t.match(res.body, /<root><data><ret>100007<\/ret><msg><!\[CDATA\[/);
  const x = parseXml(res.body) as { root: { data: { ret: string; msg: string } } };
  t.equal(x.root.data.ret, '100007');
  t.match(x.root.data.msg, /access token/);
});
