// Kept answers (server/answers.ts, routes declared `cache: true`): a repeated read is served
// without asking the store again, and every write that could change an answer — through either
// platform, the control plane, or another connection to the same file — is seen by the next read.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { build, buildOnFileWithOther, graphCreds, graphGet, graphPost, signed, userId, weiboCreds, type WeiboCreds } from '../helpers.js';

type Tweet = { id: string; origtext: string; name: string };
type Page = { data: { info: Tweet[]; timestamp: number; totalnum?: number } };

const home = (app: FastifyInstance, c: WeiboCreds, extra: Record<string, string | number> = {}) =>
  signed(app, c, { method: 'GET', path: '/api/statuses/home_timeline', params: { format: 'json', reqnum: 20, ...extra } });
const texts = (body: string) => (JSON.parse(body) as Page).data.info.map((x) => x.origtext);

/** Counts how often the store is asked for a timeline page. */
function countTimelines(app: FastifyInstance): () => number {
  let n = 0;
  const tweets = app.world.tweets;
  const real = tweets.timeline.bind(tweets);
  tweets.timeline = ((...a: Parameters<typeof real>) => (n++, real(...a))) as typeof real;
  return () => n;
}

t.test('a repeated read is kept: the store is asked once; each caller has their own answer', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  // answers carry the server time and are kept within its second: on a slow machine two reads
  // could straddle a second and both be computed
  app.world.clock.set(app.world.now(), true);
  const alice = weiboCreds(app, 'alice');
  const bob = weiboCreds(app, 'bob');
  // frozen: an answer carries the server's second (data.timestamp), and the wall clock ticking
  // between two reads makes the second one another answer (seen failing in npm test -j6, load 11)
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { freeze: true } });
  const asked = countTimelines(app);
  const first = await home(app, alice);
  const again = await home(app, alice);
  t.equal(again.body, first.body, 'the same answer');
  t.equal(asked(), 1, 'the second read was served kept');
  const other = await home(app, bob);
  t.equal(asked(), 2, "bob's read is not alice's answer");
  t.not(other.body, first.body);
  const fewer = await home(app, alice, { reqnum: 5 });
  t.equal(texts(fewer.body).length, 5, 'other arguments, another answer');
  const xml = await home(app, alice, { format: 'xml' });
  t.match(xml.body, /^<\?xml/, 'format is part of what is kept');
  t.match(xml.headers['content-type'], /text\/xml/);
});

t.test('writes interleaved with kept reads: every read shows every write before it', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  app.world.rules.postBurst = 0;
  app.world.rules.duplicateWindowSeconds = 0;
  const alice = weiboCreds(app, 'alice');
  const bob = weiboCreds(app, 'bob');
  const g = graphCreds(app, 'alice');
  const asked = countTimelines(app);
  for (let round = 0; round < 6; round++) {
    await home(app, bob); // kept now
    await home(app, bob);
    const before = asked();
    // alice posts through either platform; bob follows alice, so it tops his home timeline
    const text = `round ${round} ${round % 2 ? 'weibo' : 'graph'}`;
    const post = round % 2
      ? await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: text, clientip: '127.0.0.1' } })
      : await graphPost(app, '/t/add_t', g, { format: 'json', content: text });
    t.equal(JSON.parse(post.body).ret, 0, post.body);
    const after = await home(app, bob);
    t.equal(texts(after.body)[0], text, `round ${round}: the new tweet is first`);
    t.ok(asked() > before, 'computed again after the write');
    const id = String(JSON.parse(post.body).data.id);
    const del = await signed(app, alice, { method: 'POST', path: '/api/t/del', params: { format: 'json', id } });
    t.equal(JSON.parse(del.body).ret, 0, del.body);
    t.notOk(texts((await home(app, bob)).body).includes(text), `round ${round}: the deleted tweet is gone`);
  }
});

