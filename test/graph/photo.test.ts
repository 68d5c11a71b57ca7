// G7 photo/list_album, G8 photo/upload_pic, G9 photo/add_album, G10 photo/list_photo:
// answers, XML, every parameter refusal, approval/scope refusals and read-after-write
// (an upload is listed in its album and its URL serves the same bytes).
import t from 'tap';
import { build, graphCreds, graphGet, graphPost, multipart, parseXml, PNG_1x1, GRAPH_PLAIN } from '../helpers.js';
import { makePng } from '../../seed/png.js';

const app = await build();
t.teardown(() => app.close());

t.test("Node's FormData global is back after multipart registered (server/app.ts hides it meanwhile)", async (t) => {
  t.equal(typeof FormData, 'function');
  t.equal(new FormData().has('x'), false);
});

type Creds = Record<string, string>;
/** A subtest's `t` (the last overload of t.test takes just the callback). */
type T = Parameters<Parameters<typeof t.test>[0]>[0];
type File = { filename: string; contentType: string; data: Buffer };

const alice = graphCreds(app, 'alice');
const bob = graphCreds(app, 'bob');
const dave = graphCreds(app, 'dave');

const PNG_3x2 = makePng(3, 2, [12, 34, 56], [200, 100, 50]);
const GIF_1x1 = Buffer.from('47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b', 'hex');
const ICO = Buffer.concat([Buffer.from('0000010001001010000001002000', 'hex'), Buffer.alloc(64, 1)]);
const png = (data: Buffer = PNG_3x2, filename = 'photo.png'): File => ({ filename, contentType: 'image/png', data });

function upload(creds: Creds, fields: Record<string, string> = {}, file: File | null = png(), query = '') {
  const m = multipart({ ...creds, ...fields }, file ? { picture: file } : {});
  return app.inject({ method: 'POST', url: `/photo/upload_pic${query}`, headers: m.headers, payload: m.payload });
}

const listAlbum = async (creds: Creds) => (await graphGet(app, '/photo/list_album', creds)).json();
const listPhoto = async (creds: Creds, albumid: string) => (await graphGet(app, '/photo/list_photo', creds, { albumid })).json();
const addAlbum = (creds: Creds, params: Record<string, string | number>) => graphPost(app, '/photo/add_album', creds, params);

/** A parameter refusal: ret 1 with a msg naming the parameter, HTTP 200. */
function paramError(t: T, res: { statusCode: number; json: () => { ret: number; msg: string } }, param: string) {
  t.equal(res.statusCode, 200);
  const j = res.json();
  t.equal(j.ret, 1, `ret 1 for ${param}`);
  t.match(j.msg, new RegExp(`\\b${param}\\b`), `msg names ${param}: ${j.msg}`);
}

const ALBUM_KEYS = ['albumid', 'classid', 'createtime', 'desc', 'name', 'priv', 'coverurl', 'picnum'];

// ---------------------------------------------------------------------------------------
// G7 list_album

