import t from 'tap';
import { build, weiboCreds, signed, parseXml, PNG_1x1, type WeiboCreds } from '../helpers.js';
import { makePng } from '../../seed/png.js';

const app = await build();
t.teardown(() => app.close());
const alice = weiboCreds(app, 'alice');

t.test('user/info answers the caller profile, signed in query, body and header', async (t) => {
  for (const via of ['query', 'header'] as const) {
    const res = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' }, via });
    const body = res.json();
    t.equal(body.ret, 0, via);
    t.equal(body.data.name, 'alice');
    t.same(Object.keys(body), ['data', 'errcode', 'msg', 'ret'], 'keys sorted');
    t.type(body.data.fansnum, 'number');
  }
});

t.test('user/info XML', async (t) => {
  const res = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'xml' } });
  const x = parseXml(res.body) as { root: { ret: string; data: { name: string } } };
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.name, 'alice');
});

t.test('bad signature is ret 3 errcode 9', async (t) => {
  const res = await signed(app, alice, { method: 'GET', path: '/api/user/info', signWithSecret: 'wrong' });
  t.match(res.json(), { ret: 3, errcode: 9, data: null });
});

// ---------------------------------------------------------------------------------------
// T21 user/update, T22 user/update_head, T23 user/other_info

type Body = { ret: number; errcode: number; msg: string; data: any };
const bob = weiboCreds(app, 'bob');
const dave = weiboCreds(app, 'dave');
const get = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'GET', path, params })).json();
const post = async (c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method: 'POST', path, params })).json();
const info = async (c: WeiboCreds) => (await get(c, '/api/user/info')).data;

t.test('user/update changes the profile seen by user/info and other_info (T21)', async (t) => {
  const before = await info(dave);
  const res = await post(dave, '/api/user/update', {
    nick: '戴夫 Dave',
    sex: 2,
    year: 1988,
    month: 2,
    day: 29,
    countrycode: '1',
    provincecode: '44',
    citycode: '3',
    introduction: '新的介绍 & <b>hi</b>',
  });
  t.same(res, { data: null, errcode: 0, msg: 'ok', ret: 0 });
  const after = await info(dave);
  t.match(after, {
    name: 'dave',
    nick: '戴夫 Dave',
    sex: 2,
    birth_year: 1988,
    birth_month: 2,
    birth_day: 29,
    country_code: '1',
    province_code: '44',
    city_code: '3',
    location: '中国 广东 深圳',
    introduction: '新的介绍 & <b>hi</b>',
  });
  t.not(after.nick, before.nick);
  const seen = await get(bob, '/api/user/other_info', { name: 'dave' });
  t.match(seen.data, { nick: '戴夫 Dave', birth_year: 1988, location: '中国 广东 深圳' });

  // partial update: only what is sent changes
  t.equal((await post(dave, '/api/user/update', { sex: 1 })).ret, 0);
  t.match(await info(dave), { sex: 1, nick: '戴夫 Dave', birth_year: 1988, birth_day: 29, introduction: '新的介绍 & <b>hi</b>' });
  // introduction may be cleared
  t.equal((await post(dave, '/api/user/update', { introduction: '' })).ret, 0);
  t.equal((await info(dave)).introduction, '');
  // province change recomputes the location
  t.equal((await post(dave, '/api/user/update', { provincecode: '11', citycode: '8' })).ret, 0);
  t.match(await info(dave), { province_code: '11', city_code: '8', location: '中国 北京 海淀' });
});

t.test('user/update XML (T21)', async (t) => {
  const res = await signed(app, dave, { method: 'POST', path: '/api/user/update', params: { format: 'xml', nick: 'DaveX', month: 12, day: 31 } });
  const x = parseXml(res.body) as { root: { ret: string; msg: string; data: string; errcode: string } };
  t.equal(x.root.ret, '0');
  t.equal(x.root.msg, 'ok');
  t.equal(x.root.data, '');
  const r = parseXml((await signed(app, dave, { method: 'GET', path: '/api/user/info', params: { format: 'xml' } })).body) as { root: { data: Record<string, string> } };
  t.equal(r.root.data.nick, 'DaveX');
  t.equal(r.root.data.birth_month, '12');
  t.equal(r.root.data.birth_day, '31');
  const bad = parseXml((await signed(app, dave, { method: 'POST', path: '/api/user/update', params: { format: 'xml', year: 1800 } })).body) as { root: { ret: string; msg: string } };
  t.equal(bad.root.ret, '1');
  t.match(bad.root.msg, /year/);
});

