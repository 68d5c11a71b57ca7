// other/kownperson (T57): people the caller may know.
import t from 'tap';
import { build, weiboCreds, signed, parseXml, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const alice = weiboCreds(app, 'alice');
const dave = weiboCreds(app, 'dave');

type Body = { ret: number; errcode: number; msg: string; data: any };
const get = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'GET', path, params })).json();
const post = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'POST', path, params })).json();
const db = app.world.db;
const idOf = (name: string) => userId(app, name);
const follows = (a: number, b: number) => !!db.prepare('SELECT 1 FROM follows WHERE fan_id = ? AND idol_id = ?').get(a, b);

t.test('kownperson suggests people not followed, friends of friends among them (T57)', async (t) => {
  const res = await get(dave, '/api/other/kownperson', { ip: '10.1.2.3' });
  t.equal(res.ret, 0);
  t.same(Object.keys(res.data), ['hasnext', 'info', 'timestamp']);
  t.type(res.data.timestamp, 'number');
  t.ok(res.data.hasnext === 0 || res.data.hasnext === 1);
  const info = res.data.info as { name: string; nick: string; head: string }[];
  t.equal(info.length, 30, 'dave has more candidates than one answer holds');
  t.equal(res.data.hasnext, 0, 'so hasnext says there are more');
  const d = idOf('dave');
  for (const p of info) {
    t.same(Object.keys(p), ['head', 'name', 'nick']);
    t.not(p.name, 'dave', 'never yourself');
    t.notOk(follows(d, idOf(p.name)), `${p.name} is not already followed`);
  }
  t.equal(new Set(info.map((p) => p.name)).size, info.length, 'no one twice');
  // an idol of dave's idols whom dave does not follow is suggested
  const fof = db
    .prepare('SELECT DISTINCT b.idol_id AS id FROM follows a JOIN follows b ON b.fan_id = a.idol_id WHERE a.fan_id = ? AND b.idol_id != ? AND b.idol_id NOT IN (SELECT idol_id FROM follows WHERE fan_id = ?)')
    .all(d, d, d) as { id: number }[];
  t.ok(fof.length > 0, 'the seed gives dave friends of friends');
  const names = new Set(info.map((p) => p.name));
  const fofNames = fof.map((r) => app.world.users.byId(r.id)!.name);
  t.ok(fofNames.some((n) => names.has(n)), 'some friend of a friend is suggested');

  // follow the first suggestion: it disappears
  const first = info[0].name;
  t.equal((await post(dave, '/api/friends/add', { name: first })).ret, 0);
  const after = await get(dave, '/api/other/kownperson', { ip: '10.1.2.3' });
  t.notOk(after.data.info.some((p: { name: string }) => p.name === first), 'followed people are no longer suggested');
});

