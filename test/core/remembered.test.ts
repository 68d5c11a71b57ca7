// Remembered lookups (db/store.ts remember): the token, app, user and openid every authenticated
// call looks up are kept while their table is unchanged, and every write that may change it —
// through the API, the store itself, a trigger, a foreign-key action, a statement the store cannot
// read, or another connection to the same file — is seen by the very next call.
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
  // graphCreds' token INSERT wrote oauth2_tokens only: the user is still the remembered row
  t.equal(app.world.users.byId(id), a, 'a write to another table keeps it');
  app.world.db.prepare('UPDATE users SET exp = exp WHERE id = ?').run(id);
  t.not(app.world.users.byId(id), a, 'a write to users: a new row object');
  t.same(app.world.users.byId(id), a, 'with the same content');
});

t.test('a t/add keeps the caller\'s app, token and user remembered; what it may change is read again', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  app.world.rules.postBurst = 0;
  const w = weiboCreds(app, 'alice');
  const id = userId(app, 'alice');
  const row = app.world.users.byId(id)!;
  const token = app.world.oauth1.get(w.token)!;
  const weiboApp = app.world.apps.get(w.consumerKey)!;
  const add = await signed(app, w, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'remembered across a post @bob #topic#', clientip: '127.0.0.1' } });
  t.equal(JSON.parse(add.body).ret, 0, 'posted (tweets, mentions, topics, unread and counters written)');
  t.equal(app.world.users.byId(id), row, 'the user row object is kept');
  t.equal(app.world.oauth1.get(w.token), token, 'the token too');
  t.equal(app.world.apps.get(w.consumerKey), weiboApp, 'and the app');
  const before = JSON.parse((await signed(app, w, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).body).data.tweetnum as number;
  await signed(app, w, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'one more', clientip: '127.0.0.1' } });
  const after = JSON.parse((await signed(app, w, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).body).data.tweetnum as number;
  t.equal(after, before + 1, 'the counts a post changes are read again');
});

t.test('writes that reach a table only through a foreign-key action or a trigger are seen', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const db = app.world.db;
  const w = weiboCreds(app, 'carol');
  t.ok(app.world.oauth1.get(w.token), 'the token, remembered');
  // ON DELETE CASCADE: deleting the app deletes its tokens
  db.prepare('DELETE FROM apps WHERE appid = ?').run(w.consumerKey);
  t.equal(app.world.oauth1.get(w.token), undefined, 'a token its app took with it is gone at once');

  const id = userId(app, 'dave');
  db.exec("CREATE TRIGGER emu_test_tag AFTER INSERT ON tags BEGIN UPDATE users SET nick = 'set by a trigger' WHERE id = NEW.user_id; END");
  t.not(app.world.users.byId(id)!.nick, 'set by a trigger', 'remembered before the trigger ran');
  db.prepare('INSERT INTO tags (user_id, name) VALUES (?, ?)').run(id, 'tagged');
  t.equal(app.world.users.byId(id)!.nick, 'set by a trigger', "a trigger's write to users is seen");

  const nick = app.world.users.byId(id)!.nick;
  db.prepare('WITH n AS (SELECT ? AS v) UPDATE users SET nick = (SELECT v FROM n) WHERE id = ?').run('set through a CTE', id);
  t.not(app.world.users.byId(id)!.nick, nick, 'a write whose table the store does not read (a CTE) forgets every table');
});

t.test('a lookup remembered inside a transaction that is rolled back is not kept', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const id = userId(app, 'erin');
  const nick = app.world.users.byId(id)!.nick;
  t.throws(() =>
    app.world.tx(() => {
      app.world.db.prepare('UPDATE users SET nick = ? WHERE id = ?').run('rolled back', id);
      t.equal(app.world.users.byId(id)!.nick, 'rolled back', 'inside: the transaction sees its own write');
      throw new Error('refused');
    }),
  );
  t.equal(app.world.users.byId(id)!.nick, nick, 'after the rollback: the stored row, not the one remembered inside');
});