t.test('user/update bad input is ret 1 naming the parameter and changes nothing (T21)', async (t) => {
  const before = await info(dave);
  const cases: [Record<string, string | number>, RegExp][] = [
    [{}, /nick, sex, year/],
    [{ year: 1899 }, /year/],
    [{ year: 2011 }, /year/],
    [{ year: 'nineteen' }, /year/],
    [{ month: 0 }, /month/],
    [{ month: 13 }, /month/],
    [{ day: 0 }, /day/],
    [{ day: 32 }, /day/],
    [{ year: 2001, month: 2, day: 29 }, /day.*valid date/],
    [{ month: 4, day: 31 }, /day.*valid date/],
    [{ sex: 3 }, /sex/],
    [{ sex: 'm' }, /sex/],
    [{ nick: '' }, /nick/],
    [{ nick: '   ' }, /nick/],
    [{ nick: '一二三四五六七八九十一二三' }, /nick/],
    [{ nick: 'a'.repeat(25) }, /nick/],
    [{ countrycode: 'cn' }, /countrycode/],
    [{ provincecode: '4-4' }, /provincecode/],
    [{ citycode: 'x' }, /citycode/],
    [{ introduction: '字'.repeat(141) }, /introduction/],
    [{ nick: 'fine', year: 3000 }, /year/],
  ];
  for (const [params, msg] of cases) {
    const b = await post(dave, '/api/user/update', params);
    t.match(b, { ret: 1, msg, data: null }, JSON.stringify(params));
  }
  t.same(await info(dave), before, 'nothing changed');
  // a day valid for the stored month is accepted: dave's month is 12 now
  t.equal((await post(dave, '/api/user/update', { day: 31 })).ret, 0);
  t.match(await post(dave, '/api/user/update', { month: 11 }), { ret: 1, msg: /day/ }, 'month 11 with stored day 31');
  t.equal((await post(dave, '/api/user/update', { nick: '一二三四五六七八九十一二' })).ret, 0, '12 Chinese characters fit');
  const wrong = await signed(app, dave, { method: 'POST', path: '/api/user/update', params: { nick: 'x' }, signWithSecret: 'bad' });
  t.match(wrong.json(), { ret: 3, errcode: 9 });
  t.equal((await info(dave)).nick, '一二三四五六七八九十一二');
});

const headPath = (url: string) => new URL(url).pathname;

t.test('user/update_head stores the picture; the head URL changes and serves it (T22)', async (t) => {
  const before = (await info(alice)).head as string;
  t.match(before, /^http:\/\/open\.t\.qq\.com\/mbloghead\/[0-9a-f]{32}$/);
  const png = makePng(3, 3, [10, 200, 30], [1, 2, 3]);
  const res = await signed(app, alice, { method: 'POST', path: '/api/user/update_head', files: { pic: { filename: 'me.png', contentType: 'image/png', data: png } } });
  t.same(res.json(), { data: null, errcode: 0, msg: 'ok', ret: 0 });
  const after = (await info(alice)).head as string;
  t.not(after, before, 'new head URL');
  t.match(after, /\/mbloghead\/[0-9a-f]{32}$/);
  for (const suffix of ['', '/50', '/100']) {
    const img = await app.inject({ method: 'GET', url: headPath(after) + suffix });
    t.equal(img.statusCode, 200);
    t.equal(img.headers['content-type'], 'image/png');
    t.ok(img.rawPayload.equals(png), `serves the uploaded bytes${suffix}`);
  }
  t.equal((await get(bob, '/api/user/other_info', { name: 'alice' })).data.head, after, 'others see it');
  const fans = await get(bob, '/api/friends/idollist', { reqnum: 30 });
  t.equal(fans.data.info.find((u: { name: string }) => u.name === 'alice')?.head, after, 'and so do lists');

  // oauth params in the Authorization header and the pic unsigned work too; XML answer
  const gif = Buffer.from('47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex');
  const x = await signed(app, alice, { method: 'POST', path: '/api/user/update_head', via: 'header', params: { format: 'xml' }, files: { pic: { filename: 'a.gif', contentType: 'image/gif', data: gif } } });
  const xr = parseXml(x.body) as { root: { ret: string; msg: string } };
  t.equal(xr.root.ret, '0');
  const third = (await info(alice)).head as string;
  t.not(third, after);
  const img = await app.inject({ method: 'GET', url: headPath(third) + '/100' });
  t.equal(img.headers['content-type'], 'image/gif');
  t.ok(img.rawPayload.equals(gif));
});

t.test('user/update_head bad input (T22)', async (t) => {
  const before = (await info(bob)).head;
  const up = (data: Buffer, extra: Record<string, string> = {}) =>
    signed(app, bob, { method: 'POST', path: '/api/user/update_head', params: extra, files: { pic: { filename: 'x.png', contentType: 'image/png', data } } }).then((r) => r.json() as Body);
  t.match(await up(Buffer.from('this is not a picture at all')), { ret: 1, msg: /pic.*not an image/, data: null });
  t.match(await up(Buffer.alloc(0)), { ret: 1, msg: /pic/ });
  const big = Buffer.concat([PNG_1x1, Buffer.alloc(2 * 1024 * 1024)]);
  t.match(await up(big), { ret: 1, msg: /pic.*larger/ }, 'over the 2 MiB head limit');
  const huge = Buffer.concat([PNG_1x1, Buffer.alloc(5 * 1024 * 1024)]);
  t.match(await up(huge), { ret: 1, msg: /too large/ }, 'over the upload limit');
  // no file part at all
  t.match(await post(bob, '/api/user/update_head'), { ret: 1, msg: /pic/ });
  const other = await signed(app, bob, { method: 'POST', path: '/api/user/update_head', files: { picture: { filename: 'x.png', contentType: 'image/png', data: PNG_1x1 } } });
  t.match(other.json(), { ret: 1, msg: /pic/ }, 'the field must be named pic');
  // signing is still enforced on the text parts
  const bad = await signed(app, bob, { method: 'POST', path: '/api/user/update_head', signWithSecret: 'nope', files: { pic: { filename: 'x.png', contentType: 'image/png', data: PNG_1x1 } } });
  t.match(bad.json(), { ret: 3, errcode: 9 });
  t.equal((await info(bob)).head, before, 'head unchanged');
});

