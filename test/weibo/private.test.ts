// T38–T41: private/add, private/del, private/recv (inbox), private/send (outbox).
import t from 'tap';
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const creds: Record<string, WeiboCreds> = {};
for (const n of ['alice', 'bob', 'carol', 'dave', 'erin']) creds[n] = weiboCreds(app, n);
const ALICE = userId(app, 'alice');
const BOB = userId(app, 'bob');
const CAROL = userId(app, 'carol');

type Body = { ret: number; errcode: number; msg: string; data: any };

const post = async (who: string, path: string, params: Record<string, string | number>): Promise<Body> =>
  (await signed(app, creds[who], { method: 'POST', path, params })).json();
const get = async (who: string, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, creds[who], { method: 'GET', path, params })).json();
const send = (from: string, to: string, content: string, extra: Record<string, string | number> = {}) =>
  post(from, '/api/private/add', { format: 'json', name: to, content, clientip: '10.1.2.3', jing: '', wei: '', ...extra });

const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

interface Row {
  id: number;
  timestamp: number;
}
/** What the store says a box holds, newest first. */
function expectedBox(box: 'recv' | 'send', uid: number): string[] {
  const sql =
    box === 'recv'
      ? 'SELECT id, timestamp FROM private_messages WHERE to_id = ? AND deleted_by_recipient = 0 ORDER BY timestamp DESC, id DESC'
      : 'SELECT id, timestamp FROM private_messages WHERE from_id = ? AND deleted_by_sender = 0 ORDER BY timestamp DESC, id DESC';
  return (app.world.db.prepare(sql).all(uid) as Row[]).map((r) => String(r.id));
}

t.test('T38 private/add JSON: answers {id, timestamp}; the message is in both boxes; read-after-write', async (t) => {
  const before = app.world.db.prepare('SELECT private FROM unread WHERE user_id = ?').get(BOB) as { private: number };
  const sentAt = app.world.now();
  const res = await send('alice', 'bob', '你好 bob, see http://example.com/x', { jing: '113.9', wei: '22.5' });
  t.equal(res.ret, 0, res.msg);
  t.equal(res.errcode, 0);
  t.equal(res.msg, 'ok');
  t.same(Object.keys(res.data), ['id', 'timestamp']);
  t.match(res.data.id, /^\d+$/, 'id is a digit string');
  t.type(res.data.timestamp, 'number');
  // stamped by the emulator's clock during the call (the call may straddle a second)
  t.ok(res.data.timestamp >= sentAt && res.data.timestamp <= app.world.now(), 'timestamp from the emulator clock');

  const inbox = await get('bob', '/api/private/recv', { format: 'json', pageflag: 0, reqnum: 20 });
  t.equal(inbox.ret, 0);
  const item = inbox.data.info[0];
  t.equal(item.id, res.data.id, 'newest in the inbox');
  t.equal(item.type, 3);
  t.equal(item.name, 'alice');
  t.equal(item.nick, '爱丽丝');
  t.equal(item.origtext, '你好 bob, see http://example.com/x');
  t.match(item.text, /<a href="http:\/\/example.com\/x" target="_blank">/);
  t.equal(item.self, 0);
  t.equal(item.jing, '113.9');
  t.equal(item.wei, '22.5');
  t.equal(item.timestamp, res.data.timestamp);
  t.equal(item.toname, undefined, 'inbox items carry no to* fields');
  t.equal(inbox.data.user.alice, '爱丽丝');
  t.equal(inbox.data.totalnum, expectedBox('recv', BOB).length);

  const outbox = await get('alice', '/api/private/send', { format: 'json' });
  const out = outbox.data.info[0];
  t.equal(out.id, res.data.id, 'newest in the outbox');
  t.equal(out.self, 1);
  t.equal(out.toname, 'bob');
  t.equal(out.tonick, '鲍勃');
  t.type(out.tohead, 'string');
  t.equal(out.toisvip, 0);
  t.equal(outbox.data.user.bob, '鲍勃', 'recipients are in the user map');
  t.equal(outbox.data.user.alice, '爱丽丝');

  const after = app.world.db.prepare('SELECT private FROM unread WHERE user_id = ?').get(BOB) as { private: number };
  t.equal(after.private, before.private + 1, "recipient's unread private counter bumped");
  const row = app.world.db.prepare('SELECT client_ip FROM private_messages WHERE id = ?').get(Number(res.data.id)) as { client_ip: string };
  t.equal(row.client_ip, '10.1.2.3');
});

