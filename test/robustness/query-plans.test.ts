// Query plans of the hot reads (issue 5): every SELECT the timelines, relation lists and private
// boxes run is captured while calling the APIs, then EXPLAIN QUERY PLAN'd: no big table may be
// scanned without an index.
import t from 'tap';
import { build, weiboCreds, signed, graphCreds, graphGet } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const BIG = new Set(['tweets', 'follows', 'mentions', 'tweet_topics', 'private_messages', 'fav_tweets', 'fav_topics', 'users', 'tags', 'blacklist', 'photos', 'oauth2_tokens', 'oauth1_tokens', 'openids']);

/** Records the SQL text of every statement prepared while fn runs. */
async function capture(fn: () => Promise<unknown>): Promise<string[]> {
  const db = app.world.db;
  // a write first: remembered lookups and kept answers (db/store.ts, server/answers.ts) are
  // dropped, so the call asks the store for everything it reads
  graphCreds(app, 'carol');
  const original = db.prepare.bind(db);
  const seen = new Set<string>();
  (db as { prepare: typeof db.prepare }).prepare = ((sql: string) => {
    seen.add(sql);
    return original(sql);
  }) as typeof db.prepare;
  try {
    await fn();
  } finally {
    (db as { prepare: typeof db.prepare }).prepare = original;
  }
  return [...seen].filter((s) => /^\s*SELECT/i.test(s));
}

/** Table names by alias in a statement (`FROM tweets t`, `JOIN follows f`, bare `FROM users`). */
function aliases(sql: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const x of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!WHERE|JOIN|ON|LEFT|INNER|ORDER|GROUP|LIMIT|USING)(\w+))?/gi)) {
    m.set(x[1], x[1]);
    if (x[2]) m.set(x[2], x[1]);
  }
  return m;
}

function fullScans(sql: string): string[] {
  const params = (sql.match(/\?/g) ?? []).length;
  const named = [...sql.matchAll(/[@:$](\w+)/g)].map((x) => x[1]);
  const stmt = app.world.db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (named.length ? stmt.all(Object.fromEntries(named.map((n) => [n, 1]))) : stmt.all(...Array(params).fill(1))) as { detail: string }[];
  const names = aliases(sql);
  return rows
    .map((r) => r.detail)
    .filter((d) => {
      // an index on `status` alone walks every visible tweet: a bad plan when the statement has a
      // selective equality (source_id, user_id, root_id) the planner did not use
      if (/USING (COVERING )?INDEX tweets_status_time_user \(status=\?\)$/.test(d) && /\b(source_id|user_id|root_id)\s*=\s*\?/.test(sql)) return true;
      // sorting a big table's rows means the index that gives them in order is missing (found by
      // dropping mentions_time / follows_fan: the primary key still SEARCHes, then sorts every row
      // of the user); a user's handful of tags is the one accepted sort
      if (/USE TEMP B-TREE FOR (ORDER|GROUP) BY/.test(d)) return [...names.values()].some((n) => BIG.has(n) && n !== 'tags');
      const s = /^SCAN (\w+)(.*)$/.exec(d);
      if (!s || /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(s[2])) return false;
      return BIG.has(names.get(s[1]) ?? s[1]);
    });
}

const alice = weiboCreds(app, 'alice');
const g = graphCreds(app, 'alice');
const get = (path: string, params: Record<string, string | number> = {}) => signed(app, alice, { method: 'GET', path, params: { format: 'json', ...params } });

const HOT: [string, () => Promise<unknown>][] = [
  ['home_timeline', () => get('/api/statuses/home_timeline', { reqnum: 20, pageflag: 0, pagetime: 0 })],
  ['home_timeline next page', async () => {
    const first = (await get('/api/statuses/home_timeline', { reqnum: 20, pageflag: 0, pagetime: 0 })).json();
    const last = first.data.info[first.data.info.length - 1];
    return get('/api/statuses/home_timeline', { reqnum: 20, pageflag: 1, pagetime: last.timestamp, lastid: last.id });
  }],
  ['broadcast_timeline', () => get('/api/statuses/broadcast_timeline', { reqnum: 20, pageflag: 0, pagetime: 0 })],
  ['user_timeline', () => get('/api/statuses/user_timeline', { name: 'bob', reqnum: 20, pageflag: 0, pagetime: 0 })],
  ['mentions_timeline', () => get('/api/statuses/mentions_timeline', { reqnum: 20, pageflag: 0, pagetime: 0 })],
  ['special_timeline', () => get('/api/statuses/special_timeline', { reqnum: 20, pageflag: 0, pagetime: 0 })],
  ['public_timeline', () => get('/api/statuses/public_timeline', { reqnum: 20, pos: 0 })],
  ['ht_timeline', () => get('/api/statuses/ht_timeline', { httext: '开放平台', reqnum: 20, pageflag: 0, pagetime: 0 })],
  ['fanslist', () => get('/api/friends/fanslist', { reqnum: 30, startindex: 0 })],
  ['idollist', () => get('/api/friends/idollist', { reqnum: 30, startindex: 0 })],
  ['user_fanslist', () => get('/api/friends/user_fanslist', { name: 'bob', reqnum: 30, startindex: 0 })],
  ['private recv', () => get('/api/private/recv', { reqnum: 20, pageflag: 0, pagetime: 0 })],
  ['graph get_fanslist', () => graphGet(app, '/relation/get_fanslist', g, { reqnum: 30, startindex: 0, format: 'json' })],
  ['graph get_idollist', () => graphGet(app, '/relation/get_idollist', g, { reqnum: 30, startindex: 0, format: 'json' })],
  ['re_count (tweet counters)', () => get('/api/t/re_count', { ids: '100000000000001,100000000000002', flag: 2 })],
  ['graph get_user_info', () => graphGet(app, '/user/get_user_info', g)],
];

for (const [name, fn] of HOT) {
  t.test(`${name}: no full scan of a big table`, async (t) => {
    const sqls = await capture(fn);
    t.ok(sqls.length > 0, `${sqls.length} SELECTs captured`);
    const bad: string[] = [];
    for (const sql of sqls) for (const d of fullScans(sql)) bad.push(`${d} ← ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
    t.same(bad, [], 'every big table is reached through an index');
  });
}

t.test('the checker sees a full scan', async (t) => {
  t.same(fullScans('SELECT * FROM tweets t WHERE t.origtext = ?'), ['SCAN t']);
  t.same(fullScans('SELECT * FROM tweets WHERE id = ?'), []);
  t.same(fullScans('SELECT fan_id FROM follows NOT INDEXED WHERE idol_id = ? ORDER BY seq DESC LIMIT 30').length, 2, 'a scan and a sort of follows');
  t.same(fullScans('SELECT tweet_id FROM mentions INDEXED BY sqlite_autoindex_mentions_1 WHERE user_id = ? ORDER BY timestamp DESC LIMIT 20'), ['USE TEMP B-TREE FOR ORDER BY'], 'a sort of a big table');
  t.same(fullScans('SELECT COUNT(*) FROM tweets NOT INDEXED WHERE source_id = ?'), ['SCAN tweets']);
  t.same(fullScans('SELECT COUNT(*) FROM tweets INDEXED BY tweets_status_time_user WHERE source_id = ? AND status = 0'), ['SEARCH tweets USING INDEX tweets_status_time_user (status=?)']);
});