t.test('profiles, fan lists and the graph profile follow writes', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const alice = weiboCreds(app, 'alice');
  const dave = weiboCreds(app, 'dave');
  const info = async () => JSON.parse((await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).body).data;
  const g = graphCreds(app, 'alice');
  const graphNick = async () => JSON.parse((await graphGet(app, '/user/get_user_info', g)).body).nickname;
  t.equal((await info()).nick, '爱丽丝');
  t.equal((await info()).nick, '爱丽丝', 'kept');
  t.equal(await graphNick(), '爱丽丝');
  const upd = await signed(app, alice, { method: 'POST', path: '/api/user/update', params: { format: 'json', nick: 'Alice 2' } });
  t.equal(JSON.parse(upd.body).ret, 0, upd.body);
  t.equal((await info()).nick, 'Alice 2', 'user/info after user/update');
  // the graph profile's nickname is the QZone one: written straight through the store here
  app.world.db.prepare('UPDATE users SET qz_nickname = ? WHERE id = ?').run('QZone Alice', userId(app, 'alice'));
  t.equal(await graphNick(), 'QZone Alice', 'graph get_user_info after a store write');

  // fanslist of carol while dave stops and starts following her
  const carol = weiboCreds(app, 'carol');
  const fans = async () => (JSON.parse((await signed(app, carol, { method: 'GET', path: '/api/friends/fanslist', params: { format: 'json', reqnum: 30, startindex: 0 } })).body).data?.info ?? []).map((u: { name: string }) => u.name);
  const relate = async (op: 'add' | 'del') => JSON.parse((await signed(app, dave, { method: 'POST', path: `/api/friends/${op}`, params: { format: 'json', name: 'carol' } })).body).ret;
  if ((await fans()).includes('dave')) t.equal(await relate('del'), 0);
  t.notOk((await fans()).includes('dave'), 'not a fan');
  t.notOk((await fans()).includes('dave'), 'kept');
  t.equal(await relate('add'), 0);
  t.equal((await fans())[0], 'dave', 'a new fan is listed first');
  t.equal(await relate('del'), 0);
  t.notOk((await fans()).includes('dave'), 'and gone after del');
});

