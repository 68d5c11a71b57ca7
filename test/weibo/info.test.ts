// T48: info/update — unread counters bumped by posts, mentions, private messages and new
// fans, read with op=0 and cleared per type with op=1.
import t from 'tap';
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const creds: Record<string, WeiboCreds> = {};
for (const n of ['alice', 'bob', 'carol', 'erin']) creds[n] = weiboCreds(app, n);
const ALICE = userId(app, 'alice');
const BOB = userId(app, 'bob');
const CAROL = userId(app, 'carol');
const ERIN = userId(app, 'erin');

interface Counts {
  create: number;
  fans: number;
  home: number;
  mentions: number;
  private: number;
}
type Body = { ret: number; errcode: number; msg: string; data: any };

const update = async (who: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, creds[who], { method: 'GET', path: '/api/info/update', params: { format: 'json', ...params } })).json();
const counts = async (who = 'alice'): Promise<Counts> => {
  const r = await update(who, { op: 0 });
  if (r.ret !== 0) throw new Error(r.msg);
  return r.data;
};
const diff = (a: Counts, b: Counts) => ({
  create: b.create - a.create,
  fans: b.fans - a.fans,
  home: b.home - a.home,
  mentions: b.mentions - a.mentions,
  private: b.private - a.private,
});

let seq = 0;
const fresh = (s: string) => `${s} ${++seq} ${Date.now()}`;

t.test('T48 info/update JSON: every counter, as numbers, keys sorted; op=0 clears nothing', async (t) => {
  const r = await update('alice');
  t.equal(r.ret, 0);
  t.same(Object.keys(r.data), ['create', 'fans', 'home', 'mentions', 'private']);
  for (const v of Object.values(r.data)) t.type(v, 'number');
  const row = app.world.db.prepare('SELECT home, private, fans, mentions, create_ AS "create" FROM unread WHERE user_id = ?').get(ALICE);
  t.same(r.data, row, 'answers the store');
  t.same(await counts(), r.data, 'reading twice changes nothing');
});

t.test('T48 info/update XML', async (t) => {
  app.world.db.prepare('UPDATE unread SET home = 7, private = 3, fans = 2, mentions = 5, create_ = 4 WHERE user_id = ?').run(CAROL);
  const res = await signed(app, creds.carol, { method: 'GET', path: '/api/info/update', params: { format: 'xml', op: 0 } });
  const x = parseXml(res.body) as { root: { ret: string; data: Record<string, string> } };
  t.equal(x.root.ret, '0');
  t.same(x.root.data, { create: '4', fans: '2', home: '7', mentions: '5', private: '3' });
  const cleared = parseXml((await signed(app, creds.carol, { method: 'GET', path: '/api/info/update', params: { format: 'xml', op: 1, type: 5 } })).body) as {
    root: { data: Record<string, string> };
  };
  t.equal(cleared.root.data.home, '7', 'op=1 answers the count it clears');
  t.equal((await counts('carol')).home, 0);
});

t.test('T48 a followed user posting bumps home, and create for originals only', async (t) => {
  t.ok(app.world.relations.isIdol(ALICE, BOB), 'alice follows bob');
  const before = await counts();
  const orig = app.world.tweets.post({ userId: BOB, type: 1, content: fresh('bob says hi') });
  const mid = await counts();
  t.same(diff(before, mid), { create: 1, fans: 0, home: 1, mentions: 0, private: 0 });
  app.world.tweets.post({ userId: BOB, type: 2, content: fresh('repost'), reid: orig.id });
  const after = await counts();
  t.same(diff(mid, after), { create: 0, fans: 0, home: 1, mentions: 0, private: 0 }, 'a repost is not an original');
  // someone alice does not follow
  const stranger = app.world.db.prepare('SELECT id FROM users WHERE id NOT IN (SELECT idol_id FROM follows WHERE fan_id = ?) AND id <> ? LIMIT 1').get(ALICE, ALICE) as { id: number };
  app.world.tweets.post({ userId: stranger.id, type: 1, content: fresh('unrelated') });
  t.same(diff(after, await counts()), { create: 0, fans: 0, home: 0, mentions: 0, private: 0 }, 'strangers do not count');
});

t.test('T48 being mentioned bumps mentions; a blacklisted author does not', async (t) => {
  const stranger = app.world.db.prepare('SELECT id FROM users WHERE id NOT IN (SELECT idol_id FROM follows WHERE fan_id = ?) AND id <> ? LIMIT 1').get(ALICE, ALICE) as { id: number };
  const before = await counts();
  app.world.tweets.post({ userId: stranger.id, type: 1, content: fresh('hey @alice look') });
  t.same(diff(before, await counts()), { create: 0, fans: 0, home: 0, mentions: 1, private: 0 });
  const b0 = await counts('bob');
  app.world.tweets.post({ userId: ERIN, type: 1, content: fresh('@bob are you there') });
  const b1 = await counts('bob');
  t.equal(b1.mentions, b0.mentions, 'bob blacklisted erin: no mention counted');
});