t.test('G7 list_album JSON: the seeded albums of alice', async (t) => {
  const res = await graphGet(app, '/photo/list_album', alice);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  t.match(res.body, /^\{"ret":0,"msg":"","albumnum":3,"album":\[/);
  const j = res.json();
  t.same(Object.keys(j), ['ret', 'msg', 'albumnum', 'album']);
  t.equal(j.albumnum, 3);
  t.equal(j.album.length, 3);
  for (const a of j.album) {
    t.same(Object.keys(a), ALBUM_KEYS);
    t.match(a.albumid, /^[0-9A-F]{24}$/);
    t.type(a.classid, 'number');
    t.type(a.createtime, 'number');
    t.type(a.priv, 'number');
    t.type(a.picnum, 'number');
    t.type(a.desc, 'string');
    if (a.picnum > 0) t.match(a.coverurl, /\/qzonepic\/[0-9a-f]{32}\/m$/);
    else t.equal(a.coverurl, '');
  }
  const sorted = [...j.album].sort((x: { createtime: number }, y: { createtime: number }) => x.createtime - y.createtime);
  t.same(j.album, sorted, 'oldest first');
  const tie = j.album.find((a: { name: string }) => a.name === '贴图相册');
  t.ok(tie, 'the default album is listed');
  t.equal(tie.picnum, 5);
  t.notOk(res.body.includes('http://'), 'URLs escaped as \\/');
});

t.test('G7 list_album: the cover URL serves a picture; picnum equals list_photo total', async (t) => {
  const j = await listAlbum(alice);
  for (const a of j.album) {
    const photos = await listPhoto(alice, a.albumid);
    t.equal(photos.total, a.picnum, `${a.name}: picnum`);
    if (a.picnum) {
      const cover = await app.inject({ method: 'GET', url: new URL(a.coverurl).pathname });
      t.equal(cover.statusCode, 200);
      t.match(cover.headers['content-type'], /^image\//);
    }
  }
});

t.test('G7 list_album XML: one <album> element per album', async (t) => {
  const res = await graphGet(app, '/photo/list_album', alice, { format: 'xml' });
  t.match(res.headers['content-type'], /^text\/xml/);
  const x = parseXml(res.body) as { data: { ret: string; albumnum: string; album: Record<string, string>[] } };
  t.equal(x.data.ret, '0');
  t.equal(x.data.albumnum, '3');
  t.equal(x.data.album.length, 3);
  t.match(x.data.album[0].albumid, /^[0-9A-F]{24}$/);
  t.ok(x.data.album.some((a) => a.name === '贴图相册'));
});

t.test('G7 list_album answers the Java SDK POST too; a user without albums gets albumnum 0', async (t) => {
  const post = (await graphPost(app, '/photo/list_album', alice)).json();
  t.equal(post.albumnum, 3);
  const ids = app.world.users.list(200).map((u) => u.id);
  const bare = ids.find((id) => !app.world.db.prepare('SELECT 1 FROM albums WHERE user_id = ?').get(id));
  t.ok(bare, 'some seeded user has no album');
  const name = app.world.users.byId(bare!)!.name;
  const j = await listAlbum(graphCreds(app, name));
  t.equal(j.ret, 0);
  t.equal(j.albumnum, 0);
  t.same(j.album, []);
});

t.test('G7–G10 need the app approved (100031) and the API in scope (100030)', async (t) => {
  const plain = graphCreds(app, 'alice', 'all', GRAPH_PLAIN.appid);
  const narrow = graphCreds(app, 'alice', 'get_user_info,list_album');
  const album = (await listAlbum(alice)).album[0].albumid;
  const calls: [string, (c: Creds) => Promise<{ json: () => { ret: number; msg: string } }>][] = [
    ['list_album', (c) => graphGet(app, '/photo/list_album', c)],
    ['add_album', (c) => addAlbum(c, { albumname: 'x' })],
    ['upload_pic', (c) => upload(c, { albumid: album })],
    ['list_photo', (c) => graphGet(app, '/photo/list_photo', c, { albumid: album })],
  ];
  for (const [api, call] of calls) {
    const a = (await call(plain)).json();
    t.equal(a.ret, 100031, `${api}: app not approved`);
    t.match(a.msg, api);
    const b = (await call(narrow)).json();
    if (api === 'list_album') t.equal(b.ret, 0, 'list_album is in the scope');
    else {
      t.equal(b.ret, 100030, `${api}: not in scope`);
      t.match(b.msg, api);
    }
  }
  const bad = (await graphGet(app, '/photo/list_album', { ...alice, access_token: 'F'.repeat(32) })).json();
  t.equal(bad.ret, 100016, 'unknown token');
  t.equal((await listAlbum(alice)).albumnum, 3, 'refused calls created nothing');
});

// ---------------------------------------------------------------------------------------
// G9 add_album

t.test('G9 add_album JSON: the new album is listed and albumnum grows', async (t) => {
  const before = await listAlbum(alice);
  const res = await addAlbum(alice, { albumname: '旅行 2011', albumdesc: '去了深圳 & 香港 <b>', priv: 4 });
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const j = res.json();
  t.same(Object.keys(j), ['ret', 'msg', ...ALBUM_KEYS]);
  t.equal(j.ret, 0);
  t.match(j.albumid, /^[0-9A-F]{24}$/);
  t.equal(j.name, '旅行 2011');
  t.equal(j.desc, '去了深圳 & 香港 <b>');
  t.equal(j.priv, 4);
  t.equal(j.picnum, 0);
  t.equal(j.coverurl, '');
  t.ok(Math.abs(j.createtime - app.world.now()) < 5, 'createtime is now');
  t.notOk(res.body.includes('<b>'), 'angle brackets escaped in JSON');

  const after = await listAlbum(alice);
  t.equal(after.albumnum, before.albumnum + 1);
  const listed = after.album.find((a: { albumid: string }) => a.albumid === j.albumid);
  t.same(listed, { albumid: j.albumid, classid: j.classid, createtime: j.createtime, desc: j.desc, name: j.name, priv: 4, coverurl: '', picnum: 0 });
  t.equal(after.album[after.album.length - 1].albumid, j.albumid, 'newest album last');
  const photos = await listPhoto(alice, j.albumid);
  t.equal(photos.ret, 0);
  t.equal(photos.total, 0);
  t.same(photos.photos, []);
});

t.test('G9 add_album XML; priv defaults to 1; 30 Chinese characters is the limit', async (t) => {
  const name = '相'.repeat(30);
  const res = await graphPost(app, '/photo/add_album', bob, { albumname: name, format: 'xml' });
  t.match(res.headers['content-type'], /^text\/xml/);
  const x = parseXml(res.body) as { data: Record<string, string> };
  t.equal(x.data.ret, '0');
  t.equal(x.data.name, name);
  t.equal(x.data.priv, '1');
  t.equal(x.data.picnum, '0');
  t.match(x.data.albumid, /^[0-9A-F]{24}$/);
  const listed = (await listAlbum(bob)).album.map((a: { albumid: string }) => a.albumid);
  t.ok(listed.includes(x.data.albumid), 'listed for bob');
  t.notOk((await listAlbum(alice)).album.some((a: { albumid: string }) => a.albumid === x.data.albumid), 'not for alice');
});

t.test('G9 add_album priv 5 (question and answer)', async (t) => {
  const j = (await addAlbum(bob, { albumname: '秘密', priv: 5, question: '我的猫叫什么?', answer: '咪咪' })).json();
  t.equal(j.ret, 0);
  t.equal(j.priv, 5);
  t.notOk('question' in j || 'answer' in j, 'the answer is not leaked');
});

t.test('G9 add_album refusals name the parameter', async (t) => {
  const before = (await listAlbum(carolCreds())).albumnum;
  paramError(t, await addAlbum(carolCreds(), {}), 'albumname');
  paramError(t, await addAlbum(carolCreds(), { albumname: '   ' }), 'albumname');
  paramError(t, await addAlbum(carolCreds(), { albumname: 'x'.repeat(31) }), 'albumname');
  paramError(t, await addAlbum(carolCreds(), { albumname: '相'.repeat(31) }), 'albumname');
  paramError(t, await addAlbum(carolCreds(), { albumname: 'ok', albumdesc: 'd'.repeat(201) }), 'albumdesc');
  for (const priv of ['0', '2', '6', 'public', '1.5']) paramError(t, await addAlbum(carolCreds(), { albumname: 'ok', priv }), 'priv');
  paramError(t, await addAlbum(carolCreds(), { albumname: 'ok', priv: 5 }), 'question');
  paramError(t, await addAlbum(carolCreds(), { albumname: 'ok', priv: 5, question: 'q?' }), 'answer');
  paramError(t, await addAlbum(carolCreds(), { albumname: 'ok', priv: 5, question: 'q'.repeat(31), answer: 'a' }), 'question');
  paramError(t, await addAlbum(carolCreds(), { albumname: 'ok', priv: 5, question: 'q', answer: 'a'.repeat(31) }), 'answer');
  const xml = await graphPost(app, '/photo/add_album', carolCreds(), { format: 'xml' });
  t.match(xml.body, /<root><data><ret>1<\/ret><msg><!\[CDATA\[error albumname param/);
  t.equal((await listAlbum(carolCreds())).albumnum, before, 'nothing was created');
  t.ok((await addAlbum(carolCreds(), { albumname: 'ok', albumdesc: 'd'.repeat(200) })).json().ret === 0, '200 characters of albumdesc is allowed');
});

function carolCreds() {
  return graphCreds(app, 'carol');
}

t.test('G9 add_album: at most 10 albums per user', async (t) => {
  let n = (await listAlbum(dave)).albumnum;
  t.ok(n < 10);
  while (n < 10) {
    const j = (await addAlbum(dave, { albumname: `album ${n}` })).json();
    t.equal(j.ret, 0, `album ${n + 1}`);
    n++;
  }
  const refused = (await addAlbum(dave, { albumname: 'one too many' })).json();
  t.not(refused.ret, 0);
  t.equal(refused.ret, 4);
  t.match(refused.msg, /at most 10 albums/);
  const after = await listAlbum(dave);
  t.equal(after.albumnum, 10);
  t.notOk(after.album.some((a: { name: string }) => a.name === 'one too many'));
  // uploads into an existing album still work for a user at the limit
  const up = (await upload(dave, { albumid: after.album[0].albumid })).json();
  t.equal(up.ret, 0);
});

t.test('G9 add_album is POST only', async (t) => {
  const res = await graphGet(app, '/photo/add_album', alice, { albumname: 'via GET' });
  t.not(res.json().ret, 0);
  t.notOk((await listAlbum(alice)).album.some((a: { name: string }) => a.name === 'via GET'));
});

// ---------------------------------------------------------------------------------------
// G8 upload_pic

t.test('G8 upload_pic JSON: stored, listed in its album, served back byte for byte', async (t) => {
  const album = (await addAlbum(alice, { albumname: 'uploads' })).json();
  const res = await upload(alice, { albumid: album.albumid, title: '日落.png', photodesc: '海边 / 日落' });
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const j = res.json();
  t.same(Object.keys(j), ['ret', 'msg', 'albumid', 'lloc', 'sloc', 'large_url', 'small_url', 'height', 'width']);
  t.equal(j.ret, 0);
  t.equal(j.albumid, album.albumid);
  t.match(j.lloc, /^[0-9A-F]{32}$/);
  t.match(j.sloc, /^[0-9A-F]{16}$/);
  t.equal(j.width, 3);
  t.equal(j.height, 2);
  t.match(j.large_url, /^http:\/\/localhost(:\d+)?\/qzonepic\/[0-9a-f]{32}\/b$/);
  t.match(j.small_url, /\/qzonepic\/[0-9a-f]{32}\/s$/);
  t.ok(res.body.includes('\\/qzonepic\\/'), 'URLs escaped in the raw body');

  for (const url of [j.large_url, j.small_url]) {
    const pic = await app.inject({ method: 'GET', url: new URL(url).pathname });
    t.equal(pic.statusCode, 200);
    t.equal(pic.headers['content-type'], 'image/png');
    t.ok(pic.rawPayload.equals(PNG_3x2), 'same bytes as uploaded');
  }

  const photos = await listPhoto(alice, album.albumid);
  t.equal(photos.total, 1);
  const p = photos.photos[0];
  t.equal(p.lloc, j.lloc);
  t.equal(p.sloc, j.sloc);
  t.equal(p.name, '日落.png');
  t.equal(p.desc, '海边 / 日落');
  t.equal(p.small_url, j.small_url);
  t.same(p.large_image, { height: 2, width: 3, url: j.large_url });
  t.ok(Math.abs(p.uploaded_time - app.world.now()) < 5);

  const listed = (await listAlbum(alice)).album.find((a: { albumid: string }) => a.albumid === album.albumid);
  t.equal(listed.picnum, 1, 'picnum grows');
  t.equal(listed.coverurl, j.large_url.replace(/\/b$/, '/m'), 'the new photo is the cover');
});

t.test('G8 upload_pic: the same picture twice is two photos; newest listed first', async (t) => {
  const album = (await addAlbum(alice, { albumname: 'twice' })).json();
  const a = (await upload(alice, { albumid: album.albumid, title: 'first.gif' }, { filename: 'a.gif', contentType: 'image/gif', data: GIF_1x1 })).json();
  app.world.clock.advance(5);
  t.teardown(() => app.world.clock.advance(-5));
  const b = (await upload(alice, { albumid: album.albumid, title: 'second.gif' }, { filename: 'a.gif', contentType: 'image/gif', data: GIF_1x1 })).json();
  t.equal(a.ret, 0);
  t.equal(b.ret, 0);
  t.not(a.lloc, b.lloc);
  t.equal(a.large_url, b.large_url, 'content-addressed picture');
  const photos = await listPhoto(alice, album.albumid);
  t.equal(photos.total, 2);
  t.same(photos.photos.map((p: { name: string }) => p.name), ['second.gif', 'first.gif']);
  const pic = await app.inject({ method: 'GET', url: new URL(a.large_url).pathname });
  t.equal(pic.headers['content-type'], 'image/gif');
  t.ok(pic.rawPayload.equals(GIF_1x1));
});

t.test('G8 upload_pic without albumid: 贴图相册, or 手机相册 (created) with mobile=1', async (t) => {
  const before = await listAlbum(alice);
  const tie = before.album.find((a: { name: string }) => a.name === '贴图相册');
  const pc = (await upload(alice, {}, png(PNG_1x1, 'tiny.png'))).json();
  t.equal(pc.ret, 0);
  t.equal(pc.albumid, tie.albumid, 'PC uploads go to 贴图相册');
  t.equal(pc.width, 1);
  const tiePhotos = await listPhoto(alice, tie.albumid);
  t.equal(tiePhotos.total, tie.picnum + 1);
  t.equal(tiePhotos.photos[0].name, 'tiny.png', 'without title the file name is the photo name');

  t.notOk(before.album.some((a: { name: string }) => a.name === '手机相册'));
  const m1 = (await upload(alice, { mobile: '1' })).json();
  t.equal(m1.ret, 0);
  const after = await listAlbum(alice);
  t.equal(after.albumnum, before.albumnum + 1, 'the mobile album was created');
  const mobile = after.album.find((a: { name: string }) => a.name === '手机相册');
  t.equal(m1.albumid, mobile.albumid);
  const m2 = (await upload(alice, { mobile: '1' })).json();
  t.equal(m2.albumid, mobile.albumid, 'and reused');
  t.equal((await listPhoto(alice, mobile.albumid)).total, 2);
});

t.test('G8 upload_pic XML, with the optional parameters', async (t) => {
  const m = multipart({ ...bob, format: 'xml', x: '113.94', y: '22.54', needfeed: '0', successnum: '0', picnum: '1', mobile: '0', title: 'a.JPEG' }, { picture: png() });
  const res = await app.inject({ method: 'POST', url: '/photo/upload_pic', headers: m.headers, payload: m.payload });
  t.match(res.headers['content-type'], /^text\/xml/);
  const x = parseXml(res.body) as { data: Record<string, string> };
  t.equal(x.data.ret, '0');
  t.match(x.data.lloc, /^[0-9A-F]{32}$/);
  t.equal(x.data.width, '3');
  t.match(x.data.large_url, /\/qzonepic\/[0-9a-f]{32}\/b$/);
  const photos = await listPhoto(bob, x.data.albumid);
  t.ok(photos.photos.some((p: { lloc: string }) => p.lloc === x.data.lloc), 'listed in bob\'s album');
});

t.test('G8 upload_pic refusals name the parameter; nothing is stored', async (t) => {
  const album = (await addAlbum(carolCreds(), { albumname: 'refusals' })).json().albumid as string;
  const bobAlbum = (await addAlbum(bob, { albumname: 'bobs' })).json().albumid as string;
  const c = carolCreds();
  paramError(t, await upload(c, { albumid: album }, null), 'picture');
  paramError(t, await graphPost(app, '/photo/upload_pic', c, { albumid: album }), 'picture');
  paramError(t, await upload(c, { albumid: album }, { filename: 'a.png', contentType: 'image/png', data: Buffer.from('not a picture at all') }), 'picture');
  paramError(t, await upload(c, { albumid: album }, { filename: 'a.ico', contentType: 'image/x-icon', data: ICO }), 'picture');
  paramError(t, await upload(c, { albumid: album }, png(PNG_3x2, `${'n'.repeat(27)}.png`)), 'picture');
  paramError(t, await upload(c, { albumid: album, title: 'photo.txt' }), 'title');
  paramError(t, await upload(c, { albumid: album, title: 'png' }), 'title');
  paramError(t, await upload(c, { albumid: album, photodesc: 'd'.repeat(201) }), 'photodesc');
  paramError(t, await upload(c, { albumid: album, mobile: '2' }), 'mobile');
  paramError(t, await upload(c, { albumid: album, x: '400' }), 'x');
  paramError(t, await upload(c, { albumid: album, y: 'north' }), 'y');
  paramError(t, await upload(c, { albumid: album, needfeed: 'yes' }), 'needfeed');
  paramError(t, await upload(c, { albumid: album, successnum: '-1' }), 'successnum');
  paramError(t, await upload(c, { albumid: album, picnum: '0' }), 'picnum');
  paramError(t, await upload(c, { albumid: 'FFFFFFFFFFFFFFFFFFFFFFFF' }), 'albumid');
  paramError(t, await upload(c, { albumid: bobAlbum }), 'albumid');
  t.match((await upload(c, { albumid: bobAlbum })).json().msg, /another user/);
  t.equal((await listPhoto(c, album)).total, 0, 'no photo stored');
  t.equal((await listPhoto(bob, bobAlbum)).total, 0, "nothing landed in bob's album");
  t.equal((await upload(c, { albumid: album }, png(PNG_3x2, `${'n'.repeat(26)}.png`))).json().ret, 0, 'a 30-character file name is fine');
});

t.test('G8 upload_pic: a file over the upload limit is a ret 1 parameter error', async (t) => {
  const small = await build({ maxUpload: 2048 });
  t.teardown(() => small.close());
  const c = graphCreds(small, 'alice');
  const big = Buffer.concat([PNG_3x2, Buffer.alloc(4096, 7)]);
  const m = multipart(c, { picture: png(big) });
  const res = await small.inject({ method: 'POST', url: '/photo/upload_pic', headers: m.headers, payload: m.payload });
  t.equal(res.statusCode, 200);
  const j = res.json();
  t.equal(j.ret, 1);
  t.match(j.msg, /param/);
  t.match(j.msg, /too large/);
  const ok = multipart(c, { picture: png() });
  t.equal((await small.inject({ method: 'POST', url: '/photo/upload_pic', headers: ok.headers, payload: ok.payload })).json().ret, 0, 'under the limit is fine');
});

// ---------------------------------------------------------------------------------------
// G10 list_photo

t.test('G10 list_photo JSON: the seeded photos of 贴图相册', async (t) => {
  const fresh = await build();
  t.teardown(() => fresh.close());
  const c = graphCreds(fresh, 'alice');
  const tie = (await graphGet(fresh, '/photo/list_album', c)).json().album.find((a: { name: string }) => a.name === '贴图相册');
  const res = await graphGet(fresh, '/photo/list_photo', c, { albumid: tie.albumid });
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const j = res.json();
  t.same(Object.keys(j), ['ret', 'msg', 'total', 'photos']);
  t.equal(j.total, 5);
  t.equal(j.photos.length, 5);
  for (const p of j.photos) {
    t.same(Object.keys(p), ['sloc', 'lloc', 'name', 'desc', 'updated_time', 'uploaded_time', 'small_url', 'large_image']);
    t.match(p.lloc, /^[0-9A-F]{32}$/);
    t.equal(p.sloc, p.lloc.slice(0, 16));
    t.type(p.uploaded_time, 'number');
    t.same(Object.keys(p.large_image), ['height', 'width', 'url']);
    t.equal(p.large_image.width, 64);
    const pic = await fresh.inject({ method: 'GET', url: new URL(p.small_url).pathname });
    t.equal(pic.statusCode, 200);
  }
  const times = j.photos.map((p: { uploaded_time: number }) => p.uploaded_time);
  t.same(times, [...times].sort((a, b) => b - a), 'newest first');
  t.equal(tie.coverurl, j.photos[0].large_image.url.replace(/\/b$/, '/m'), 'the cover is the newest photo');
});

t.test('G10 list_photo XML: one <photos> element per photo', async (t) => {
  const tie = (await listAlbum(alice)).album.find((a: { name: string }) => a.name === '贴图相册');
  const res = await graphGet(app, '/photo/list_photo', alice, { albumid: tie.albumid, format: 'xml' });
  const x = parseXml(res.body) as { data: { ret: string; total: string; photos: { lloc: string; large_image: { width: string } }[] } };
  t.equal(x.data.ret, '0');
  t.equal(Number(x.data.total), tie.picnum);
  t.equal(x.data.photos.length, tie.picnum);
  t.match(x.data.photos[0].lloc, /^[0-9A-F]{32}$/);
  t.ok(x.data.photos[0].large_image.width);
});

t.test("G10 list_photo refusals: missing albumid, unknown album, another user's album", async (t) => {
  paramError(t, await graphGet(app, '/photo/list_photo', alice), 'albumid');
  paramError(t, await graphGet(app, '/photo/list_photo', alice, { albumid: '' }), 'albumid');
  paramError(t, await graphGet(app, '/photo/list_photo', alice, { albumid: 'nope' }), 'albumid');
  const aliceAlbum = (await listAlbum(alice)).album[0].albumid;
  const res = await graphGet(app, '/photo/list_photo', bob, { albumid: aliceAlbum });
  paramError(t, res, 'albumid');
  t.match(res.json().msg, /another user/);
  t.notOk(res.body.includes('photos'), 'no photo leaked');
  const xml = await graphGet(app, '/photo/list_photo', bob, { albumid: aliceAlbum, format: 'xml' });
  const x = parseXml(xml.body) as { root: { data: { ret: string; msg: string } } };
  t.equal(x.root.data.ret, '1');
  t.match(x.root.data.msg, /albumid/);
});