t.test('T38 private/add XML', async (t) => {
  const sentAt = app.world.now();
  const res = await signed(app, creds.carol, { method: 'POST', path: '/api/private/add', params: { format: 'xml', name: 'dave', content: 'xml 私信', clientip: '127.0.0.1' } });
  t.match(res.headers['content-type'], /xml/);
  const x = parseXml(res.body) as { root: { ret: string; errcode: string; msg: string; data: { id: string; timestamp: string } } };
  t.equal(x.root.ret, '0');
  t.equal(x.root.errcode, '0');
  t.match(x.root.data.id, /^\d+$/);
  t.ok(Number(x.root.data.timestamp) >= sentAt && Number(x.root.data.timestamp) <= app.world.now(), 'timestamp from the emulator clock');
  const inbox = await get('dave', '/api/private/recv');
  t.equal(inbox.data.info[0].id, x.root.data.id);
  t.equal(inbox.data.info[0].origtext, 'xml 私信');
});

t.test('T38 private/add refusals', async (t) => {
  const countBefore = (app.world.db.prepare('SELECT COUNT(*) n FROM private_messages').get() as { n: number }).n;
  let r = await post('alice', '/api/private/add', { format: 'json', content: 'hi', clientip: '1.2.3.4' });
  t.match(r, { ret: 1, data: null }, 'name missing');
  t.match(r.msg, /name/);
  r = await send('alice', 'nosuchuser', 'hi');
  t.match(r, { ret: 1, data: null }, 'unknown recipient');
  t.match(r.msg, /name/);
  r = await send('alice', 'alice', 'hi');
  t.equal(r.ret, 1, 'to oneself');
  t.match(r.msg, /name/);
  r = await post('alice', '/api/private/add', { format: 'json', name: 'bob', clientip: '1.2.3.4' });
  t.match(r, { ret: 1, data: null }, 'content missing');
  t.match(r.msg, /content/);
  r = await send('alice', 'bob', '   ');
  t.equal(r.ret, 1, 'blank content');
  t.match(r.msg, /content/);
  r = await send('alice', 'bob', '字'.repeat(141));
  t.match(r, { ret: 4, errcode: 8, data: null }, '423 bytes: too long');
  r = await send('alice', 'bob', 'a'.repeat(420));
  t.equal(r.ret, 0, 'exactly 420 bytes is fine');
  r = await send('alice', 'bob', 'http://example.com/' + 'x'.repeat(600) + ' ' + '字'.repeat(130));
  t.equal(r.ret, 0, 'a URL counts as 11 bytes');
  r = await send('erin', 'bob', 'let me in');
  t.match(r, { ret: 4, errcode: 5, data: null }, 'bob blacklisted erin');
  r = await send('bob', 'erin', 'one way');
  t.equal(r.ret, 0, 'the blacklister may still write to the blacklisted user');
  r = await send('alice', 'bob', 'buy dirtyword now');
  t.match(r, { ret: 4, errcode: 4 }, 'dirty words');
  r = await send('alice', 'bob', 'hi', { jing: 'east' });
  t.equal(r.ret, 1, 'jing not a number');
  t.match(r.msg, /jing/);
  r = await send('alice', 'bob', 'hi', { wei: '95' });
  t.equal(r.ret, 1, 'wei out of range');
  t.match(r.msg, /wei/);
  const countAfter = (app.world.db.prepare('SELECT COUNT(*) n FROM private_messages').get() as { n: number }).n;
  t.equal(countAfter, countBefore + 3, 'only the three accepted messages were stored');

  const bad = await signed(app, creds.alice, { method: 'POST', path: '/api/private/add', params: { name: 'bob', content: 'x', clientip: '1.1.1.1' }, signWithSecret: 'wrong' });
  t.match(bad.json(), { ret: 3, data: null }, 'bad signature');
  const xml = parseXml((await signed(app, creds.alice, { method: 'POST', path: '/api/private/add', params: { format: 'xml', name: 'bob' } })).body) as {
    root: { ret: string; msg: string };
  };
  t.equal(xml.root.ret, '1', 'XML error envelope');
  t.match(xml.root.msg, /content/);
});

