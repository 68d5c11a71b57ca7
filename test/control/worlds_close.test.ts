// A world that DELETE, reset, snapshot restore or import replaced is closed (its in-memory
// database freed) once the requests that began on it have answered — and not before.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build, signed, type WeiboCreds } from '../helpers.js';
import type { World } from '../../db/world.js';
import { retiringWorlds } from '../../server/world_hold.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body?: unknown) =>
  app.inject({ method: 'POST', url, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });
const turn = () => new Promise((r) => setImmediate(r));
const worldOf = (id: string): World => app.control.worlds.get(id)!.world;

async function newWorld(): Promise<{ id: string; creds: WeiboCreds }> {
  const w = (await post('/_emulator/worlds')).json();
  const tok = (await post('/_emulator/tokens/weibo', { world: w.id, user: 'alice', appid: w.weibo.consumer_key })).json();
  return { id: w.id, creds: { token: tok.oauth_token, secret: tok.oauth_token_secret, consumerKey: tok.oauth_consumer_key, consumerSecret: tok.oauth_consumer_secret } };
}
const userInfo = (c: WeiboCreds) => signed(app, c, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });

t.test('an idle isolated world is closed when deleted', async (t) => {
  const { id, creds } = await newWorld();
  t.equal((await userInfo(creds)).json().ret, 0);
  const w = worldOf(id);
  t.ok(w.db.open);
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${id}` })).json().deleted, true);
  await turn();
  t.notOk(w.db.open, 'its database is closed');
  t.equal(retiringWorlds(), 0);
});

t.test('a request in flight on a deleted world still answers from it; the world closes after', async (t) => {
  const { id, creds } = await newWorld();
  const w = worldOf(id);
  await post('/_emulator/faults', { world: id, path: '/api/user/info', delayMs: 300, count: 1 });
  const slow = userInfo(creds);
  await new Promise((r) => setTimeout(r, 100));
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${id}` })).statusCode, 200);
  await turn();
  t.ok(w.db.open, 'kept open while a request is on it');
  t.equal(retiringWorlds(), 1);
  const r = await slow;
  t.equal(r.statusCode, 200);
  t.equal(r.json().ret, 0, 'answered from the deleted world');
  t.equal(r.json().data.name, 'alice');
  await turn();
  await turn();
  t.notOk(w.db.open, 'closed once it answered');
  t.equal(retiringWorlds(), 0);
  const journal = (await app.inject({ method: 'GET', url: '/_emulator/journal?path=/api/user/info' })).json();
  t.equal(journal.total, 0, "the deleted world's call is not journaled as the default world's");
});

t.test("a request in flight while its world is reset is journaled in that world's journal", async (t) => {
  const { id, creds } = await newWorld();
  const before = worldOf(id);
  await post('/_emulator/faults', { world: id, path: '/api/user/info', delayMs: 300, count: 1 });
  const slow = userInfo(creds);
  await new Promise((r) => setTimeout(r, 100));
  t.equal((await post('/_emulator/reset', { world: id })).statusCode, 200);
  t.ok(before.db.open, 'the replaced world stays open under the request');
  t.equal((await slow).json().ret, 0, 'answered from the world it began on');
  await turn();
  t.notOk(before.db.open);
  const mine = (await app.inject({ method: 'GET', url: `/_emulator/journal?world=${id}&path=/api/user/info` })).json();
  t.equal(mine.total, 1, "in the isolated world's journal");
  t.equal(mine.entries[0].world, id);
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/journal?path=/api/user/info' })).json().total, 0, "not in the default world's");
  await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${id}` });
});

t.test('reset, snapshot restore and import close the world they replace', async (t) => {
  const { id, creds } = await newWorld();
  const first = worldOf(id);
  t.equal((await post('/_emulator/reset', { world: id })).statusCode, 200);
  await turn();
  t.notOk(first.db.open, 'reset');
  t.ok(worldOf(id).db.open);
  t.equal((await userInfo(creds)).json().ret, 3, 'the reset world no longer knows the token');
  t.equal((await post(`/_emulator/snapshots/s1?world=${id}`)).statusCode, 200);
  const second = worldOf(id);
  t.equal((await post(`/_emulator/snapshots/s1/restore?world=${id}`)).statusCode, 200);
  await turn();
  t.notOk(second.db.open, 'snapshot restore');
  const exported = (await app.inject({ method: 'GET', url: `/_emulator/export?world=${id}` })).json();
  const third = worldOf(id);
  t.equal((await post(`/_emulator/import?world=${id}`, exported)).statusCode, 200);
  await turn();
  t.notOk(third.db.open, 'import');
  // the world keeps working on its new database, under the same credentials
  const tok = (await post('/_emulator/tokens/weibo', { world: id, user: 'bob', appid: creds.consumerKey })).json();
  const info = await userInfo({ token: tok.oauth_token, secret: tok.oauth_token_secret, consumerKey: tok.oauth_consumer_key, consumerSecret: tok.oauth_consumer_secret });
  t.equal(info.json().ret, 0);
  t.equal(info.json().data.name, 'bob');
  await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${id}` });
});

t.test('the default in-memory world is closed after the reset that replaced it has answered', async (t) => {
  const old = app.world;
  t.ok(old.db.memory);
  t.equal((await post('/_emulator/reset')).statusCode, 200);
  t.not(app.world, old);
  await turn();
  t.notOk(old.db.open, 'the old default world is closed');
  t.ok(app.world.db.open);
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/info' })).statusCode, 200);
});

t.test('a world with a dropped connection on it still closes', async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const { id, creds } = await newWorld();
  const w = worldOf(id);
  await post('/_emulator/faults', { world: id, path: '/api/user/info', drop: true, count: 1 });
  // a real connection (inject has no socket to drop), routed to the world by its consumer key
  const err = await new Promise<Error | null>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: `/api/user/info?format=json&oauth_consumer_key=${creds.consumerKey}` }, (res) => {
      res.resume();
      res.on('end', () => resolve(null));
    }).on('error', resolve);
  });
  t.match(String(err?.message), /socket hang up|ECONNRESET/, 'dropped');
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${id}` })).statusCode, 200);
  await turn();
  t.notOk(w.db.open, 'closed: the dropped request let go of it');
});
