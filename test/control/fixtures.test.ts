// Fixtures (--fixtures / POST /_emulator/fixtures): the documented example file loaded at build
// time, read back through both APIs with its fixed tokens, reloaded idempotently, kept across
// reset, and refused with an error naming the file, entry and field.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, signed } from '../helpers.js';
import { buildApp } from '../../server/app.js';

const EXAMPLE = join(import.meta.dirname, '../../docs/fixtures.example.json');
const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
const app = await build({ fixtures: EXAMPLE });
t.teardown(() => app.close());

const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const counts = async () => (await app.inject({ method: 'GET', url: '/_emulator/info' })).json().counts;
const weibo = {
  token: example.tokens[1].oauth_token,
  secret: example.tokens[1].oauth_token_secret,
  consumerKey: example.apps[1].appid,
  consumerSecret: example.apps[1].secret,
};

async function readsFixedUser(t: Test) {
  const token = example.tokens[0].access_token;
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${token}&fmt=json` });
  const { openid, client_id } = me.json();
  t.equal(client_id, '102000001', 'the fixed graph token belongs to the fixed app');
  const info = (await app.inject({ method: 'GET', url: `/user/get_user_info?access_token=${token}&oauth_consumer_key=102000001&openid=${openid}` })).json();
  t.match(info, { ret: 0, nickname: 'QA Tester' }, 'graph get_user_info reads the fixed user');
  const u = (await signed(app, weibo, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).json();
  t.match(u, { ret: 0, data: { name: 'qa_tester', nick: 'QA Tester', introduction: 'known test account', fansnum: 1, idolnum: 1 } }, 'a signed weibo call with the fixed token reads the fixed user');
  const tw = (await signed(app, weibo, { method: 'GET', path: '/api/t/show', params: { format: 'json', id: '9000000001' } })).json();
  t.match(tw, { ret: 0, data: { text: 'hello from a fixture #fixtures', name: 'qa_friend' } }, 'the tweet with a fixed id');
  // the open.t.qq.com OAuth 2.0 token (flavour oauth2): unsigned, with the 2.a parameters
  const v2 = example.tokens[2];
  const v2openid = app.world.apps.openidFor(v2.appid, app.world.users.byName('qa_tester')!.id);
  const v2q = new URLSearchParams({ format: 'json', oauth_consumer_key: v2.appid, access_token: v2.access_token, openid: v2openid, clientip: '127.0.0.1', oauth_version: '2.a', scope: 'all' });
  t.match((await app.inject({ method: 'GET', url: `/api/user/info?${v2q}` })).json(), { ret: 0, data: { name: 'qa_tester' } }, 'the fixed OAuth 2.0 weibo token reads the fixed user');
  const pm = (await signed(app, weibo, { method: 'GET', path: '/api/private/recv', params: { format: 'json', reqnum: '20' } })).json();
  t.ok(pm.data.info.some((m: { origtext?: string; text?: string }) => (m.origtext ?? m.text) === 'a private hello'), 'the private message is in the inbox');
  return openid as string;
}

t.test('the example file loaded at build time is read through both APIs', async (t) => {
  await readsFixedUser(t);
});

t.test('loading again changes nothing', async (t) => {
  const before = await counts();
  const r = await post('/_emulator/fixtures', example);
  t.equal(r.statusCode, 200);
  t.same(r.json().created, { apps: 0, users: 0, relations: 0, tweets: 0, privateMessages: 0, tokens: 0 }, 'nothing created on reload');
  t.same(await counts(), before, 'counts unchanged');
});

t.test('fixtures posted over HTTP survive reset; the openid stays the same', async (t) => {
  const openid = await readsFixedUser(t);
  const extra = { users: [{ name: 'qa_extra', nick: 'Extra' }], tokens: [{ platform: 'graph', appid: '102000001', user: 'qa_extra', access_token: 'EXTRAGRAPHTOKEN00000000000000001' }] };
  const r = await post('/_emulator/fixtures', extra);
  t.same(r.json().created, { apps: 0, users: 1, relations: 0, tweets: 0, privateMessages: 0, tokens: 1 });
  t.equal((await post('/_emulator/reset', {})).statusCode, 200);
  t.equal(await readsFixedUser(t), openid, 'same openid after reset');
  const me = (await app.inject({ method: 'GET', url: '/oauth2.0/me?access_token=EXTRAGRAPHTOKEN00000000000000001&fmt=json' })).json();
  t.equal(me.client_id, '102000001', 'the HTTP-loaded token is back after reset');
});

t.test('a broken document is refused naming the entry and field', async (t) => {
  const before = await counts();
  const bad = structuredClone(example);
  bad.users.push({ name: 'ok_user' }, { name: '9starts-with-digit' });
  const r = await post('/_emulator/fixtures', bad);
  t.equal(r.statusCode, 400);
  t.equal(r.json().error, 'body: users[3].name: must be 1-20 of A-Z a-z 0-9 _ - starting with a letter');
  const r2 = await post('/_emulator/fixtures', { relations: [{ fan: 'qa_tester', idol: 'nobody_here' }] });
  t.equal(r2.json().error, 'body: relations[0].idol: no user nobody_here (declare it under users or use a seeded one)');
  const r3 = await post('/_emulator/fixtures', { tokens: [{ platform: 'graph', appid: '102000001', user: 'qa_friend', access_token: example.tokens[0].access_token }] });
  t.equal(r3.json().error, 'body: tokens[0].access_token: is already issued to another app or user', 'a fixed token cannot change hands');
  t.match((await post('/_emulator/fixtures', { userz: [] })).json().error, /unknown parameter userz/);
  t.same(await counts(), before, 'a refused document changes nothing');
});

t.test('a broken file at build time names the file, entry and field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'));
  const file = join(dir, 'team.json');
  writeFileSync(file, JSON.stringify({ apps: [{ appid: '103000001', secret: 'short' }] }));
  await t.rejects(buildApp({ db: ':memory:', fixtures: file }), { message: `${file}: apps[0].secret: must be 8-128 of A-Z a-z 0-9 . _ ~ -` });
  const yaml = join(dir, 'team.yaml');
  writeFileSync(yaml, 'users:\n  - name: yaml_user\n    nick: From YAML\n');
  const y = await buildApp({ db: ':memory:', fixtures: yaml });
  t.teardown(() => y.close());
  t.equal(y.world.users.byName('yaml_user')?.nick, 'From YAML', 'YAML by extension');
});