t.test('user/other_info (T23): profile plus relationship flags in both spellings', async (t) => {
  const res = await get(alice, '/api/user/other_info', { name: 'bob' });
  t.equal(res.ret, 0);
  t.match(res.data, { name: 'bob', nick: '鲍勃', Ismyidol: 1, Ismyfans: 1, Ismyblack: 0, ismyidol: 1, ismyfans: 1, ismyblack: 0 });
  t.type(res.data.fansnum, 'number');
  t.type(res.data.birth_year, 'number');
  t.type(res.data.country_code, 'string');
  const keys = Object.keys(res.data);
  t.same(keys, [...keys].sort(), 'keys sorted, capitalised flags first');
  t.equal(keys[0], 'Ismyblack');
  // bob's view of erin, whom he blacklisted
  t.match((await get(bob, '/api/user/other_info', { name: 'erin' })).data, { Ismyblack: 1, ismyblack: 1, Ismyidol: 0, Ismyfans: 0 });
  // yourself: no flags set
  t.match((await get(alice, '/api/user/other_info', { name: 'alice' })).data, { name: 'alice', Ismyidol: 0, Ismyfans: 0, Ismyblack: 0 });

  const x = parseXml((await signed(app, alice, { method: 'GET', path: '/api/user/other_info', params: { name: 'bob', format: 'xml' } })).body) as { root: { ret: string; data: Record<string, unknown> } };
  t.equal(x.root.ret, '0');
  t.match(x.root.data, { name: 'bob', Ismyidol: '1', Ismyfans: '1', Ismyblack: '0', ismyidol: '1' });

  t.match(await get(alice, '/api/user/other_info'), { ret: 1, msg: /name/, data: null });
  t.match(await get(alice, '/api/user/other_info', { name: 'no_such_one' }), { ret: 1, msg: /name.*no_such_one/ });
  const xb = parseXml((await signed(app, alice, { method: 'GET', path: '/api/user/other_info', params: { format: 'xml' } })).body) as { root: { ret: string; msg: string } };
  t.equal(xb.root.ret, '1');
  t.match(xb.root.msg, /name/);
});

// Wire details real clients read (issue 10): a 2011 SDK takes the absence of the relationship flags
// to mean "my own profile"; tweetinfo does not repeat its author's own fields, so an XML reader
// looking for the user's <nick> finds exactly one.
t.test('user/info: no relationship flags; tweetinfo without the author fields (JSON and XML)', async (t) => {
  const own = (await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).json().data;
  for (const k of ['ismyidol', 'ismyfans', 'ismyblack', 'Ismyidol', 'Ismyfans', 'Ismyblack']) t.notOk(k in own, `user/info has no ${k}`);
  t.ok(own.tweetinfo.length === 1, 'alice has a latest tweet');
  for (const k of ['name', 'nick', 'head', 'isvip', 'isrealname']) t.notOk(k in own.tweetinfo[0], `tweetinfo has no ${k}`);
  t.match(own.tweetinfo[0], { id: /^\d+$/, origtext: String, timestamp: Number, self: 1 }, 'the tweet itself is kept');
  const other = (await signed(app, alice, { method: 'GET', path: '/api/user/other_info', params: { format: 'json', name: 'bob' } })).json().data;
  t.match(other, { ismyidol: Number, ismyfans: Number, ismyblack: Number, Ismyidol: Number }, 'other_info keeps the flags');
  t.ok(other.tweetinfo.length === 1 && !('nick' in other.tweetinfo[0]), 'other_info tweetinfo without nick');
  for (const [path, params, nick] of [['/api/user/info', {}, own.nick], ['/api/user/other_info', { name: 'bob' }, other.nick]] as const) {
    const xml = (await signed(app, alice, { method: 'GET', path, params: { format: 'xml', ...params } })).body;
    t.equal(xml.match(/<nick>/g)?.length, 1, `${path} XML: exactly one <nick>`);
    t.equal((parseXml(xml) as { root: { data: { nick: string } } }).root.data.nick, nick);
    t.equal(/<ismy(idol|fans|black)>/i.test(xml), path !== '/api/user/info', `${path} XML relationship flags`);
  }
});
