// G21 cft_info/get_tenpay_addr: the flat `_<n>`-suffixed body of reference §5.4, offset /
// limit / ver validation, XML, approval and scope refusals.
import t from 'tap';
import { build, graphCreds, graphGet, graphPost, parseXml, GRAPH_PLAIN } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const alice = graphCreds(app, 'alice');
const PATH = '/cft_info/get_tenpay_addr';

/** The members of one address, in the Java SDK's (TenpayAddressBean) order. */
const FIELDS = ['FRegionId', 'FUsedCount', 'Fname', 'Ftel', 'Fzipcode', 'Fmobile', 'Faddrstreet', 'Flastuse_time', 'Fmod_time', 'Fcreate_time', 'Findex'];
const keysFor = (n: number) => ['ret', 'msg', 'ret_num', ...Array.from({ length: n }, (_, i) => FIELDS.map((f) => `${f}_${i}`)).flat()];

/** Reads the addresses back the way the Java SDK does: FRegionId_i … for i < ret_num. */
function addresses(j: Record<string, string | number>) {
  return Array.from({ length: Number(j.ret_num) }, (_, i) => Object.fromEntries(FIELDS.map((f) => [f, j[`${f}_${i}`]])));
}

const usersWith = (n: number) =>
  (app.world.db.prepare('SELECT u.name FROM users u WHERE (SELECT COUNT(*) FROM tenpay_addresses t WHERE t.user_id = u.id) = ? ORDER BY u.id').all(n) as { name: string }[]).map((r) => r.name);

t.test('G21 JSON: flat _<n> members, ret_num, msg "ok", newest address first', async (t) => {
  const res = await graphGet(app, PATH, alice);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const j = res.json();
  t.same(Object.keys(j), keysFor(2), 'members in order, no nesting');
  t.equal(j.ret, 0);
  t.equal(j.msg, 'ok');
  t.equal(j.ret_num, 2);
  const [a0, a1] = addresses(j);
  t.equal(a0.Fname, '张三');
  t.equal(a0.Faddrstreet, '深圳市南山区腾讯大厦');
  t.equal(a0.FRegionId, '440300', 'region code as a string');
  t.equal(a0.Fzipcode, '518057');
  t.equal(a0.Fmobile, '13800138000');
  t.equal(a0.Ftel, '0755-86013388');
  t.type(a0.FUsedCount, 'number');
  t.match(a0.Flastuse_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.match(a0.Fmod_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.match(a0.Fcreate_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.equal(a0.Findex, 2, 'the newest address has the highest index (wiki example)');
  t.equal(a1.Findex, 1);
  t.match(res.body, /^\{"ret":0,"msg":"ok","ret_num":2,"FRegionId_0":"440300","FUsedCount_0":\d+,"Fname_0":"张三",/);
});

t.test('G21 defaults: ver 1, offset 0, limit 5; POST (Java SDK) answers the same', async (t) => {
  const plain = (await graphGet(app, PATH, alice)).body;
  t.equal((await graphGet(app, PATH, alice, { ver: 1, offset: 0, limit: 5 })).body, plain);
  t.equal((await graphPost(app, PATH, alice, { ver: 1 })).body, plain);
});

t.test('G21 offset and limit page through the list; suffixes restart at _0', async (t) => {
  const all = addresses((await graphGet(app, PATH, alice)).json());
  const first = (await graphGet(app, PATH, alice, { offset: 0, limit: 1 })).json();
  t.same(Object.keys(first), keysFor(1));
  t.equal(first.ret_num, 1);
  t.same(addresses(first), [all[0]]);
  const second = (await graphGet(app, PATH, alice, { offset: 1, limit: 1 })).json();
  t.same(Object.keys(second), keysFor(1));
  t.same(addresses(second), [all[1]]);
  const past = (await graphGet(app, PATH, alice, { offset: 2, limit: 5 })).json();
  t.equal(past.ret, 0);
  t.equal(past.ret_num, 0);
  t.same(Object.keys(past), keysFor(0), 'no address members when past the end');
});

t.test('G21 users with one and with no address', async (t) => {
  const one = usersWith(1)[0];
  const none = usersWith(0)[0];
  t.ok(one && none, 'the seed has both');
  const j1 = (await graphGet(app, PATH, graphCreds(app, one))).json();
  t.equal(j1.ret_num, 1);
  t.equal(j1.Fname_0, `收货人${app.world.users.byName(one)!.id}`);
  t.equal(j1.Findex_0, 1);
  const j0 = (await graphGet(app, PATH, graphCreds(app, none))).json();
  t.same(j0, { ret: 0, msg: 'ok', ret_num: 0 });
});

t.test('G21 XML: flat elements under <data>', async (t) => {
  const res = await graphGet(app, PATH, alice, { format: 'xml' });
  t.match(res.headers['content-type'], /^text\/xml/);
  const x = parseXml(res.body) as { data: Record<string, string> };
  t.same(Object.keys(x.data), keysFor(2));
  t.equal(x.data.ret, '0');
  t.equal(x.data.msg, 'ok');
  t.equal(x.data.ret_num, '2');
  t.equal(x.data.Fname_0, '张三');
  t.equal(x.data.FRegionId_1, '440300');
  t.equal(x.data.Findex_0, '2');
});

t.test('G21 parameter refusals name offset, limit and ver', async (t) => {
  const cases: [Record<string, string | number>, string][] = [
    [{ offset: -1 }, 'offset'],
    [{ offset: 'abc' }, 'offset'],
    [{ offset: '1.5' }, 'offset'],
    [{ limit: 0 }, 'limit'],
    [{ limit: -3 }, 'limit'],
    [{ limit: 'five' }, 'limit'],
    [{ limit: 51 }, 'limit'],
    [{ ver: 2 }, 'ver'],
    [{ ver: 'v1' }, 'ver'],
  ];
  for (const [params, name] of cases) {
    const res = await graphGet(app, PATH, alice, params);
    t.equal(res.statusCode, 200);
    const j = res.json();
    t.same(Object.keys(j), ['ret', 'msg']);
    t.equal(j.ret, 1, `${JSON.stringify(params)} → ret 1`);
    t.match(j.msg, new RegExp(`\\b${name}\\b`), j.msg);
  }
  t.equal((await graphGet(app, PATH, alice, { limit: 50 })).json().ret, 0, 'limit 50 is allowed');
  const xml = await graphGet(app, PATH, alice, { limit: 0, format: 'xml' });
  const x = parseXml(xml.body) as { root: { data: { ret: string; msg: string } } };
  t.equal(x.root.data.ret, '1');
  t.match(x.root.data.msg, /limit/);
});

t.test('G21 needs the app approved (100031) and get_tenpay_addr in scope (100030)', async (t) => {
  const plain = (await graphGet(app, PATH, graphCreds(app, 'alice', 'all', GRAPH_PLAIN.appid))).json();
  t.equal(plain.ret, 100031);
  t.match(plain.msg, /get_tenpay_addr/);
  const narrow = (await graphGet(app, PATH, graphCreds(app, 'alice', 'get_user_info,list_album'))).json();
  t.equal(narrow.ret, 100030);
  t.match(narrow.msg, /get_tenpay_addr/);
  t.equal((await graphGet(app, PATH, graphCreds(app, 'alice', 'get_tenpay_addr'))).json().ret, 0);
  const missing = (await graphGet(app, PATH, { oauth_consumer_key: alice.oauth_consumer_key, openid: alice.openid })).json();
  t.equal(missing.ret, 100007);
});