t.test("T38 recipient's send_private_flag: 0 only the people they follow", async (t) => {
  const dave = app.world.users.byName('dave')!;
  app.world.users.update(dave.id, { send_private_flag: 0 });
  t.teardown(() => app.world.users.update(dave.id, { send_private_flag: 2 }));
  const follows = (fan: number, idol: number) => app.world.relations.isIdol(fan, idol);
  const stranger = ['alice', 'bob', 'carol', 'erin'].find((n) => !follows(dave.id, userId(app, n)))!;
  let r = await send(stranger, 'dave', 'hello stranger');
  t.match(r, { ret: 4, errcode: 5 }, `${stranger} is not followed by dave`);
  app.world.relations.follow(dave.id, userId(app, stranger));
  r = await send(stranger, 'dave', 'hello friend');
  t.equal(r.ret, 0, 'accepted once dave follows the sender');
});

t.test('T39 private/del: only the caller’s box loses the message; outsiders are refused', async (t) => {
  const sent = await send('alice', 'bob', 'to be deleted');
  const id = sent.data.id as string;
  const outsider = await post('carol', '/api/private/del', { format: 'json', id });
  t.match(outsider, { ret: 4, errcode: 5, data: null }, "carol can't delete alice→bob");
  const row = () => app.world.db.prepare('SELECT deleted_by_sender s, deleted_by_recipient r FROM private_messages WHERE id = ?').get(Number(id)) as { s: number; r: number };
  t.same(row(), { s: 0, r: 0 }, 'nothing changed');
  t.ok(expectedBox('recv', BOB).includes(id));

  const byBob = await post('bob', '/api/private/del', { format: 'json', id });
  t.equal(byBob.ret, 0, byBob.msg);
  t.same(byBob.data, { id });
  const inbox = await get('bob', '/api/private/recv', { reqnum: 20 });
  t.notOk(inbox.data.info.some((m: { id: string }) => m.id === id), 'gone from bob’s inbox');
  const outbox = await get('alice', '/api/private/send', { reqnum: 20 });
  t.ok(outbox.data.info.some((m: { id: string }) => m.id === id), 'still in alice’s outbox');

  const again = await post('bob', '/api/private/del', { format: 'json', id });
  t.match(again, { ret: 4, errcode: 6 }, 'already gone from bob’s box');

  const xml = parseXml((await signed(app, creds.alice, { method: 'POST', path: '/api/private/del', params: { format: 'xml', id } })).body) as {
    root: { ret: string; data: { id: string } };
  };
  t.equal(xml.root.ret, '0', 'alice deletes her copy (XML)');
  t.equal(xml.root.data.id, id);
  t.notOk(expectedBox('send', ALICE).includes(id), 'gone from alice’s outbox');
  t.same(row(), { s: 1, r: 1 });
});

t.test('T39 private/del bad input', async (t) => {
  let r = await post('alice', '/api/private/del', { format: 'json' });
  t.match(r, { ret: 1, data: null });
  t.match(r.msg, /\bid\b/);
  r = await post('alice', '/api/private/del', { format: 'json', id: 'abc' });
  t.equal(r.ret, 1);
  t.match(r.msg, /\bid\b/);
  r = await post('alice', '/api/private/del', { format: 'json', id: '987654321' });
  t.match(r, { ret: 4, errcode: 6 }, 'no such message');
  // a seeded message between two others
  const foreign = app.world.db.prepare('SELECT id FROM private_messages WHERE from_id <> ? AND to_id <> ? LIMIT 1').get(ALICE, ALICE) as { id: number };
  r = await post('alice', '/api/private/del', { format: 'json', id: foreign.id });
  t.match(r, { ret: 4, errcode: 5 });
  const still = app.world.db.prepare('SELECT deleted_by_sender + deleted_by_recipient n FROM private_messages WHERE id = ?').get(foreign.id) as { n: number };
  t.equal(still.n, 0, 'not deleted');
});

