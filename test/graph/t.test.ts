// G12–G15: graph.qq.com t/add_t, t/del_t, t/add_pic_t, t/get_repost_list — JSON and XML
// answers, parameter and publish refusals, and read-after-write through get_info and
// get_repost_list; pictures served back from the URL the answer gives.
import t from 'tap';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { build, graphCreds, graphGet, graphPost, multipart, parseXml, PNG_1x1, userId, GRAPH } from '../helpers.js';
import { TYPE } from '../../db/tweets.js';

const app = await build();
t.teardown(() => app.close());
const alice = graphCreds(app, 'alice');
const bob = graphCreds(app, 'bob');

type Json = Record<string, any>;
type Creds = Record<string, string>;

let uniq = 0;
/** Distinct content each call, so the duplicate rule (errcode 13) never trips by accident. */
const text = (s = 'post') => `${s} #${++uniq} ${Date.now()}`;

async function addT(c: Creds, params: Record<string, string | number> = {}) {
  return (await graphPost(app, '/t/add_t', c, { content: text(), ...params })).json() as Json;
}
async function getInfo(c: Creds) {
  const body = (await graphGet(app, '/user/get_info', c)).json() as Json;
  if (body.ret !== 0) throw new Error(`get_info failed: ${JSON.stringify(body)}`);
  return body.data as Json;
}
function picUpload(a: FastifyInstance, c: Creds, fields: Record<string, string>, data: Buffer | null, query = '') {
  const files: Record<string, { filename: string; contentType: string; data: Buffer }> = data ? { pic: { filename: 'p.png', contentType: 'image/png', data } } : {};
  const m = multipart({ ...c, ...fields }, files);
  return a.inject({ method: 'POST', url: `/t/add_pic_t${query}`, headers: m.headers, payload: m.payload });
}
const xmlError = (body: string) => (parseXml(body) as { root: { data: { ret: string; errcode: string; msg: string } } }).root.data;
/** A PNG unique to `seed` (the sniffer reads the header; the rest is opaque bytes). */
const uniquePng = (seed: string) => Buffer.concat([PNG_1x1, Buffer.from(seed)]);

