// tag/add (T42), tag/del (T43), and tag/list's documented "not provided" answer.
import t from 'tap';
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');

type Body = { ret: number; errcode: number; msg: string; data: any };
const get = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'GET', path, params })).json();
const post = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'POST', path, params })).json();
const tagsOf = async (c: WeiboCreds) => ((await get(c, '/api/user/info')).data.tag as { id: string; name: string }[]) ?? [];
const storeTags = (name: string) => (app.world.db.prepare('SELECT id, name FROM tags WHERE user_id = ? ORDER BY id').all(userId(app, name)) as { id: number; name: string }[]).map((r) => ({ id: String(r.id), name: r.name }));

t.test('tag/add answers a string tagid and the tag shows in user/info (T42)', async (t) => {
  const res = await post(alice, '/api/tag/add', { tag: '爬山' });
  t.equal(res.ret, 0);
  t.same(Object.keys(res.data), ['tagid']);
  t.match(res.data.tagid, /^\d+$/, 'tagid is a digit string');
  const tags = await tagsOf(alice);
  t.ok(tags.some((x) => x.id === res.data.tagid && x.name === '爬山'), 'visible in user/info');
  t.same(tags, storeTags('alice'));
  // others see it too
  const other = await get(bob, '/api/user/other_info', { name: 'alice' });
  t.ok(other.data.tag.some((x: { id: string }) => x.id === res.data.tagid));
  // adding the same tag again answers the same id
  const again = await post(alice, '/api/tag/add', { tag: ' 爬山 ' });
  t.same(again, { data: { tagid: res.data.tagid }, errcode: 0, msg: 'ok', ret: 0 });
  t.equal((await tagsOf(alice)).filter((x) => x.name === '爬山').length, 1);
});

t.test('tag/add XML (T42)', async (t) => {
  const x = parseXml((await signed(app, bob, { method: 'POST', path: '/api/tag/add', params: { tag: 'hiking', format: 'xml' } })).body) as { root: { ret: string; data: { tagid: string } } };
  t.equal(x.root.ret, '0');
  t.match(x.root.data.tagid, /^\d+$/);
  t.ok((await tagsOf(bob)).some((tg) => tg.id === x.root.data.tagid && tg.name === 'hiking'));
});

t.test('tag/add bad input (T42)', async (t) => {
  const before = storeTags('alice');
  t.match(await post(alice, '/api/tag/add'), { ret: 1, msg: /tag/, data: null });
  t.match(await post(alice, '/api/tag/add', { tag: '   ' }), { ret: 1, msg: /tag/ });
  t.match(await post(alice, '/api/tag/add', { tag: '一二三四五六七八九' }), { ret: 1, msg: /tag.*longer/ }, '9 Chinese characters');
  t.match(await post(alice, '/api/tag/add', { tag: 'a'.repeat(17) }), { ret: 1, msg: /tag.*longer/ });
  t.match(await post(alice, '/api/tag/add', { tag: 'a,b' }), { ret: 1, msg: /tag/ });
  t.same(storeTags('alice'), before, 'nothing added');
  t.equal((await post(alice, '/api/tag/add', { tag: '一二三四五六七八' })).ret, 0, '8 Chinese characters fit');
  // at most 10 tags
  let n = storeTags('alice').length;
  for (let i = 0; n < 10; i++, n++) t.equal((await post(alice, '/api/tag/add', { tag: `t${i}` })).ret, 0);
  t.match(await post(alice, '/api/tag/add', { tag: 'eleventh' }), { ret: 1, msg: /tag.*10/ });
  t.equal(storeTags('alice').length, 10);
  t.match((await signed(app, alice, { method: 'POST', path: '/api/tag/add', params: { tag: 'x' }, signWithSecret: 'no' })).json(), { ret: 3, errcode: 9 });
});

t.test('tag/del removes the tag from user/info; ids are not reused (T43)', async (t) => {
  const added = (await post(bob, '/api/tag/add', { tag: 'newest' })).data.tagid as string;
  t.same(await post(bob, '/api/tag/del', { tagid: added }), { data: null, errcode: 0, msg: 'ok', ret: 0 });
  t.notOk((await tagsOf(bob)).some((x) => x.id === added), 'gone from user/info');
  t.same(await tagsOf(bob), storeTags('bob'));
  const next = (await post(bob, '/api/tag/add', { tag: 'another' })).data.tagid as string;
  t.not(next, added, 'a deleted id is not handed out again');
  t.ok(BigInt(next) > BigInt(added));
  // XML
  const x = parseXml((await signed(app, bob, { method: 'POST', path: '/api/tag/del', params: { tagid: next, format: 'xml' } })).body) as { root: { ret: string; data: string } };
  t.equal(x.root.ret, '0');
  t.equal(x.root.data, '');
  t.notOk((await tagsOf(bob)).some((tg) => tg.id === next));
});

t.test('tag/del bad input (T43)', async (t) => {
  const mine = (await post(bob, '/api/tag/add', { tag: 'keepme' })).data.tagid as string;
  t.match(await post(bob, '/api/tag/del'), { ret: 1, msg: /tagid/, data: null });
  t.match(await post(bob, '/api/tag/del', { tagid: 'abc' }), { ret: 1, msg: /tagid/ });
  t.match(await post(bob, '/api/tag/del', { tagid: '99999999' }), { ret: 4, errcode: 6, data: null }, 'unknown tag: record does not exist');
  t.match(await post(alice, '/api/tag/del', { tagid: mine }), { ret: 4, errcode: 6 }, "someone else's tag");
  t.ok((await tagsOf(bob)).some((x) => x.id === mine), 'still there');
  t.match((await signed(app, bob, { method: 'POST', path: '/api/tag/del', params: { tagid: mine }, signWithSecret: 'no' })).json(), { ret: 3, errcode: 9 });
  const x = parseXml((await signed(app, bob, { method: 'POST', path: '/api/tag/del', params: { tagid: '99999999', format: 'xml' } })).body) as { root: { ret: string; errcode: string } };
  t.equal(x.root.ret, '4');
  t.equal(x.root.errcode, '6');
});

t.test('tag/list answers "not provided", not a 404', async (t) => {
  const res = await signed(app, alice, { method: 'GET', path: '/api/tag/list' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { ret: 4, errcode: 0, data: null, msg: /not provided.*user\/info/ });
  const x = await signed(app, alice, { method: 'GET', path: '/api/tag/list', params: { format: 'xml' } });
  const xr = parseXml(x.body) as { root: { ret: string; msg: string } };
  t.equal(xr.root.ret, '4');
  t.match(xr.root.msg, /not provided/);
  const anon = await app.inject({ method: 'GET', url: '/api/tag/list?format=json' });
  t.equal(anon.statusCode, 200);
  t.match(anon.json(), { ret: 4, msg: /not provided/ }, 'whatever the credentials');
  // a path that does not exist at all stays a 404
  const missing = await app.inject({ method: 'GET', url: '/api/tag/nothing' });
  t.equal(missing.statusCode, 404);
});