t.test("T40/T41 a user never sees another's messages", async (t) => {
  for (const box of ['recv', 'send'] as const) {
    const ids = await walkDown('carol', box, 20);
    const rows = app.world.db
      .prepare(`SELECT id FROM private_messages WHERE ${box === 'recv' ? 'to_id' : 'from_id'} = ?`)
      .all(CAROL) as { id: number }[];
    const mine = new Set(rows.map((r) => String(r.id)));
    t.ok(ids.length > 0, `${box} has messages`);
    t.ok(ids.every((id) => mine.has(id)), `${box}: only carol's messages`);
  }
});

t.test('T40 private/recv JSON wrapper and XML', async (t) => {
  const j = await get('alice', '/api/private/recv', { format: 'json', pageflag: 0, pagetime: 0, lastid: 0, reqnum: 5 });
  t.equal(j.ret, 0);
  t.same(Object.keys(j.data), ['hasnext', 'info', 'timestamp', 'totalnum', 'user']);
  t.equal(j.data.info.length, 5);
  t.equal(j.data.hasnext, 0);
  t.equal(j.data.totalnum, expectedBox('recv', ALICE).length);
  t.same(j.data.info.map((m: { id: string }) => m.id), expectedBox('recv', ALICE).slice(0, 5));
  for (const m of j.data.info) {
    t.equal(m.type, 3);
    t.equal(m.self, 0);
    t.equal(j.data.user[m.name], m.nick);
  }
  const res = await signed(app, creds.alice, { method: 'GET', path: '/api/private/recv', params: { format: 'xml', reqnum: 3 } });
  const x = parseXml(res.body) as { root: { ret: string; data: { hasnext: string; totalnum: string; info: unknown; user: Record<string, string> } } };
  t.equal(x.root.ret, '0');
  const info = arr(x.root.data.info) as { id: string; type: string; name: string }[];
  t.equal(info.length, 3);
  t.same(info.map((m) => m.id), expectedBox('recv', ALICE).slice(0, 3));
  t.equal(info[0].type, '3');
  t.equal(x.root.data.totalnum, String(expectedBox('recv', ALICE).length));
  t.equal(x.root.data.user[info[0].name], j.data.user[info[0].name]);
});

t.test('T41 private/send JSON and XML', async (t) => {
  const j = await get('alice', '/api/private/send', { format: 'json', reqnum: 4 });
  t.equal(j.ret, 0);
  t.same(j.data.info.map((m: { id: string }) => m.id), expectedBox('send', ALICE).slice(0, 4));
  for (const m of j.data.info) {
    t.equal(m.name, 'alice');
    t.equal(m.self, 1);
    t.match(m, { toname: String, tonick: String, tohead: String, toisvip: Number });
    t.equal(j.data.user[m.toname], m.tonick);
  }
  const res = await signed(app, creds.alice, { method: 'GET', path: '/api/private/send', params: { format: 'xml', reqnum: 2 } });
  const x = parseXml(res.body) as { root: { data: { info: unknown } } };
  const info = arr(x.root.data.info) as { toname: string; tonick: string; toisvip: string }[];
  t.equal(info.length, 2);
  t.equal(info[0].toname, j.data.info[0].toname);
  t.equal(info[0].tonick, j.data.info[0].tonick);
  t.equal(info[0].toisvip, String(j.data.info[0].toisvip));
});