t.test('G12 add_t (JSON): {id, time}; the tweet shows in get_info tweetinfo and tweetnum grows', async (t) => {
  const before = await getInfo(alice);
  const content = text('hello from add_t http://example.com/x');
  const res = await graphPost(app, '/t/add_t', alice, { content, clientip: '58.250.0.1', longitude: '113.95', latitude: '22.54' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
  const body = res.json() as Json;
  t.same(Object.keys(body), ['ret', 'errcode', 'msg', 'data', 'seqid']);
  t.match(body, { ret: 0, errcode: 0, msg: 'ok' });
  t.match(body.data.id, /^\d+$/, 'id is a digit string');
  t.type(body.data.time, 'number');
  t.ok(Math.abs(body.data.time - app.world.now()) <= 2, 'time is now');
  t.match(res.body, /"seqid":\d{19}}$/, 'seqid is a raw 19-digit number');

  const after = await getInfo(alice);
  t.equal(after.tweetnum, before.tweetnum + 1, 'tweetnum + 1');
  const latest = after.tweetinfo[0];
  t.equal(latest.id, body.data.id, 'get_info tweetinfo is the new tweet');
  t.equal(latest.origtext, content);
  t.equal(latest.type, 1);
  t.equal(latest.self, 1);
  t.equal(latest.longitude, '113.95');
  t.equal(latest.latitude, '22.54');
  // tweetinfo leaves out the author's own fields, which the profile around it carries (seed 001 dump)
  for (const k of ['openid', 'name', 'nick', 'head']) t.notOk(k in latest, `tweetinfo has no ${k}`);
  t.equal(after.openid, alice.openid, 'the profile carries the openid');
  t.equal(latest.from, GRAPH.name, 'from = the posting app');
  t.match(latest.text, /<a href="http:\/\/example.com\/x" target="_blank">/);
});

t.test('G12 add_t accepts jing/wei as aliases of longitude/latitude', async (t) => {
  const body = await addT(alice, { jing: '-73.5', wei: '40.25' });
  t.equal(body.ret, 0);
  const info = await getInfo(alice);
  t.equal(info.tweetinfo[0].id, body.data.id);
  t.equal(info.tweetinfo[0].longitude, '-73.5');
  t.equal(info.tweetinfo[0].latitude, '40.25');
});

t.test('G12 add_t (XML)', async (t) => {
  const res = await graphPost(app, '/t/add_t', alice, { content: text('xml post'), format: 'xml' });
  t.match(res.headers['content-type'], /text\/xml/);
  const x = parseXml(res.body) as { data: { ret: string; errcode: string; msg: string; data: { id: string; time: string } } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.errcode, '0');
  t.equal(x.data.msg, 'ok');
  t.match(x.data.data.id, /^\d+$/);
  t.match(x.data.data.time, /^\d+$/);
  t.equal((await getInfo(alice)).tweetinfo[0].id, x.data.data.id);
});

t.test('G12 add_t: clientip takes any value, as SDKs sent it (127.0.0.1, Unknown, no address)', async (t) => {
  for (const clientip of ['127.0.0.1', 'Unknown', '300.1.1.1', '']) {
    const body = (await graphPost(app, '/t/add_t', alice, { content: text(), clientip })).json() as Json;
    t.match(body, { ret: 0, errcode: 0, data: { id: /^\d+$/ } }, `clientip ${JSON.stringify(clientip)}`);
    t.equal(app.world.tweets.get(Number(body.data.id))!.client_ip, clientip, 'stored as sent');
  }
  const x = parseXml((await graphPost(app, '/t/add_t', alice, { content: text(), clientip: 'Unknown', format: 'xml' })).body) as { data: { ret: string } };
  t.equal(x.data.ret, '0', 'XML');
});

t.test('G12 add_t parameter errors are ret 1 naming the parameter', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /content/],
    [{ content: '   ' }, /content/],
    [{ content: text(), longitude: '180.5' }, /longitude/],
    [{ content: text(), longitude: 'east' }, /longitude/],
    [{ content: text(), latitude: '-91' }, /latitude/],
    [{ content: text(), latitude: '1.23456789012' }, /latitude/],
    [{ content: text(), wei: 'x' }, /wei/],
    [{ content: text(), syncflag: '2' }, /syncflag/],
    [{ content: text(), compatibleflag: 'x20' }, /compatibleflag/],
  ];
  const before = (await getInfo(alice)).tweetnum;
  for (const [params, msg] of cases) {
    const body = (await graphPost(app, '/t/add_t', alice, params)).json() as Json;
    t.equal(body.ret, 1, JSON.stringify(params));
    t.match(body.msg, msg, JSON.stringify(params));
    t.equal(body.data, null);
  }
  t.equal((await getInfo(alice)).tweetnum, before, 'nothing was posted');
  const x = xmlError((await graphPost(app, '/t/add_t', alice, { format: 'xml' })).body);
  t.equal(x.ret, '1');
  t.match(x.msg, /content/);
});

t.test('G12 add_t publish refusals follow open.t.qq.com t/add: ret 4 + errcode', async (t) => {
  const long = '长'.repeat(141); // 423 bytes
  t.match(await addT(alice, { content: long }), { ret: 4, errcode: 8, data: null });
  t.match(await addT(alice, { content: '长'.repeat(140) }), { ret: 0 }, '420 bytes is allowed');
  // each URL counts 11 bytes whatever its length
  t.match(await addT(alice, { content: '长'.repeat(136) + ' http://example.com/' + 'a'.repeat(200) }), { ret: 0 });
  t.match(await addT(alice, { content: 'buy dirtyword now' }), { ret: 4, errcode: 4 });
  t.match(await addT(alice, { content: 'visit spam-link.example today' }), { ret: 4, errcode: 9 });
  const same = text('same twice');
  t.match(await addT(alice, { content: same }), { ret: 0 });
  t.match(await addT(alice, { content: same }), { ret: 4, errcode: 13 }, 'duplicate of the previous post');
  const x = xmlError((await graphPost(app, '/t/add_t', alice, { content: same, format: 'xml' })).body);
  t.equal(x.ret, '4');
  t.equal(x.errcode, '13');
});