t.test('T48 a private message bumps private', async (t) => {
  const before = await counts();
  const r = await signed(app, creds.carol, { method: 'POST', path: '/api/private/add', params: { format: 'json', name: 'alice', content: fresh('psst'), clientip: '1.1.1.1' } });
  t.equal(r.json().ret, 0);
  t.same(diff(before, await counts()), { create: 0, fans: 0, home: 0, mentions: 0, private: 1 });
  const refused = await signed(app, creds.erin, { method: 'POST', path: '/api/private/add', params: { format: 'json', name: 'bob', content: 'blocked', clientip: '1.1.1.1' } });
  t.equal(refused.json().ret, 4);
  const bob = await counts('bob');
  const r2 = await signed(app, creds.alice, { method: 'POST', path: '/api/private/add', params: { format: 'json', name: 'bob', content: fresh('hi bob'), clientip: '1.1.1.1' } });
  t.equal(r2.json().ret, 0);
  t.equal((await counts('bob')).private, bob.private + 1, 'only the accepted message counted');
});

t.test('T48 a new fan bumps fans; an existing follow does not', async (t) => {
  const before = await counts();
  const newFan = app.world.db.prepare('SELECT id FROM users WHERE id <> ? AND id NOT IN (SELECT fan_id FROM follows WHERE idol_id = ?) AND id NOT IN (SELECT black_id FROM blacklist WHERE user_id = ?) LIMIT 1').get(ALICE, ALICE, ALICE) as
    | { id: number }
    | undefined;
  let fanId = newFan?.id;
  if (fanId === undefined) {
    fanId = BOB;
    app.world.relations.unfollow(BOB, ALICE);
  }
  t.ok(app.world.relations.follow(fanId, ALICE));
  t.same(diff(before, await counts()), { create: 0, fans: 1, home: 0, mentions: 0, private: 0 });
  t.notOk(app.world.relations.follow(fanId, ALICE), 'already a fan');
  t.same(diff(before, await counts()), { create: 0, fans: 1, home: 0, mentions: 0, private: 0 }, 'no double count');
});

t.test('T48 op=1 clears exactly the given type and answers the counts before clearing', async (t) => {
  // make every counter non-zero
  app.world.tweets.post({ userId: BOB, type: 1, content: fresh('@alice original') });
  await signed(app, creds.bob, { method: 'POST', path: '/api/private/add', params: { name: 'alice', content: fresh('pm'), clientip: '1.1.1.1' } });
  const fan = app.world.db.prepare('SELECT id FROM users WHERE id <> ? AND id NOT IN (SELECT fan_id FROM follows WHERE idol_id = ?) LIMIT 1').get(ALICE, ALICE) as { id: number } | undefined;
  if (fan) app.world.relations.follow(fan.id, ALICE);
  else app.world.db.prepare('UPDATE unread SET fans = fans + 1 WHERE user_id = ?').run(ALICE);
  let current = await counts();
  for (const v of Object.values(current)) t.ok(v > 0, 'counter is non-zero before clearing');

  const field = { 5: 'home', 6: 'mentions', 7: 'private', 8: 'fans', 9: 'create' } as const;
  for (const type of [6, 5, 9, 8, 7] as const) {
    const r = await update('alice', { op: 1, type });
    t.equal(r.ret, 0);
    t.same(r.data, current, `type ${type}: answer shows the counts as they were`);
    const next = await counts();
    const expected = { ...current, [field[type]]: 0 };
    t.same(next, expected, `type ${type}: only ${field[type]} cleared`);
    current = next;
  }
  t.same(current, { create: 0, fans: 0, home: 0, mentions: 0, private: 0 });
  // and they count up again from zero
  app.world.tweets.post({ userId: BOB, type: 1, content: fresh('again') });
  t.same(await counts(), { create: 1, fans: 0, home: 1, mentions: 0, private: 0 });
});

t.test('T48 bad input', async (t) => {
  for (const [params, name] of [
    [{ op: 2 }, 'op'],
    [{ op: 'read' }, 'op'],
    [{ op: 1 }, 'type'],
    [{ op: 1, type: 4 }, 'type'],
    [{ op: 1, type: 10 }, 'type'],
    [{ op: 0, type: 'home' }, 'type'],
  ] as const) {
    const r = await update('alice', params);
    t.equal(r.ret, 1, JSON.stringify(params));
    t.match(r.msg, new RegExp(name));
    t.equal(r.data, null);
  }
  app.world.db.prepare('UPDATE unread SET home = 9 WHERE user_id = ?').run(ALICE);
  await update('alice', { op: 1, type: 4 });
  t.equal((await counts()).home, 9, 'a refused op=1 clears nothing');
  const bad = await signed(app, creds.alice, { method: 'GET', path: '/api/info/update', signWithSecret: 'nope' });
  t.match(bad.json(), { ret: 3, data: null });
});
