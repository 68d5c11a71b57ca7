// G11 user/get_info and G16 user/get_other_info: the Weibo profile wrappers (field list of
// seed 001), JSON and XML, name / fopenid lookup and refusals.
import t from 'tap';
import { build, graphCreds, graphGet, parseXml, userId, GRAPH, GRAPH_PLAIN } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const alice = graphCreds(app, 'alice');
const bob = graphCreds(app, 'bob');

type Json = Record<string, any>;
const openidOf = (name: string, appid: string = GRAPH.appid) => app.world.apps.openidFor(appid, userId(app, name));
const xmlError = (body: string) => (parseXml(body) as { root: { data: { ret: string; errcode: string; msg: string } } }).root.data;

/** Seed 001's data members (besides openid, which the seed lists too). */
const SEED_001_FIELDS = [
  'birth_day', 'birth_month', 'birth_year', 'city_code', 'comp', 'country_code', 'edu', 'exp', 'fansnum', 'favnum', 'head',
  'homecity_code', 'homecountry_code', 'homepage', 'homeprovince_code', 'hometown_code', 'idolnum', 'industry_code', 'introduction',
  'isent', 'ismyblack', 'ismyfans', 'ismyidol', 'isrealname', 'isvip', 'level', 'location', 'mutual_fans_num', 'name', 'nick', 'openid',
  'province_code', 'regtime', 'send_private_flag', 'sex', 'tag', 'tweetinfo', 'tweetnum', 'verifyinfo',
];

t.test('G11 get_info (JSON): the caller profile with seed 001 fields and types', async (t) => {
  const res = await graphGet(app, '/user/get_info', alice);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
  const body = res.json() as Json;
  t.same(Object.keys(body), ['ret', 'errcode', 'msg', 'data', 'seqid']);
  t.match(body, { ret: 0, errcode: 0, msg: 'ok' });
  t.match(res.body, /"seqid":\d{19}}$/);
  const d = body.data;
  for (const f of SEED_001_FIELDS) t.ok(f in d, `has ${f}`);
  t.equal(d.name, 'alice');
  t.equal(d.nick, '爱丽丝');
  t.equal(d.openid, alice.openid, 'openid of the caller for this app');
  t.equal(d.sex, 2);
  t.equal(d.province_code, '44');
  t.equal(d.city_code, '3');
  t.equal(d.isvip, 1);
  for (const f of ['birth_year', 'birth_month', 'birth_day', 'fansnum', 'idolnum', 'tweetnum', 'favnum', 'mutual_fans_num', 'regtime', 'exp', 'level']) {
    t.type(d[f], 'number', `${f} is a number`);
  }
  t.same([d.ismyblack, d.ismyfans, d.ismyidol], [0, 0, 0], 'no relation flags about oneself');
  t.match(d.head, /^http:\/\/localhost(:80)?\/mbloghead\/[0-9a-f]{32}$/);
  t.match(res.body, /"head":"http:\\\/\\\//, 'slashes escaped as graph.qq.com did');
  t.ok(Array.isArray(d.tweetinfo));
  t.equal(d.tweetinfo.length, 1);
  t.match(d.tweetinfo[0], { id: /^\d+$/, self: 1, timestamp: Number });
  // without the author's own fields, as in seed 001's dump: the profile around it carries them
  for (const k of ['name', 'nick', 'head', 'openid', 'isvip']) t.notOk(k in d.tweetinfo[0], `tweetinfo has no ${k}`);
  // counters agree with the lists behind them
  const fans = (await graphGet(app, '/relation/get_fanslist', alice, { reqnum: 30, startindex: 0 })).json() as Json;
  t.ok(d.fansnum >= fans.data.info.length);
  t.ok(d.fansnum > 30, 'alice has many fans (seed)');
});

t.test('G11 get_info (XML)', async (t) => {
  const res = await graphGet(app, '/user/get_info', bob, { format: 'xml' });
  t.match(res.headers['content-type'], /text\/xml/);
  t.match(res.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<data><ret>0<\/ret><errcode>0<\/errcode><msg>ok<\/msg><data>/);
  const x = parseXml(res.body) as { data: { ret: string; data: Json } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.data.name, 'bob');
  t.equal(x.data.data.nick, '鲍勃');
  t.equal(x.data.data.openid, bob.openid);
  t.equal(x.data.data.sex, '1');
  t.match(x.data.data.tweetinfo.id, /^\d+$/);
  t.equal(x.data.data.tweetinfo.name, undefined, 'tweetinfo has no name');
  t.equal(res.body.match(/<nick>/g)?.length, 1, 'exactly one <nick>: the profile owner');
});

t.test('G11 get_info is per caller and per app', async (t) => {
  const plain = graphCreds(app, 'alice', 'all', GRAPH_PLAIN.appid);
  const d = ((await graphGet(app, '/user/get_info', plain)).json() as Json).data;
  t.equal(d.name, 'alice');
  t.equal(d.openid, plain.openid);
  t.not(d.openid, alice.openid, 'another app sees another openid');
  t.notOk('openid' in d.tweetinfo[0], 'tweetinfo repeats no openid');
});