t.test('G13 del_t (JSON): {id}; the tweet leaves get_info and tweetnum shrinks', async (t) => {
  const posted = await addT(alice);
  const mid = await getInfo(alice);
  t.equal(mid.tweetinfo[0].id, posted.data.id);
  const res = await graphPost(app, '/t/del_t', alice, { id: posted.data.id });
  const body = res.json() as Json;
  t.match(body, { ret: 0, errcode: 0, msg: 'ok', data: { id: posted.data.id } });
  const after = await getInfo(alice);
  t.equal(after.tweetnum, mid.tweetnum - 1);
  t.not(after.tweetinfo[0]?.id, posted.data.id);
  t.match(await (await graphPost(app, '/t/del_t', alice, { id: posted.data.id })).json(), { ret: 4, errcode: 6, data: null }, 'second delete: record does not exist');
});

t.test('G13 del_t (XML)', async (t) => {
  const posted = await addT(alice);
  const x = parseXml((await graphPost(app, '/t/del_t', alice, { id: posted.data.id, format: 'xml' })).body) as { data: { ret: string; data: { id: string } } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.data.id, posted.data.id);
});

t.test('G13 del_t refusals', async (t) => {
  for (const [params, msg] of [[{}, /id/], [{ id: 'abc' }, /id/], [{ id: '12345678901234567890123' }, /id/]] as const) {
    const body = (await graphPost(app, '/t/del_t', alice, params)).json() as Json;
    t.equal(body.ret, 1, JSON.stringify(params));
    t.match(body.msg, msg);
  }
  t.match((await graphPost(app, '/t/del_t', alice, { id: '999999999999999' })).json(), { ret: 4, errcode: 6 }, 'unknown id');
  const bobs = await addT(bob);
  // another user's tweet answers like a missing one (reference graph-qq.md §3.3: 该记录不存在, errcode 6)
  t.match((await graphPost(app, '/t/del_t', alice, { id: bobs.data.id })).json(), { ret: 4, errcode: 6, msg: /record does not exist/ }, "another user's tweet");
  const x = xmlError((await graphPost(app, '/t/del_t', alice, { id: bobs.data.id, format: 'xml' })).body);
  t.equal(x.ret, '4');
  t.equal(x.errcode, '6');
  t.equal(app.world.tweets.get(Number(bobs.data.id))!.status, 0, "bob's tweet is still there");
});

t.test('G14 add_pic_t (JSON): stores the picture, serves the same bytes back, shows in get_info', async (t) => {
  const before = await getInfo(alice);
  const png = uniquePng('json-upload');
  const content = text('with a picture');
  const res = await picUpload(app, alice, { content, clientip: '58.250.0.2' }, png);
  const body = res.json() as Json;
  t.match(body, { ret: 0, errcode: 0, msg: 'ok' });
  t.match(body.data.id, /^\d+$/);
  t.type(body.data.time, 'number');
  t.match(body.data.imgurl, /^http:\/\/localhost(:80)?\/mblogpic\/[0-9a-f]{32}$/);

  const url = new URL(body.data.imgurl);
  const img = await app.inject({ method: 'GET', url: url.pathname });
  t.equal(img.statusCode, 200);
  t.equal(img.headers['content-type'], 'image/png');
  t.ok(img.rawPayload.equals(png), 'same bytes');
  const sized = await app.inject({ method: 'GET', url: `${url.pathname}/460` });
  t.ok(sized.rawPayload.equals(png), 'a size suffix serves the same picture');

  const after = await getInfo(alice);
  t.equal(after.tweetnum, before.tweetnum + 1);
  t.equal(after.tweetinfo[0].id, body.data.id);
  t.equal(after.tweetinfo[0].origtext, content);
  t.same(after.tweetinfo[0].image, [body.data.imgurl], 'the tweet lists the picture');
});

t.test('G14 add_pic_t (XML, format in the multipart body)', async (t) => {
  const png = uniquePng('xml-upload');
  const res = await picUpload(app, alice, { content: text('xml picture'), format: 'xml' }, png);
  t.match(res.headers['content-type'], /text\/xml/);
  const x = parseXml(res.body) as { data: { ret: string; data: { id: string; time: string; imgurl: string } } };
  t.equal(x.data.ret, '0');
  t.match(x.data.data.id, /^\d+$/);
  const img = await app.inject({ method: 'GET', url: new URL(x.data.data.imgurl).pathname });
  t.ok(img.rawPayload.equals(png));
});

