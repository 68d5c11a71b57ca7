// open.t.qq.com publish refusals (ret 4 + errcode) triggered and avoided through HTTP:
// 4 dirty words, 5 blacklisted, 6 missing parent / delete missing, 8 too long (URLs count
// 11 bytes), 9 spam, 10 too fast, 11 source deleted, 12 source under review, 13 duplicate.
// The rules are the world's (app.world.rules); each test restores what it changes.
import t from 'tap';
import { build, weiboCreds, signed, parseXml, PNG_1x1, userId, type WeiboCreds } from '../helpers.js';
import { defaultRules } from '../../db/rules.js';

/** the assertions a subtest's `t` offers */
type Tap = Pick<typeof t, 'match' | 'type' | 'not' | 'equal'>;

const app = await build();
t.teardown(() => app.close());
const rules = app.world.rules;
// every test starts from the defaults, the pace rule off unless a test turns it on
t.beforeEach(() => {
  Object.assign(rules, defaultRules(), { postBurst: 0 });
});

const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const carol = weiboCreds(app, 'carol');
const erin = weiboCreds(app, 'erin');

type Body = { ret: number; errcode: number; msg: string; data: any };
async function post(c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> {
  const res = await signed(app, c, { method: 'POST', path, params: { format: 'json', clientip: '127.0.0.1', ...params } });
  t.equal(res.statusCode, 200);
  return res.json();
}
const tweetCount = () => (app.world.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n;

let n = 0;
const uniq = (s: string) => `${s} [${++n}]`;
async function add(c: WeiboCreds, content = uniq('hello')): Promise<string> {
  const b = await post(c, '/api/t/add', { content });
  if (b.ret !== 0) throw new Error(JSON.stringify(b));
  return b.data.id;
}

/** Asserts a refusal: ret 4, the errcode, data null, and no tweet written. */
async function refused(t: Tap, send: () => Promise<Body>, errcode: number, label: string) {
  const before = tweetCount();
  const b = await send();
  t.match(b, { ret: 4, errcode, data: null }, `${label}: ret 4 errcode ${errcode}`);
  t.type(b.msg, 'string');
  t.not(b.msg, 'ok');
  t.equal(tweetCount(), before, `${label}: nothing written`);
}
async function accepted(t: Tap, p: Promise<Body>, label: string): Promise<string> {
  const b = await p;
  t.match(b, { ret: 0, errcode: 0, msg: 'ok' }, `${label}: accepted`);
  return b.data?.id;
}

const pic = { pic: { filename: 'a.png', contentType: 'image/png', data: PNG_1x1 } };
const addPic = (c: WeiboCreds, content: string) =>
  signed(app, c, { method: 'POST', path: '/api/t/add_pic', params: { format: 'json', content, clientip: '127.0.0.1' }, files: pic }).then((r) => r.json() as Body);

t.test('errcode 4: dirty words', async (t) => {
  const root = await add(alice);
  await refused(t, () => post(alice, '/api/t/add', { content: uniq('this has a DirtyWord inside') }), 4, 't/add (case-insensitive)');
  await refused(t, () => post(bob, '/api/t/re_add', { reid: root, content: uniq('六合彩 开奖') }), 4, 't/re_add');
  await refused(t, () => post(bob, '/api/t/reply', { reid: root, content: uniq('dirtyword') }), 4, 't/reply');
  await refused(t, () => post(bob, '/api/t/comment', { reid: root, content: uniq('dirtyword') }), 4, 't/comment');
  await refused(t, () => addPic(alice, uniq('dirtyword pic')), 4, 't/add_pic');
  rules.dirtyWords = ['禁词'];
  await refused(t, () => post(alice, '/api/t/add', { content: uniq('一个禁词') }), 4, 'configured word list');
  await accepted(t, post(alice, '/api/t/add', { content: uniq('dirtyword is fine once the list changes') }), 'old word no longer dirty');
  await accepted(t, post(alice, '/api/t/add', { content: uniq('干净的内容') }), 'clean content');
});

t.test('errcode 5: the author of the source blacklisted the poster', async (t) => {
  // bob has blacklisted erin (seed)
  const bobs = await add(bob);
  await refused(t, () => post(erin, '/api/t/re_add', { reid: bobs }), 5, 're_add');
  await refused(t, () => post(erin, '/api/t/reply', { reid: bobs, content: uniq('hi') }), 5, 'reply');
  await refused(t, () => post(erin, '/api/t/comment', { reid: bobs, content: uniq('hi') }), 5, 'comment');
  // through someone else's repost: the root's author still refuses
  const carols = await accepted(t, post(carol, '/api/t/re_add', { reid: bobs, content: uniq('rt') }), 'carol may repost');
  await refused(t, () => post(erin, '/api/t/re_add', { reid: carols }), 5, 're_add of a repost of bob');
  // avoided: erin answering carol's own tweet, and after bob lifts the blacklist
  await accepted(t, post(erin, '/api/t/reply', { reid: await add(carol), content: uniq('hi carol') }), 'erin may answer carol');
  app.world.relations.delBlack(userId(app, 'bob'), userId(app, 'erin'));
  t.teardown(() => app.world.relations.addBlack(userId(app, 'bob'), userId(app, 'erin')));
  await accepted(t, post(erin, '/api/t/re_add', { reid: bobs }), 'allowed once unblocked');
  // only the author may delete; another user's tweet answers like a missing one (errcode 6)
  await refused(t, () => post(erin, '/api/t/del', { id: bobs }), 6, 't/del by another user');
});

t.test('errcode 6: missing parent on publish, missing record on delete', async (t) => {
  await refused(t, () => post(bob, '/api/t/re_add', { reid: '999999999999999' }), 6, 're_add');
  await refused(t, () => post(bob, '/api/t/reply', { reid: '999999999999999', content: uniq('x') }), 6, 'reply');
  await refused(t, () => post(bob, '/api/t/comment', { reid: '999999999999999', content: uniq('x') }), 6, 'comment');
  await refused(t, () => post(bob, '/api/t/del', { id: '999999999999999' }), 6, 'del unknown');
  const id = await add(bob);
  await accepted(t, post(carol, '/api/t/re_add', { reid: id }), 'an existing parent');
  await accepted(t, post(bob, '/api/t/del', { id }), 'del existing');
  await refused(t, () => post(bob, '/api/t/del', { id }), 6, 'del twice');
});

t.test('errcode 8: more than 420 bytes, every URL counted as 11 bytes', async (t) => {
  await accepted(t, post(alice, '/api/t/add', { content: 'a'.repeat(420) }), '420 ASCII bytes');
  await refused(t, () => post(alice, '/api/t/add', { content: 'b'.repeat(421) }), 8, '421 ASCII bytes');
  await accepted(t, post(alice, '/api/t/add', { content: '微'.repeat(140) }), '140 Chinese characters (420 bytes)');
  await refused(t, () => post(alice, '/api/t/add', { content: '博'.repeat(141) }), 8, '141 Chinese characters');
  const url = 'http://example.com/' + 'p'.repeat(200); // 219 characters, counted as 11
  await accepted(t, post(alice, '/api/t/add', { content: 'c'.repeat(408) + ' ' + url }), '408 + 1 + 11 = 420 with a long URL');
  await refused(t, () => post(alice, '/api/t/add', { content: 'd'.repeat(409) + ' ' + url }), 8, '409 + 1 + 11 = 421');
  await accepted(t, post(alice, '/api/t/add', { content: `${url} ${url} ${url} ` + 'e'.repeat(384) }), 'three URLs: 33 + 3 + 384 = 420');
  await accepted(t, post(alice, '/api/t/add', { content: 'http://example.com/p' + '你'.repeat(136) }), 'text glued to a URL counts: 11 + 408');
  await refused(t, () => post(alice, '/api/t/add', { content: 'http://example.com/q' + '好'.repeat(137) }), 8, 'text glued to a URL counts: 11 + 411');
  const root = await add(bob);
  await refused(t, () => post(alice, '/api/t/re_add', { reid: root, content: 'f'.repeat(421) }), 8, 're_add');
  await refused(t, () => post(alice, '/api/t/comment', { reid: root, content: 'g'.repeat(421) }), 8, 'comment');
  await refused(t, () => addPic(alice, 'h'.repeat(421)), 8, 'add_pic');
  rules.maxContentBytes = 10;
  await refused(t, () => post(alice, '/api/t/add', { content: uniq('configured limit') }), 8, 'configured limit');
});

t.test('errcode 9: spam', async (t) => {
  await refused(t, () => post(alice, '/api/t/add', { content: uniq('便宜出售 加QQ 12345678') }), 9, 'a QQ number advert');
  await refused(t, () => post(alice, '/api/t/add', { content: uniq('see http://spam-link.example/x') }), 9, 'a malicious link');
  rules.spamPatterns = ['buy now'];
  await refused(t, () => post(alice, '/api/t/add', { content: uniq('BUY NOW cheap') }), 9, 'configured pattern');
  await accepted(t, post(alice, '/api/t/add', { content: uniq('my QQ group is great') }), 'not spam');
});

t.test('errcode 10: posting too fast, accepted again after the window', async (t) => {
  const root = await add(bob);
  rules.postBurst = 3;
  rules.postWindowSeconds = 60;
  const c = weiboCreds(app, 'user0010'); // a user with no recent posts
  for (let i = 0; i < 3; i++) await accepted(t, post(c, '/api/t/add', { content: uniq('burst') }), `post ${i + 1} of 3`);
  await refused(t, () => post(c, '/api/t/add', { content: uniq('one too many') }), 10, 'fourth post inside 60 s');
  await refused(t, () => post(c, '/api/t/re_add', { reid: root }), 10, 'reposts count too');
  // the pace is per user
  await accepted(t, post(weiboCreds(app, 'user0011'), '/api/t/add', { content: uniq('someone else') }), 'another user');
  app.world.clock.advance(61);
  await accepted(t, post(c, '/api/t/add', { content: uniq('after the window') }), 'after 61 s');
  rules.postBurst = 0;
  for (let i = 0; i < 5; i++) await accepted(t, post(c, '/api/t/add', { content: uniq('unlimited') }), 'postBurst 0 disables the rule');
});

t.test('errcode 11: the source (or its root) is deleted', async (t) => {
  const root = await add(alice);
  const rt = await accepted(t, post(bob, '/api/t/re_add', { reid: root, content: uniq('rt') }), 'repost before the delete');
  await accepted(t, post(alice, '/api/t/del', { id: root }), 'delete the root');
  await refused(t, () => post(carol, '/api/t/re_add', { reid: root }), 11, 're_add of a deleted tweet');
  await refused(t, () => post(carol, '/api/t/reply', { reid: root, content: uniq('r') }), 11, 'reply');
  await refused(t, () => post(carol, '/api/t/comment', { reid: root, content: uniq('c') }), 11, 'comment');
  await refused(t, () => post(carol, '/api/t/re_add', { reid: rt }), 11, 're_add of a repost whose root is deleted');
  // system-deleted (1) and root-deleted (4) sources too
  const sys = await add(bob);
  app.world.db.prepare('UPDATE tweets SET status = 1 WHERE id = ?').run(Number(sys));
  await refused(t, () => post(carol, '/api/t/re_add', { reid: sys }), 11, 'system-deleted source');
  const orphan = await add(bob);
  app.world.db.prepare('UPDATE tweets SET status = 4 WHERE id = ?').run(Number(orphan));
  await refused(t, () => post(carol, '/api/t/reply', { reid: orphan, content: uniq('x') }), 11, 'root-deleted source');
  await accepted(t, post(carol, '/api/t/re_add', { reid: await add(bob) }), 'a live source');
});

t.test('errcode 12: the source is under review', async (t) => {
  const id = await add(bob);
  app.world.db.prepare('UPDATE tweets SET status = 2 WHERE id = ?').run(Number(id));
  await refused(t, () => post(carol, '/api/t/re_add', { reid: id }), 12, 're_add');
  await refused(t, () => post(carol, '/api/t/reply', { reid: id, content: uniq('x') }), 12, 'reply');
  await refused(t, () => post(carol, '/api/t/comment', { reid: id, content: uniq('x') }), 12, 'comment');
  app.world.db.prepare('UPDATE tweets SET status = 0 WHERE id = ?').run(Number(id));
  await accepted(t, post(carol, '/api/t/re_add', { reid: id }), 'after review');
});

t.test('errcode 13: duplicate of the previous post inside the window', async (t) => {
  const text = uniq('同样的话');
  await accepted(t, post(alice, '/api/t/add', { content: text }), 'first');
  await refused(t, () => post(alice, '/api/t/add', { content: text }), 13, 'same text again');
  await accepted(t, post(bob, '/api/t/add', { content: text }), 'another user may say the same');
  const other = uniq('something else');
  await accepted(t, post(alice, '/api/t/add', { content: other }), 'different text');
  await accepted(t, post(alice, '/api/t/add', { content: text }), 'no longer the previous post');
  // answers: same text on a different parent is not a duplicate; on the same parent it is
  const a = await add(bob);
  const b = await add(bob);
  await accepted(t, post(alice, '/api/t/reply', { reid: a, content: '+1' }), 'reply +1 to a');
  await refused(t, () => post(alice, '/api/t/reply', { reid: a, content: '+1' }), 13, 'reply +1 to a again');
  await accepted(t, post(alice, '/api/t/reply', { reid: b, content: '+1' }), 'reply +1 to b');
  await accepted(t, post(alice, '/api/t/re_add', { reid: a }), 'empty repost');
  await refused(t, () => post(alice, '/api/t/re_add', { reid: a }), 13, 'the same empty repost');
  // the window
  const later = uniq('later');
  await accepted(t, post(alice, '/api/t/add', { content: later }), 'first');
  rules.duplicateWindowSeconds = 60;
  app.world.clock.advance(61);
  await accepted(t, post(alice, '/api/t/add', { content: later }), 'same text after the window');
  rules.duplicateWindowSeconds = 0;
  await accepted(t, post(alice, '/api/t/add', { content: later }), 'window 0 disables the rule');
  // a deleted previous post does not count
  const gone = uniq('deleted then again');
  const id = await accepted(t, post(alice, '/api/t/add', { content: gone }), 'first');
  rules.duplicateWindowSeconds = 3600;
  await accepted(t, post(alice, '/api/t/del', { id }), 'deleted');
  await accepted(t, post(alice, '/api/t/add', { content: gone }), 'posting it again after the delete');
});

t.test('refusals in XML', async (t) => {
  const text = uniq('xml dup');
  await accepted(t, post(alice, '/api/t/add', { content: text }), 'first');
  const res = await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'xml', content: text, clientip: '127.0.0.1' } });
  const x = (parseXml(res.body) as { root: Record<string, string> }).root;
  t.equal(x.ret, '4');
  t.equal(x.errcode, '13');
  t.equal(x.data, '');
  t.same(Object.keys(x), ['data', 'errcode', 'msg', 'ret']);
  const res2 = await signed(app, alice, { method: 'POST', path: '/api/t/re_add', params: { format: 'xml', reid: '999999999999999' } });
  const x2 = (parseXml(res2.body) as { root: Record<string, string> }).root;
  t.equal(x2.ret, '4');
  t.equal(x2.errcode, '6');
});

t.test('check order: content rules before the source, pace before duplicates', async (t) => {
  // a dirty repost of a missing tweet: the content is judged first
  await refused(t, () => post(bob, '/api/t/re_add', { reid: '999999999999999', content: 'dirtyword' }), 4, 'dirty + missing');
  rules.postBurst = 1;
  const c = weiboCreds(app, 'user0012');
  const text = uniq('pace');
  await accepted(t, post(c, '/api/t/add', { content: text }), 'first');
  await refused(t, () => post(c, '/api/t/add', { content: text }), 10, 'too fast and a duplicate: 10');
});