t.test('T40/T41 paging parameters are checked', async (t) => {
  for (const path of ['/api/private/recv', '/api/private/send']) {
    for (const [params, name] of [
      [{ pageflag: 3 }, 'pageflag'],
      [{ pageflag: 'x' }, 'pageflag'],
      [{ reqnum: 0 }, 'reqnum'],
      [{ reqnum: 'ten' }, 'reqnum'],
      [{ pageflag: 1, pagetime: -5 }, 'pagetime'],
      [{ pageflag: 1, pagetime: 'yesterday' }, 'pagetime'],
      [{ pageflag: 1, pagetime: 1300000000, lastid: 'z' }, 'lastid'],
    ] as const) {
      const r = await get('alice', path, { format: 'json', ...params });
      t.equal(r.ret, 1, `${path} ${JSON.stringify(params)}`);
      t.match(r.msg, new RegExp(name));
      t.equal(r.data, null);
    }
    const big = await get('alice', path, { reqnum: 500 });
    t.equal(big.ret, 0, 'reqnum above 20 is clamped');
    t.equal(big.data.info.length, 20);
  }
});

/** pageflag 0, then 1 with the last item's (timestamp, id) until hasnext says done. */
async function walkDown(who: string, box: 'recv' | 'send', reqnum: number, pages: string[][] = []): Promise<string[]> {
  let r = await get(who, `/api/private/${box}`, { pageflag: 0, reqnum });
  const out: string[] = [];
  for (let guard = 0; guard < 500; guard++) {
    const info = r.data.info as { id: string; timestamp: number }[];
    pages.push(info.map((m) => m.id));
    out.push(...info.map((m) => m.id));
    if (r.data.hasnext === 1 || info.length === 0) break;
    const last = info[info.length - 1];
    r = await get(who, `/api/private/${box}`, { pageflag: 1, pagetime: last.timestamp, lastid: last.id, reqnum });
  }
  return out;
}

t.test('T40/T41 walking down to the end and back up gives every row exactly once (with same-second ties)', async (t) => {
  // a burst of messages in one frozen second, both ways
  const clock = app.world.clock;
  clock.set(clock.now() + 10, true);
  for (let i = 0; i < 6; i++) {
    t.equal((await send('bob', 'alice', `burst ${i}`)).ret, 0);
    t.equal((await send('alice', 'carol', `burst out ${i}`)).ret, 0);
  }
  clock.reset();
  for (const box of ['recv', 'send'] as const) {
    const expected = expectedBox(box, ALICE);
    t.ok(expected.length > 40, `${box}: enough rows to page (${expected.length})`);
    const pages: string[][] = [];
    const down = await walkDown('alice', box, 4, pages);
    t.same(down, expected, `${box}: down walk = the store's rows, newest first, once each`);
    t.ok(pages.length > 5);
    const ts = (id: string) => (app.world.db.prepare('SELECT timestamp FROM private_messages WHERE id = ?').get(Number(id)) as Row).timestamp;
    t.equal(ts(pages[0][3]), ts(pages[1][0]), 'a page boundary falls inside the same-second burst');

    // back up from the first item of the bottom page
    const bottom = pages[pages.length - 1];
    const firstOfBottom = app.world.db.prepare('SELECT id, timestamp FROM private_messages WHERE id = ?').get(Number(bottom[0])) as Row;
    const up: string[][] = [];
    let anchor = { pagetime: firstOfBottom.timestamp, lastid: String(firstOfBottom.id) };
    for (let guard = 0; guard < 500; guard++) {
      const r = await get('alice', `/api/private/${box}`, { pageflag: 2, reqnum: 4, ...anchor });
      t.equal(r.ret, 0);
      const info = r.data.info as { id: string; timestamp: number }[];
      if (info.length) {
        up.unshift(info.map((m) => m.id));
        anchor = { pagetime: info[0].timestamp, lastid: info[0].id };
      }
      if (r.data.hasnext === 1 || info.length === 0) break;
    }
    const upIds = up.flat();
    t.same([...upIds, ...bottom], expected, `${box}: up walk + bottom page = every row exactly once`);
    t.equal(new Set(upIds).size, upIds.length, 'no repeats going up');
  }
});