t.test('G14 add_pic_t refusals: content, pic, picture type; nothing stored on refusal', async (t) => {
  const before = (await getInfo(alice)).tweetnum;
  const noContent = (await picUpload(app, alice, {}, PNG_1x1)).json() as Json;
  t.match(noContent, { ret: 1, msg: /content/ });
  const noPic = (await picUpload(app, alice, { content: text() }, null)).json() as Json;
  t.match(noPic, { ret: 1, msg: /pic/ });
  const notImage = (await picUpload(app, alice, { content: text() }, Buffer.from('this is not a picture at all'))).json() as Json;
  t.match(notImage, { ret: 1, msg: /pic/ });
  const empty = (await picUpload(app, alice, { content: text() }, Buffer.alloc(0))).json() as Json;
  t.match(empty, { ret: 1, msg: /pic/ });
  const badGeo = (await picUpload(app, alice, { content: text(), longitude: '999' }, PNG_1x1)).json() as Json;
  t.match(badGeo, { ret: 1, msg: /longitude/ });

  const png = uniquePng('refused-dirty');
  const dirty = (await picUpload(app, alice, { content: 'dirtyword with picture' }, png)).json() as Json;
  t.match(dirty, { ret: 4, errcode: 4 });
  const key = createHash('md5').update(png).digest('hex');
  t.notOk(app.world.files.get(key), 'the picture of a refused post is not kept');
  t.equal((await getInfo(alice)).tweetnum, before, 'nothing was posted');

  const x = xmlError((await picUpload(app, alice, { content: text(), format: 'xml' }, Buffer.from('GIF7 nope'))).body);
  t.equal(x.ret, '1');
  t.match(x.msg, /pic/);
});

t.test('G14 add_pic_t: pictures larger than config.maxUpload are refused', async (t) => {
  const small = await build({ maxUpload: 1024 });
  t.teardown(() => small.close());
  const c = graphCreds(small, 'alice');
  const big = Buffer.concat([PNG_1x1, Buffer.alloc(4096, 1)]);
  const body = (await picUpload(small, c, { content: text() }, big)).json() as Json;
  t.equal(body.ret, 1);
  t.match(body.msg, /too large|larger/);
  const ok = (await picUpload(small, c, { content: text() }, PNG_1x1)).json() as Json;
  t.equal(ok.ret, 0, 'a picture under the limit is accepted');
});

t.test('G15 get_repost_list: reposts and comments of an add_t tweet, down a repost chain', async (t) => {
  const root = await addT(alice, { content: text('root of a chain') });
  const rootId = Number(root.data.id);
  const w = app.world;
  const id = (name: string) => userId(app, name);
  const b1 = w.tweets.post({ userId: id('bob'), type: TYPE.repost, content: text('bob reposts'), reid: rootId });
  const c1 = w.tweets.post({ userId: id('carol'), type: TYPE.repost, content: '', reid: rootId });
  const d1 = w.tweets.post({ userId: id('dave'), type: TYPE.comment, content: text('dave comments'), reid: rootId });
  const e1 = w.tweets.post({ userId: id('user0006'), type: TYPE.repost, content: text('user0006 reposts the repost'), reid: b1.id });

  const res = await graphGet(app, '/t/get_repost_list', alice, { flag: 0, rootid: root.data.id, pageflag: 0, pagetime: 0, reqnum: 20, twitterid: 0 });
  const body = res.json() as Json;
  t.match(body, { ret: 0, errcode: 0, msg: 'ok' });
  t.same(Object.keys(body.data), ['timestamp', 'hasnext', 'totalnum', 'info', 'user']);
  t.equal(body.data.hasnext, 1);
  t.equal(body.data.totalnum, 2);
  t.same(body.data.info.map((i: Json) => i.id), [String(c1.id), String(b1.id)], 'reposts, newest first');
  for (const i of body.data.info) {
    t.equal(i.type, 2);
    t.equal(i.source.id, root.data.id, 'the add_t tweet is the source');
    t.equal(i.source.openid, alice.openid);
    t.equal(i.source.self, 1);
  }
  t.equal(body.data.info[1].openid, w.apps.openidFor(GRAPH.appid, id('bob')), 'items carry the author openid');
  t.equal(body.data.info[1].self, 0);
  t.same(body.data.user, { carol: 'Carol', bob: '鲍勃', alice: '爱丽丝' });

  const comments = (await graphGet(app, '/t/get_repost_list', alice, { flag: 1, rootid: root.data.id })).json() as Json;
  t.same(comments.data.info.map((i: Json) => i.id), [String(d1.id)]);
  t.equal(comments.data.totalnum, 1);
  const both = (await graphGet(app, '/t/get_repost_list', alice, { flag: 2, rootid: root.data.id })).json() as Json;
  t.equal(both.data.totalnum, 3);
  t.same(both.data.info.map((i: Json) => i.id), [d1.id, c1.id, b1.id].map(String));

  const chain = (await graphGet(app, '/t/get_repost_list', alice, { flag: 0, rootid: String(b1.id) })).json() as Json;
  t.same(chain.data.info.map((i: Json) => i.id), [String(e1.id)], "the repost's own reposts");
  t.equal(chain.data.info[0].source.id, String(b1.id));
  t.equal(chain.data.info[0].source.name, 'bob');

  // the root's counters include its reposts and comments
  const info = await getInfo(alice);
  t.equal(info.tweetinfo[0].id, root.data.id);
  t.equal(info.tweetinfo[0].count, 2);
  t.equal(info.tweetinfo[0].mcount, 1);

  // a deleted repost leaves the list
  w.tweets.delete(id('carol'), c1.id);
  const afterDel = (await graphGet(app, '/t/get_repost_list', alice, { flag: 0, rootid: root.data.id })).json() as Json;
  t.same(afterDel.data.info.map((i: Json) => i.id), [String(b1.id)]);
});

