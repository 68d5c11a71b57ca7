// Remembered lookups (db/store.ts remember): the token, app, user and openid every authenticated
// call looks up are kept while the store's data version holds, and every write — through the API,
// the store itself, or another connection to the same file — is seen by the very next call.
import t from 'tap';
import { build, buildOnFileWithOther, graphCreds, graphGet, signed, userId, weiboCreds } from '../helpers.js';

const ret = (body: string) => (JSON.parse(body) as { ret: number }).ret;

t.test('a write of this process is seen by the next call: token revoked, user renamed', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const g = graphCreds(app, 'alice');
  for (let i = 0; i < 3; i++) t.equal(ret((await graphGet(app, '/user/get_user_info', g)).body), 0, 'accepted, then remembered');
  app.world.db.prepare('UPDATE oauth2_tokens SET revoked = 1 WHERE access_token = ?').run(g.access_token);
  t.equal(ret((await graphGet(app, '/user/get_user_info', g)).body), 100015, 'revoked: refused at once');

  const w = weiboCreds(app, 'bob');
  const info = async () => JSON.parse((await signed(app, w, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).body) as { ret: number; data: { nick: string } | null };
  t.equal((await info()).ret, 0);
  app.world.db.prepare('UPDATE users SET nick = ? WHERE id = ?').run('Bob Renamed', userId(app, 'bob'));
  t.equal((await info()).data?.nick, 'Bob Renamed', 'the user row is read again after the write');
  app.world.db.prepare('UPDATE oauth1_tokens SET revoked = 1 WHERE token = ?').run(w.token);
  t.equal((await info()).ret, 3, 'a revoked OAuth 1.0a token is refused at once');
});

t.test("another connection's commit is seen by the next call", async (t) => {
  const { app, other } = await buildOnFileWithOther(t, 'emu-remembered-');
  const g = graphCreds(app, 'alice');
  t.equal(ret((await graphGet(app, '/user/get_user_info', g)).body), 0);
  t.equal(ret((await graphGet(app, '/user/get_user_info', g)).body), 0);
  other.db.prepare('UPDATE oauth2_tokens SET revoked = 1 WHERE access_token = ?').run(g.access_token);
  t.equal(ret((await graphGet(app, '/user/get_user_info', g)).body), 100015, "the other process's revocation");
});

t.test('remembered values are shared, so they are frozen', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const id = userId(app, 'alice');
  const a = app.world.users.byId(id)!;
  t.equal(app.world.users.byId(id), a, 'the second lookup is the remembered row');
  t.throws(() => ((a as { nick: string }).nick = 'changed in place'), TypeError, 'a caller cannot change it for the others');
  const appRow = app.world.apps.get(graphCreds(app).oauth_consumer_key)!;
  t.throws(() => (appRow.grantedApis as string[]).push('all'), TypeError, 'nested values too');
  // the INSERT of graphCreds' token changed the data version: a new row object, the same content
  t.not(app.world.users.byId(id), a);
  t.same(app.world.users.byId(id), a);
});