t.test('kownperson: same IP and same city count; blacklisted pairs never appear (T57)', async (t) => {
  // a newcomer with no relations at all, living in a region nobody else uses
  const w = app.world;
  const loner = w.users.create({ name: 'loner', nick: '独行侠', unionid: 'UID_LONER', qq_avatar_key: 'lonerkey', country_code: '1', province_code: '65', city_code: '77' });
  const names = async (c: WeiboCreds, params: Record<string, string>) => ((await get(c, '/api/other/kownperson', params)).data.info as { name: string }[]).map((p) => p.name);
  t.notOk((await names(alice, { ip: '203.0.113.9' })).includes('loner'), 'unrelated: not suggested');
  // same IP: loner posts from 203.0.113.9
  db.prepare("INSERT INTO tweets (user_id, type, origtext, timestamp, client_ip) VALUES (?, 1, 'hi', ?, '203.0.113.9')").run(loner.id, w.now());
  t.ok((await names(alice, { ip: '203.0.113.9' })).includes('loner'), 'same IP: suggested');
  t.notOk((await names(alice, { ip: '198.51.100.7' })).includes('loner'), 'another IP: not');
  t.notOk((await names(alice, { ip: '127.0.0.1' })).includes('loner'), 'loopback says nothing');
  // same city, from the region codes given
  t.ok((await names(alice, { ip: '198.51.100.7', country_code: '1', province_code: '65', city_code: '77' })).includes('loner'), 'same city: suggested');
  // or from the caller's own profile when none are given
  const aliceCreds = weiboCreds(app, 'alice');
  t.equal((await post(aliceCreds, '/api/user/update', { countrycode: '1', provincecode: '65', citycode: '77' })).ret, 0);
  t.ok((await names(alice, { ip: '198.51.100.7' })).includes('loner'), "the caller's own city");
  // a follower is suggested back (a newcomer with no idols and no region: nobody else scores)
  w.users.create({ name: 'newbie', nick: '新人', unionid: 'UID_NEWBIE', qq_avatar_key: 'newbiekey' });
  const newbie = weiboCreds(app, 'newbie');
  const fanboy = w.users.create({ name: 'fanboy', nick: '粉丝', unionid: 'UID_FANBOY', qq_avatar_key: 'fanboykey' });
  const empty = await get(newbie, '/api/other/kownperson', { ip: '198.51.100.7' });
  t.match(empty, { ret: 0, data: { hasnext: 1, info: [] } }, 'nobody to suggest');
  w.relations.follow(fanboy.id, idOf('newbie'));
  t.same(await names(newbie, { ip: '198.51.100.7' }), ['fanboy'], 'a fan not followed back');
  t.equal((await post(newbie, '/api/friends/add', { name: 'fanboy' })).ret, 0);
  t.same(await names(newbie, { ip: '198.51.100.7' }), [], 'followed back: no longer suggested');
  // blacklisting removes the suggestion
  t.equal((await post(alice, '/api/friends/addblacklist', { name: 'loner' })).ret, 0);
  t.notOk((await names(alice, { ip: '203.0.113.9' })).includes('loner'), 'blacklisted: not suggested');

  // bob blacklisted erin: neither is suggested to the other
  const bob = weiboCreds(app, 'bob');
  const erin = weiboCreds(app, 'erin');
  t.notOk((await names(bob, { ip: '10.0.0.1' })).includes('erin'));
  t.notOk((await names(erin, { ip: '10.0.0.1' })).includes('bob'));
});

t.test('kownperson XML (T57)', async (t) => {
  const x = parseXml((await signed(app, dave, { method: 'GET', path: '/api/other/kownperson', params: { ip: '10.1.2.3', format: 'xml' } })).body) as {
    root: { ret: string; data: { hasnext: string; timestamp: string; info: { name: string; nick: string; head: string } | { name: string }[] } };
  };
  t.equal(x.root.ret, '0');
  const info = Array.isArray(x.root.data.info) ? x.root.data.info : [x.root.data.info];
  t.ok(info.length >= 1);
  t.type(info[0].name, 'string');
  t.match(x.root.data.timestamp, /^\d+$/);
  const json = await get(dave, '/api/other/kownperson', { ip: '10.1.2.3' });
  t.same(info.map((p) => p.name), json.data.info.map((p: { name: string }) => p.name), 'same people as JSON');
});

t.test('kownperson bad input (T57)', async (t) => {
  t.match(await get(dave, '/api/other/kownperson'), { ret: 1, msg: /ip/, data: null });
  t.match(await get(dave, '/api/other/kownperson', { ip: '' }), { ret: 1, msg: /ip/ });
  t.match(await get(dave, '/api/other/kownperson', { ip: '300.1.1.1' }), { ret: 1, msg: /ip/ });
  t.match(await get(dave, '/api/other/kownperson', { ip: 'localhost' }), { ret: 1, msg: /ip/ });
  t.match(await get(dave, '/api/other/kownperson', { ip: '10.0.0.1', country_code: 'cn' }), { ret: 1, msg: /country_code/ });
  t.match(await get(dave, '/api/other/kownperson', { ip: '10.0.0.1', province_code: '4x' }), { ret: 1, msg: /province_code/ });
  t.match(await get(dave, '/api/other/kownperson', { ip: '10.0.0.1', city_code: '-1' }), { ret: 1, msg: /city_code/ });
  t.equal((await get(dave, '/api/other/kownperson', { ip: '2001:db8::1' })).ret, 0, 'IPv6 accepted');
  const x = parseXml((await signed(app, dave, { method: 'GET', path: '/api/other/kownperson', params: { format: 'xml' } })).body) as { root: { ret: string; msg: string } };
  t.equal(x.root.ret, '1');
  t.match(x.root.msg, /ip/);
  t.match((await signed(app, dave, { method: 'GET', path: '/api/other/kownperson', params: { ip: '10.0.0.1' }, signWithSecret: 'x' })).json(), { ret: 3, errcode: 9 });
});
