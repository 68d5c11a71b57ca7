// Counters kept by triggers (db/counters.ts, migration 4) equal a recount of the rows after every
// kind of write: API posts with mentions and topics, reposts, deletes, follows, direct status
// changes, cascades, import and snapshot restore. And the API's totals come from them.
import t from 'tap';
import { counterDrift, rebuildCounters } from '../../db/counters.js';
import { build, weiboCreds, weiboClient, userId } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const { get, post } = weiboClient(app);
const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const n = (sql: string, ...a: unknown[]) => (app.world.db.prepare(sql).get(...a) as { n: number }).n;

t.test('the drift check sees a counter that disagrees with the rows', async (t) => {
  t.same(counterDrift(app.world.db), [], 'the seeded world is consistent');
  app.world.db.prepare("UPDATE counters SET n = n + 5 WHERE key = 'fans' AND id = 1").run();
  const drift = counterDrift(app.world.db);
  t.equal(drift.length, 1);
  t.match(drift[0], { key: 'fans', id: 1 });
  t.equal(drift[0].kept - drift[0].counted, 5);
  app.world.db.prepare("DELETE FROM counters WHERE key = 'visible' AND id = 2").run();
  t.ok(counterDrift(app.world.db).some((d) => d.key === 'visible' && d.id === 2 && d.kept === 0), 'a missing counter is drift too');
  rebuildCounters(app.world.db);
  t.same(counterDrift(app.world.db), [], 'a rebuild repairs it');
});

t.test('API writes keep every counter equal to the rows', async (t) => {
  const before = (await get(alice, '/api/user/info')).data;
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await post(alice, '/api/t/add', { content: `#计数# counting @bob ${i} ${Date.now()}` });
    t.equal(r.ret, 0, JSON.stringify(r));
    ids.push(r.data.id);
  }
  const re = await post(bob, '/api/t/re_add', { content: 'a repost', reid: ids[0] });
  t.equal(re.ret, 0, JSON.stringify(re));
  t.equal((await post(alice, '/api/t/del', { id: ids[1] })).ret, 0);
  t.same(counterDrift(app.world.db), [], 'after posts, a repost and a delete');

  const after = (await get(alice, '/api/user/info')).data;
  t.equal(after.tweetnum, before.tweetnum + 3, 'tweetnum: four posts, one deleted');
  t.equal(after.tweetnum, n('SELECT COUNT(*) n FROM tweets WHERE user_id = 1 AND status NOT IN (1, 3)'));
  const mentions = await get(bob, '/api/statuses/mentions_timeline', { reqnum: 1, pageflag: 0, pagetime: 0 });
  t.equal(mentions.data.totalnum, n('SELECT COUNT(*) n FROM mentions m JOIN tweets t ON t.id = m.tweet_id WHERE m.user_id = 2 AND t.status = 0'), 'mentions totalnum');
  const ht = await get(alice, '/api/statuses/ht_timeline', { httext: '计数', reqnum: 10, pageflag: 0, pageinfo: '' });
  t.equal(ht.data.totalnum, 3, 'the topic counts its three visible tweets');
  const broadcast = await get(alice, '/api/statuses/broadcast_timeline', { reqnum: 1, pageflag: 0, pagetime: 0 });
  t.equal(broadcast.data.totalnum, n('SELECT COUNT(*) n FROM tweets WHERE user_id = 1 AND status = 0'), 'broadcast_timeline totalnum');

  // follows: add and remove move fans / idols both ways
  const carol = userId(app, 'carol');
  const fansBefore = n("SELECT n FROM counters WHERE key = 'fans' AND id = ?", carol);
  t.equal((await post(bob, '/api/friends/add', { name: 'carol' })).ret, 0);
  t.equal(n("SELECT n FROM counters WHERE key = 'fans' AND id = ?", carol), fansBefore + 1);
  t.equal((await post(bob, '/api/friends/del', { name: 'carol' })).ret, 0);
  t.equal(n("SELECT n FROM counters WHERE key = 'fans' AND id = ?", carol), fansBefore);
  t.same(counterDrift(app.world.db), [], 'after follow and unfollow');
});

t.test('direct status changes, cascades and bulk copies keep them exact', async (t) => {
  const db = app.world.db;
  db.prepare('UPDATE tweets SET status = 1 WHERE id IN (SELECT tweet_id FROM mentions ORDER BY tweet_id LIMIT 40)').run();
  db.prepare('UPDATE tweets SET status = 0 WHERE id IN (SELECT tweet_id FROM mentions ORDER BY tweet_id LIMIT 15)').run();
  db.prepare('UPDATE tweets SET status = 2 WHERE id IN (SELECT tweet_id FROM tweet_topics ORDER BY tweet_id LIMIT 10)').run();
  t.same(counterDrift(db), [], 'status changes');
  // an unreferenced tweet with mentions and topics, hard-deleted (its links cascade)
  db.prepare(
    `DELETE FROM tweets WHERE id IN (SELECT m.tweet_id FROM mentions m JOIN tweet_topics tt ON tt.tweet_id = m.tweet_id
       WHERE NOT EXISTS (SELECT 1 FROM tweets s WHERE s.source_id = m.tweet_id OR s.root_id = m.tweet_id)
         AND NOT EXISTS (SELECT 1 FROM fav_tweets f WHERE f.tweet_id = m.tweet_id) LIMIT 3)`,
  ).run();
  db.prepare('DELETE FROM mentions WHERE rowid IN (SELECT rowid FROM mentions LIMIT 5)').run();
  t.same(counterDrift(db), [], 'deletes and cascades');

  const exp = await app.inject({ method: 'GET', url: '/_emulator/export' });
  t.notOk('counters' in exp.json().tables, 'derived counters are not exported');
  const imp = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: exp.body });
  t.equal(imp.statusCode, 200, imp.body);
  t.same(counterDrift(app.world.db), [], 'after import');
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/snapshots/c1' })).statusCode, 200);
  t.equal((await post(alice, '/api/t/add', { content: `after the snapshot ${Date.now()}` })).ret, 0);
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/snapshots/c1/restore' })).statusCode, 200);
  t.same(counterDrift(app.world.db), [], 'after a snapshot restore');
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset' })).statusCode, 200);
  t.same(counterDrift(app.world.db), [], 'after reset');
});