t.test('graph-weibo reads are kept with a new seqid per answer, and follow writes', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  app.world.clock.set(app.world.now(), true);
  const g = graphCreds(app, 'dave');
  let asked = 0;
  const users = app.world.users;
  const real = users.byIds.bind(users);
  users.byIds = ((...a: Parameters<typeof real>) => (asked++, real(...a))) as typeof real;
  const idols = () => graphGet(app, '/relation/get_idollist', g, { format: 'json', reqnum: 30 });
  const names = (body: string) => (JSON.parse(body).data?.info ?? []).map((u: { name: string }) => u.name);
  const seqid = (body: string) => /"seqid":(\d+)}$/.exec(body)?.[1];
  const a = await idols();
  const b = await idols();
  t.equal(asked, 1, 'the second read was served kept');
  t.ok(seqid(a.body) && seqid(b.body), 'both answers carry a seqid');
  t.not(seqid(b.body), seqid(a.body), 'each answer has its own seqid');
  t.equal(b.body.replace(/"seqid":\d+}$/, ''), a.body.replace(/"seqid":\d+}$/, ''), 'the rest is the same answer');
  // the journal shows each answer's own head and size: a long one's head is the kept one's, a
  // short one is shown whole, with its own seqid
  const entries = async (path: string, n: number) =>
    ((await app.inject({ method: 'GET', url: '/_emulator/journal?limit=50' })).json() as { entries: { path: string; response: { bytes: number; body: string } }[] }).entries.filter((e) => e.path === path).slice(0, n);
  const fans = () => graphGet(app, '/relation/get_fanslist', graphCreds(app, 'alice'), { format: 'json', reqnum: 30 });
  const [fa, fb] = [await fans(), await fans()];
  t.ok(fa.body.length > 4096, `a long answer (${fa.body.length} characters)`);
  t.not(seqid(fa.body), seqid(fb.body), 'kept, with a seqid each');
  const long = await entries('/relation/get_fanslist', 2);
  t.same(long.map((e) => e.response.bytes).sort(), [fa, fb].map((r) => Buffer.byteLength(r.body)).sort(), 'the journal has the size of each');
  for (const e of long) t.ok(e.response.body.endsWith(`…[${e.response.bytes} bytes]`) && e.response.body.length === 4096 + `…[${e.response.bytes} bytes]`.length && fa.body.startsWith(e.response.body.slice(0, 4096)), 'and its head');
  const short = [await graphGet(app, '/user/get_other_info', g, { format: 'json', name: 'erin' }), await graphGet(app, '/user/get_other_info', g, { format: 'json', name: 'erin' })];
  t.ok(short[1].body.length < 4096, 'a short answer');
  t.same((await entries('/user/get_other_info', 2)).map((e) => e.response.body).sort(), short.map((r) => r.body).sort(), 'shown whole, each with its own seqid');
  const xml = await graphGet(app, '/relation/get_idollist', g, { format: 'xml', reqnum: 30 });
  t.match(xml.body, /^<\?xml/, 'XML is kept apart (it has no seqid)');
  // dave follows erin, then stops: each list read after a write shows it
  const follow = async (path: string) => JSON.parse((await graphPost(app, path, g, { format: 'json', name: 'erin' })).body).ret;
  if (names((await idols()).body).includes('erin')) t.equal(await follow('/relation/del_idol'), 0);
  t.notOk(names((await idols()).body).includes('erin'), 'not an idol');
  t.equal(await follow('/relation/add_idol'), 0);
  t.ok(names((await idols()).body).includes('erin'), 'add_idol is seen by the next read');
  t.equal(await follow('/relation/del_idol'), 0);
  t.notOk(names((await idols()).body).includes('erin'), 'del_idol too');
  // the profile of another user follows a store write
  const other = async () => JSON.parse((await graphGet(app, '/user/get_other_info', g, { format: 'json', name: 'erin' })).body).data.nick;
  const nick = await other();
  t.equal(await other(), nick, 'kept');
  const upd = await signed(app, weiboCreds(app, 'erin'), { method: 'POST', path: '/api/user/update', params: { format: 'json', nick: 'Erin 2' } });
  t.equal(JSON.parse(upd.body).ret, 0, upd.body);
  t.equal(await other(), 'Erin 2', 'get_other_info after user/update');
  // a kept answer with non-ASCII text goes out as its bytes with the new seqid spliced in
  const nick2 = 'Erin 二 😀';
  const upd2 = await signed(app, weiboCreds(app, 'erin'), { method: 'POST', path: '/api/user/update', params: { format: 'json', nick: nick2 } });
  t.equal(JSON.parse(upd2.body).ret, 0, upd2.body);
  const read = () => graphGet(app, '/user/get_other_info', g, { format: 'json', name: 'erin' });
  const c = await read();
  const d = await read();
  t.equal(JSON.parse(d.body).data.nick, nick2, 'the kept answer has the text as written');
  t.not(seqid(d.body), seqid(c.body), 'and a seqid of its own');
  t.equal(d.body.replace(/"seqid":\d+}$/, ''), c.body.replace(/"seqid":\d+}$/, ''), 'the rest is the same answer');
  t.equal(d.headers['content-length'], String(Buffer.byteLength(d.body)), 'Content-Length counts its bytes');
});