t.test('G16 get_other_info by name (JSON): relation flags and openid of the subject', async (t) => {
  const res = await graphGet(app, '/user/get_other_info', alice, { name: 'bob' });
  const body = res.json() as Json;
  t.match(body, { ret: 0, errcode: 0, msg: 'ok' });
  t.match(res.body, /"seqid":\d{19}}$/);
  const d = body.data;
  for (const f of SEED_001_FIELDS) t.ok(f in d, `has ${f}`);
  t.equal(d.name, 'bob');
  t.equal(d.openid, bob.openid);
  t.equal(d.ismyidol, 1, 'alice follows bob');
  t.equal(d.ismyfans, 1, 'bob follows alice');
  t.equal(d.ismyblack, 0);
  t.equal(d.tweetinfo[0]?.self, 0, "bob's tweet is not the caller's");
  const own = ((await graphGet(app, '/user/get_info', bob)).json() as Json).data;
  for (const f of ['fansnum', 'idolnum', 'tweetnum', 'favnum', 'regtime', 'birth_year']) t.equal(d[f], own[f], `${f} as bob sees it`);
});

t.test('G16 get_other_info by fopenid; name wins over fopenid', async (t) => {
  const byOpenid = ((await graphGet(app, '/user/get_other_info', alice, { fopenid: openidOf('carol') })).json() as Json).data;
  t.equal(byOpenid.name, 'carol');
  t.equal(byOpenid.openid, openidOf('carol'));
  const lower = ((await graphGet(app, '/user/get_other_info', alice, { fopenid: openidOf('carol').toLowerCase() })).json() as Json).data;
  t.equal(lower?.name, 'carol', 'openids compare case-insensitively');
  const both = ((await graphGet(app, '/user/get_other_info', alice, { name: 'dave', fopenid: openidOf('carol') })).json() as Json).data;
  t.equal(both.name, 'dave');
});

t.test('G16 get_other_info flags: blacklist and one-way follows', async (t) => {
  const d = ((await graphGet(app, '/user/get_other_info', bob, { name: 'erin' })).json() as Json).data;
  t.equal(d.ismyblack, 1, 'bob has blacklisted erin');
  t.equal(d.ismyidol, 0);
  const rev = ((await graphGet(app, '/user/get_other_info', graphCreds(app, 'erin'), { name: 'bob' })).json() as Json).data;
  t.equal(rev.ismyblack, 0, "erin has not blacklisted bob");
  t.equal(rev.nick, '鲍勃');
  const x = ((await graphGet(app, '/user/get_other_info', alice, { name: 'erin' })).json() as Json).data;
  t.equal(x.nick, 'Erin <script>', 'nick is data, not markup');
});

t.test('G16 get_other_info (XML)', async (t) => {
  const res = await graphGet(app, '/user/get_other_info', alice, { name: 'bob', format: 'xml' });
  const x = parseXml(res.body) as { data: { ret: string; data: Json } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.data.name, 'bob');
  t.equal(x.data.data.openid, bob.openid);
  t.equal(x.data.data.ismyidol, '1');
  const erin = parseXml((await graphGet(app, '/user/get_other_info', alice, { name: 'erin', format: 'xml' })).body) as { data: { data: Json } };
  t.equal(erin.data.data.nick, 'Erin <script>', 'escaped in XML and read back');
  t.notMatch((await graphGet(app, '/user/get_other_info', alice, { name: 'erin', format: 'xml' })).body, /<script>/);
});

t.test('G16 get_other_info parameter errors name the parameter', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /name/],
    [{ name: '' }, /name/],
    [{ name: 'nobody_here' }, /name/],
    [{ fopenid: 'not-an-openid' }, /fopenid/],
    [{ fopenid: '0123456789ABCDEF0123456789ABCDEF' }, /fopenid/],
    [{ fopenid: openidOf('bob', GRAPH_PLAIN.appid) }, /fopenid/],
  ];
  for (const [params, msg] of cases) {
    const body = (await graphGet(app, '/user/get_other_info', alice, params)).json() as Json;
    t.equal(body.ret, 1, JSON.stringify(params));
    t.match(body.msg, msg, JSON.stringify(params));
    t.equal(body.data, null);
  }
  const x = xmlError((await graphGet(app, '/user/get_other_info', alice, { name: 'nobody_here', format: 'xml' })).body);
  t.equal(x.ret, '1');
  t.match(x.msg, /name/);
});

t.test('G11/G16 need the API in the token scope (ret 100030)', async (t) => {
  const narrow = graphCreds(app, 'alice', 'get_user_info,add_t');
  t.match((await graphGet(app, '/user/get_info', narrow)).json(), { ret: 100030, data: null });
  t.match((await graphGet(app, '/user/get_other_info', narrow, { name: 'bob' })).json(), { ret: 100030, data: null });
  const x = xmlError((await graphGet(app, '/user/get_info', narrow, { format: 'xml' })).body);
  t.equal(x.ret, '100030');
  const onlyInfo = graphCreds(app, 'alice', 'get_info');
  t.match((await graphGet(app, '/user/get_info', onlyInfo)).json(), { ret: 0 });
  t.match((await graphGet(app, '/user/get_other_info', onlyInfo, { name: 'bob' })).json(), { ret: 100030 });
});

t.test("G11/G16 refuse another user's openid and other broken credentials", async (t) => {
  const stolen = { ...alice, openid: bob.openid };
  const info = (await graphGet(app, '/user/get_info', stolen)).json() as Json;
  t.equal(info.ret, -22);
  t.equal(info.data, null);
  t.notOk(JSON.stringify(info).includes('bob'), "nothing of bob's profile leaks");
  t.equal(((await graphGet(app, '/user/get_other_info', stolen, { name: 'carol' })).json() as Json).ret, -22);
  t.equal(((await graphGet(app, '/user/get_info', { ...alice, access_token: 'F'.repeat(32) })).json() as Json).ret, 100016);
  t.equal(((await graphGet(app, '/user/get_info', { ...alice, oauth_consumer_key: GRAPH_PLAIN.appid })).json() as Json).ret, 100013);
});
