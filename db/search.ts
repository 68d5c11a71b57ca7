// open.t.qq.com search/*: users by account name or nick, users by tag, tweets by content.
// Matching is a case-insensitive (ASCII) substring match; `page`/`pagesize` become an
// offset into a stable order so walking the pages visits every hit exactly once.
import type { World } from './world.js';
import type { UserRow } from './users.js';
import type { TweetRow } from './tweets.js';

export interface SearchPage<T> {
  rows: T[];
  /** every hit, not just this page */
  total: number;
}

/** instr() on lower() needs no LIKE escaping of `%` and `_`. */
const contains = (col: string) => `instr(lower(${col}), lower(?)) > 0`;

function page<T>(w: World, select: string, from: string, args: unknown[], order: string, orderArgs: unknown[], offset: number, limit: number): SearchPage<T> {
  const total = (w.db.prepare(`SELECT COUNT(*) n ${from}`).get(...args) as { n: number }).n;
  // an offset past the hits answers nothing without asking SQLite (page may be huge)
  if (offset >= total) return { rows: [], total };
  const rows = w.db.prepare(`SELECT ${select} ${from} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, ...orderArgs, limit, offset) as T[];
  return { rows, total };
}

/**
 * search/user: account name or nick contains the keyword. Exact name or nick matches
 * first, then names that start with it, then the rest; ties by user id.
 */
export function searchUsers(w: World, keyword: string, offset: number, limit: number): SearchPage<UserRow> {
  return page<UserRow>(
    w,
    'u.*',
    `FROM users u WHERE ${contains('u.name')} OR ${contains('u.nick')}`,
    [keyword, keyword],
    'CASE WHEN lower(u.name) = lower(?) OR lower(u.nick) = lower(?) THEN 0 WHEN instr(lower(u.name), lower(?)) = 1 THEN 1 ELSE 2 END, u.id',
    [keyword, keyword, keyword],
    offset,
    limit,
  );
}

/** search/userbytag: users with a tag whose name contains the keyword, by user id. */
export function searchUsersByTag(w: World, keyword: string, offset: number, limit: number): SearchPage<UserRow> {
  return page<UserRow>(
    w,
    'u.*',
    `FROM users u WHERE EXISTS (SELECT 1 FROM tags g WHERE g.user_id = u.id AND ${contains('g.name')})`,
    [keyword],
    'u.id',
    [],
    offset,
    limit,
  );
}

/** search/t: visible tweets whose content contains the keyword, newest first. */
export function searchTweets(w: World, keyword: string, offset: number, limit: number): SearchPage<TweetRow> {
  return page<TweetRow>(w, 't.*', `FROM tweets t WHERE t.status = 0 AND ${contains('t.origtext')}`, [keyword], 't.timestamp DESC, t.id DESC', [], offset, limit);
}