t.test('the clock and the control plane: timestamp, reset, import', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const alice = weiboCreds(app, 'alice');
  const stamp = async () => (JSON.parse((await home(app, alice)).body) as Page).data.timestamp;
  // frozen: the wall clock's own second must not tick between the two reads
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { freeze: true } });
  const s0 = await stamp();
  t.equal(await stamp(), s0, 'kept while the clock stands still');
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance: 3600 } });
  t.equal(await stamp(), s0 + 3600, 'the server time in the answer follows the clock');
  // a tweet written straight into the store (no route), then a reset back to the seed
  app.world.tweets.post({ userId: userId(app, 'bob'), type: 1, content: 'written by the store' });
  t.equal(texts((await home(app, alice)).body)[0], 'written by the store');
  const exported = (await app.inject({ url: '/_emulator/export' })).body;
  await app.inject({ method: 'POST', url: '/_emulator/reset' });
  const alice2 = weiboCreds(app, 'alice');
  t.notOk(texts((await home(app, alice2)).body).includes('written by the store'), 'reset: back to the seed');
  const imp = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: exported });
  t.equal(imp.statusCode, 200, imp.body);
  const alice3 = weiboCreds(app, 'alice');
  t.equal(texts((await home(app, alice3)).body)[0], 'written by the store', 'import: the imported world');
});

t.test("another connection's commit to the same file is seen by the next read", async (t) => {
  const { app, other } = await buildOnFileWithOther(t, 'emu-answers-');
  const bob = weiboCreds(app, 'bob');
  app.world.clock.set(app.world.now(), true);
  const asked = countTimelines(app);
  await home(app, bob);
  await home(app, bob);
  t.equal(asked(), 1, 'kept on a file store too');
  other.tweets.post({ userId: 1, type: 1, content: 'from the other process' });
  t.equal(texts((await home(app, bob)).body)[0], 'from the other process');
});

t.test('parameters of a kept read are checked whenever it is computed; refusals are never kept', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  app.world.clock.set(app.world.now(), true);
  const alice = weiboCreds(app, 'alice');
  t.match((await home(app, alice)).json(), { ret: 0 });
  for (let i = 0; i < 2; i++) {
    const bad = (await home(app, alice, { pageflag: 7 })).json() as { ret: number; msg: string };
    t.equal(bad.ret, 1, 'pageflag 7 is refused');
    t.match(bad.msg, /pageflag/);
  }
  t.match((await home(app, alice)).json(), { ret: 0 }, 'the kept answer is still served');
});

t.test('a kept answer goes out as its UTF-8 bytes: the same text, type and length as when it was computed; the journal sees it', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  app.world.rules.postBurst = 0;
  app.world.rules.duplicateWindowSeconds = 0;
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { freeze: true } });
  const alice = weiboCreds(app, 'alice');
  const bob = weiboCreds(app, 'bob');
  // non-ASCII text, one of JSON's escaped characters and a 4-byte character in the page
  const text = '中文 <b>&amp; 😀 kept';
  const posted = await signed(app, bob, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: text, clientip: '127.0.0.1' } });
  t.equal(JSON.parse(posted.body).ret, 0, posted.body);
  const asked = countTimelines(app);
  const first = await home(app, alice);
  const again = await home(app, alice);
  t.equal(asked(), 1, 'the second was served kept');
  t.equal(again.body, first.body);
  t.equal(again.rawPayload.length, Buffer.byteLength(first.body));
  t.equal(again.headers['content-length'], String(Buffer.byteLength(first.body)), 'Content-Length counts bytes, not characters');
  t.equal(again.headers['content-type'], first.headers['content-type']);
  t.ok(texts(again.body).includes(text), 'the text as posted');
  const journal = (await app.inject({ method: 'GET', url: '/_emulator/journal?limit=3' })).json() as { entries: { path: string; response: { bytes: number; body: string } }[] };
  const sent = journal.entries.filter((e) => e.path === '/api/statuses/home_timeline');
  t.ok(sent.length >= 2, 'the journal has the reads');
  t.same(sent.map((e) => e.response.bytes), sent.map(() => Buffer.byteLength(first.body)), 'the journal counts the bytes sent');
  for (const e of sent) {
    // the head of the text and the size of the whole, as for an answer sent as a string
    const m = /^([^]*)…\[(\d+) bytes\]$/.exec(e.response.body);
    t.ok(m && first.body.startsWith(m[1]) && m[1].length === 4096, `the head of the text: ${e.response.body.slice(-40)}`);
    t.equal(m?.[2], String(Buffer.byteLength(first.body)), 'and the size of the whole');
  }
});