t.test('G15 get_repost_list pages by time: down to the end and back up, no gaps or repeats', async (t) => {
  const root = await addT(alice, { content: text('popular') });
  const rootId = Number(root.data.id);
  const ids: string[] = [];
  for (let i = 6; i <= 16; i++) {
    const name = `user${String(i).padStart(4, '0')}`;
    ids.unshift(String(app.world.tweets.post({ userId: userId(app, name), type: TYPE.repost, content: text('rt'), reid: rootId }).id));
  }
  const seen: string[] = [];
  const pages: Json[][] = [];
  let params: Record<string, string | number> = { flag: 0, rootid: root.data.id, pageflag: 0, pagetime: 0, twitterid: 0, reqnum: 4 };
  for (let n = 0; n < 10; n++) {
    const d = ((await graphGet(app, '/t/get_repost_list', alice, params)).json() as Json).data;
    pages.push(d.info);
    seen.push(...d.info.map((i: Json) => i.id));
    t.equal(d.totalnum, 11);
    if (d.hasnext === 1) break;
    const last = d.info[d.info.length - 1];
    params = { ...params, pageflag: 1, pagetime: last.timestamp, twitterid: last.id };
  }
  t.same(seen, ids, 'every repost once, newest first');
  t.equal(pages.length, 3);
  // page up from the top of the last page gives the page before it
  const first = pages[2][0];
  const up = ((await graphGet(app, '/t/get_repost_list', alice, { ...params, pageflag: 2, pagetime: first.timestamp, twitterid: first.id })).json() as Json).data;
  t.same(up.info.map((i: Json) => i.id), pages[1].map((i) => i.id));
  t.equal(up.hasnext, 0, 'more above');
  const noAnchor = ((await graphGet(app, '/t/get_repost_list', alice, { flag: 0, rootid: root.data.id, pageflag: 2, pagetime: 0, twitterid: 0, reqnum: 4 })).json() as Json).data;
  t.same(noAnchor.info.map((i: Json) => i.id), ids.slice(0, 4), 'paging without an anchor answers the first page');
  const reqnum100 = ((await graphGet(app, '/t/get_repost_list', alice, { flag: 0, rootid: root.data.id, reqnum: 100 })).json() as Json).data;
  t.equal(reqnum100.info.length, 11, 'reqnum up to 100');
});

t.test('G15 get_repost_list (XML)', async (t) => {
  const root = await addT(alice, { content: text('xml root') });
  const r1 = app.world.tweets.post({ userId: userId(app, 'bob'), type: TYPE.repost, content: text('xml rt'), reid: Number(root.data.id) });
  const r2 = app.world.tweets.post({ userId: userId(app, 'carol'), type: TYPE.repost, content: text('xml rt'), reid: Number(root.data.id) });
  const res = await graphGet(app, '/t/get_repost_list', alice, { flag: 0, rootid: root.data.id, format: 'xml' });
  t.match(res.headers['content-type'], /text\/xml/);
  const x = parseXml(res.body) as { data: { ret: string; data: { hasnext: string; totalnum: string; info: Json[]; user: Json } } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.data.totalnum, '2');
  t.equal(x.data.data.hasnext, '1');
  t.same(x.data.data.info.map((i) => i.id), [String(r2.id), String(r1.id)]);
  t.equal(x.data.data.info[0].source.id, root.data.id);
  t.equal(x.data.data.info[0].openid, app.world.apps.openidFor(GRAPH.appid, userId(app, 'carol')));
  t.equal(x.data.data.user.bob, '鲍勃');
});

