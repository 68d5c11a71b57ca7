// Paged reads of a world's rows for the control plane's tables (server/control/tables.ts) and the
// console: one page at a time off the indexes, so a 1 M-tweet world is browsed without loading it
// (the console used to read everything through /_emulator/export).
import type { World } from './world.js';

export interface BrowsePage<T> {
  total: number;
  offset: number;
  limit: number;
  rows: T[];
}

export interface BrowseUser {
  id: number;
  name: string;
  nick: string;
  /** the user's openid in `appid` (derived on first read, as get_user_info would) */
  openid: string;
  unionid: string;
  sex: number;
  location: string;
}

export interface BrowseTweet {
  id: number;
  user: string;
  type: number;
  status: number;
  origtext: string;
  timestamp: number;
  source_id: number | null;
}

export interface BrowseRelation {
  fan: string;
  idol: string;
  special: number;
  created_at: number;
}

export interface BrowseToken {
  /** open.t.qq.com's OAuth 2.0 tokens (issue 15) live beside graph.qq.com's in oauth2_tokens */
  platform: 'graph' | 'weibo' | 'weibo OAuth 2.0';
  token: string;
  user: string | null;
  appid: string;
  /** graph: the scope; weibo: request or access */
  scope: string;
  created_at: number;
  expires_at: number | null;
  state: 'live' | 'revoked' | 'used' | 'expired';
}

const count = (w: World, sql: string, ...args: unknown[]): number => (w.db.prepare(sql).get(...args) as { n: number }).n;

export function browseUsers(w: World, appid: string, offset: number, limit: number): BrowsePage<BrowseUser> {
  const rows = w.db.prepare('SELECT id, name, nick, unionid, sex, location FROM users ORDER BY id LIMIT ? OFFSET ?').all(limit, offset) as Omit<BrowseUser, 'openid'>[];
  // openid before the other columns, as the tables show it
  const out = rows.map((u) => ({ id: u.id, name: u.name, nick: u.nick, openid: w.apps.get(appid) ? w.apps.openidFor(appid, u.id) : '', unionid: u.unionid, sex: u.sex, location: u.location }));
  return { total: count(w, 'SELECT COUNT(*) n FROM users'), offset, limit, rows: out };
}

/** Every tweet status (the CHECK on tweets.status): one index arm per status below. */
const STATUSES = [0, 1, 2, 3, 4] as const;
/** One user's tweets newest first, as a merge of the (user_id, status, timestamp, id) index's arms:
 * ordering the user's rows by time directly sorted all of them (150 ms for alice's in the 1 M
 * world; the merge reads 50 index entries). */
const USER_TWEETS_SQL = `
SELECT t.id, u.name AS user, t.type, t.status, t.origtext, t.timestamp, t.source_id
  FROM (${STATUSES.map((st) => `SELECT id, timestamp FROM tweets WHERE user_id = @user AND status = ${st}`).join(' UNION ALL ')}
        ORDER BY timestamp DESC, id DESC LIMIT @limit OFFSET @offset) k
  JOIN tweets t ON t.id = k.id JOIN users u ON u.id = t.user_id
 ORDER BY k.timestamp DESC, k.id DESC`;

/** Newest first. Every tweet: by id, the insertion order, read backwards off the primary key (the
 * time indexes all lead with status, so ordering by timestamp sorted the whole table: 33 ms for
 * 3 000 tweets). One user's: by (timestamp, id), USER_TWEETS_SQL. */
export function browseTweets(w: World, userId: number | undefined, offset: number, limit: number): BrowsePage<BrowseTweet> {
  const rows =
    userId === undefined
      ? w.db.prepare('SELECT t.id, u.name AS user, t.type, t.status, t.origtext, t.timestamp, t.source_id FROM tweets t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC LIMIT ? OFFSET ?').all(limit, offset)
      : w.db.prepare(USER_TWEETS_SQL).all({ user: userId, limit, offset });
  const total = userId === undefined ? count(w, 'SELECT COUNT(*) n FROM tweets') : count(w, 'SELECT COUNT(*) n FROM tweets WHERE user_id = ?', userId);
  return { total, offset, limit, rows: rows as BrowseTweet[] };
}

/** A user's follows, as fan or idol, newest first: a merge of follows_fan and follows_idol (an OR
 * of the two sorted all of them: 25 ms for alice's 10 000 fans). */
const USER_RELATIONS_SQL = `
SELECT f.name AS fan, i.name AS idol, k.special, k.created_at
  FROM (SELECT fan_id, idol_id, special, created_at, seq FROM follows WHERE fan_id = @user
        UNION ALL SELECT fan_id, idol_id, special, created_at, seq FROM follows WHERE idol_id = @user
        ORDER BY seq DESC LIMIT @limit OFFSET @offset) k
  JOIN users f ON f.id = k.fan_id JOIN users i ON i.id = k.idol_id
 ORDER BY k.seq DESC`;

/** Newest follow first; with a user, the follows they are fan or idol in. */
export function browseRelations(w: World, userId: number | undefined, offset: number, limit: number): BrowsePage<BrowseRelation> {
  // unfiltered: rowid order is insertion order (seq has no index of its own), read backwards off the table
  const rows =
    userId === undefined
      ? w.db.prepare('SELECT f.name AS fan, i.name AS idol, r.special, r.created_at FROM follows r JOIN users f ON f.id = r.fan_id JOIN users i ON i.id = r.idol_id ORDER BY r.rowid DESC LIMIT ? OFFSET ?').all(limit, offset)
      : w.db.prepare(USER_RELATIONS_SQL).all({ user: userId, limit, offset });
  const total = userId === undefined ? count(w, 'SELECT COUNT(*) n FROM follows') : count(w, 'SELECT COUNT(*) n FROM follows WHERE fan_id = ? OR idol_id = ?', userId, userId);
  return { total, offset, limit, rows: rows as BrowseRelation[] };
}

const TOKENS_SQL = `
SELECT CASE a.platform WHEN 'weibo' THEN 'weibo OAuth 2.0' ELSE 'graph' END AS platform, t.access_token AS token, u.name AS user, t.appid, t.scope, t.created_at, t.expires_at,
       CASE WHEN t.revoked THEN 'revoked' WHEN t.expires_at <= @now THEN 'expired' ELSE 'live' END AS state
  FROM oauth2_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN apps a ON a.appid = t.appid WHERE @user IS NULL OR t.user_id = @user
UNION ALL
SELECT 'weibo', t.token, u.name, t.appid, t.kind, t.created_at, NULL,
       CASE WHEN t.revoked THEN 'revoked' WHEN t.used THEN 'used' ELSE 'live' END
  FROM oauth1_tokens t LEFT JOIN users u ON u.id = t.user_id WHERE @user IS NULL OR t.user_id = @user`;

/** Both platforms' tokens, newest first (graph and weibo OAuth 2.0 access tokens, weibo OAuth 1.0a request/access tokens). */
export function browseTokens(w: World, userId: number | undefined, offset: number, limit: number): BrowsePage<BrowseToken> {
  const p = { user: userId ?? null, now: w.now() };
  const rows = w.db.prepare(`${TOKENS_SQL} ORDER BY created_at DESC, token LIMIT @limit OFFSET @offset`).all({ ...p, limit, offset }) as BrowseToken[];
  const total = count(w, `SELECT COUNT(*) n FROM (${TOKENS_SQL})`, p);
  return { total, offset, limit, rows };
}
