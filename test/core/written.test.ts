// Which tables a write may change (db/written.ts), read off the store's own schema: what cannot be
// read with certainty is "any table" (undefined), so a remembered lookup is never kept past it.
import t from 'tap';
import { targetOf, writeGraph } from '../../db/written.js';
import { build } from '../helpers.js';

t.test('a plain write names its table; anything else is any table', async (t) => {
  t.equal(targetOf('INSERT OR IGNORE INTO mentions (tweet_id) VALUES (?)'), 'mentions');
  t.equal(targetOf('/* bookkeeping */ INSERT INTO oauth1_nonces VALUES (?)'), 'oauth1_nonces', 'after a leading comment');
  t.equal(targetOf('UPDATE "Users" SET nick = ? WHERE id = ?'), 'users', 'quoted, any case');
  t.equal(targetOf('UPDATE unread SET home = home + 1 WHERE user_id IN (SELECT fan_id FROM follows WHERE idol_id = ?)'), 'unread', 'reading other tables');
  t.equal(targetOf('INSERT INTO counters (key, id, n) VALUES (?, ?, 1) ON CONFLICT (key, id) DO UPDATE SET n = n + 1'), 'counters', "an upsert's update is its own table");
  t.equal(targetOf('DELETE FROM main."apps"'), undefined, 'schema-qualified');
  t.equal(targetOf('WITH n AS (SELECT 1) UPDATE users SET nick = ?'), undefined, 'a CTE');
  t.equal(targetOf('INSERT INTO a SELECT * FROM b; DELETE FROM c'), undefined, 'two writes');
  t.equal(targetOf('CREATE TABLE x (y)'), undefined, 'schema changes');
});

t.test("the store's write graph: triggers and foreign-key actions", async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const g = writeGraph((sql) => app.world.db.prepare(sql));
  t.ok(g.get('tweets')?.includes('counters'), "tweets' counting triggers write counters");
  t.ok(g.get('apps')?.includes('oauth1_tokens'), "deleting an app cascades to its tokens");
  t.notOk(g.get('tweets')?.includes('users'), 'a tweet never writes users');
  t.same(g.get('oauth1_tokens'), ['oauth1_tokens'], 'a table nothing hangs off writes itself only');
  app.world.db.exec("CREATE TRIGGER emu_test_any AFTER INSERT ON blacklist BEGIN INSERT INTO [tags] (user_id, name) VALUES (NEW.user_id, 'x'); END");
  t.equal(writeGraph((sql) => app.world.db.prepare(sql)).get('blacklist'), undefined, 'a trigger whose writes are not all read: any table');
});