t.test('G15 get_repost_list parameter errors', async (t) => {
  const root = '100000000000100';
  const cases: [Record<string, string | number>, RegExp][] = [
    [{ rootid: root }, /flag/],
    [{ flag: 3, rootid: root }, /flag/],
    [{ flag: 0 }, /rootid/],
    [{ flag: 0, rootid: 'abc' }, /rootid/],
    [{ flag: 0, rootid: '999999999999999' }, /rootid/],
    [{ flag: 0, rootid: root, reqnum: 0 }, /reqnum/],
    [{ flag: 0, rootid: root, reqnum: 101 }, /reqnum/],
    [{ flag: 0, rootid: root, reqnum: 'ten' }, /reqnum/],
    [{ flag: 0, rootid: root, pageflag: 3 }, /pageflag/],
    [{ flag: 0, rootid: root, pageflag: 1, pagetime: -5 }, /pagetime/],
    [{ flag: 0, rootid: root, pageflag: 1, pagetime: 1, twitterid: 'last' }, /twitterid/],
  ];
  for (const [params, msg] of cases) {
    const body = (await graphGet(app, '/t/get_repost_list', alice, params)).json() as Json;
    t.equal(body.ret, 1, JSON.stringify(params));
    t.match(body.msg, msg, JSON.stringify(params));
  }
  const x = xmlError((await graphGet(app, '/t/get_repost_list', alice, { flag: 9, rootid: root, format: 'xml' })).body);
  t.equal(x.ret, '1');
  t.match(x.msg, /flag/);
});

t.test('G12–G15 need the API in the token scope (ret 100030)', async (t) => {
  const narrow = graphCreds(app, 'alice', 'get_user_info,get_info');
  const calls = [
    graphPost(app, '/t/add_t', narrow, { content: text() }),
    graphPost(app, '/t/del_t', narrow, { id: '100000000000100' }),
    picUpload(app, narrow, { content: text() }, PNG_1x1),
    graphGet(app, '/t/get_repost_list', narrow, { flag: 0, rootid: '100000000000100' }),
  ];
  for (const res of await Promise.all(calls)) t.match(res.json(), { ret: 100030, data: null });
  const onlyAdd = graphCreds(app, 'alice', 'add_t');
  t.match((await graphPost(app, '/t/add_t', onlyAdd, { content: text() })).json(), { ret: 0 }, 'a token scoped to add_t may post');
  t.match((await graphPost(app, '/t/del_t', onlyAdd, { id: '100000000000100' })).json(), { ret: 100030 }, '…but not delete');
  const aliased = graphCreds(app, 'alice', 'get_user_info,get_repost_list');
  t.match((await graphGet(app, '/t/get_repost_list', aliased, { flag: 0, rootid: '100000000000100' })).json(), { ret: 0 });
});

t.test("G12–G15 refuse another user's openid, and nothing is written", async (t) => {
  const stolen = { ...alice, openid: bob.openid };
  const before = (await getInfo(bob)).tweetnum;
  const calls = [
    graphPost(app, '/t/add_t', stolen, { content: text() }),
    graphPost(app, '/t/del_t', stolen, { id: '100000000000100' }),
    picUpload(app, stolen, { content: text() }, PNG_1x1),
    graphGet(app, '/t/get_repost_list', stolen, { flag: 0, rootid: '100000000000100' }),
  ];
  for (const res of await Promise.all(calls)) {
    const body = res.json() as Json;
    t.not(body.ret, 0);
    t.equal(body.ret, -22);
  }
  t.equal((await getInfo(bob)).tweetnum, before);
  t.equal((await getInfo(alice)).tweetinfo[0].self, 1, "alice's latest tweet is her own");
});

t.test('writes are POST only', async (t) => {
  const res = await graphGet(app, '/t/add_t', alice, { content: text() });
  t.not(res.json().ret, 0);
});
