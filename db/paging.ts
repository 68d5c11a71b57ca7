// The `time` pagination of both APIs: pageflag 0 first page, 1 down (older), 2 up (newer),
// anchored on (pagetime, lastid) of the last / first record of the previous page. Rows are
// ordered newest first by (timestamp, id); the anchor is exclusive, and ties on the same
// second are broken by id, so walking down then up never skips or repeats a record.
import type { DB } from './store.js';

export interface TimeCursor {
  pageflag: 0 | 1 | 2;
  pagetime: number;
  lastid: number;
  reqnum: number;
}

export interface TimePage<T> {
  rows: T[];
  /** 0 = more in the requested direction, 1 = no more. */
  hasnext: 0 | 1;
}

/**
 * @param from   SQL after SELECT …: `FROM … WHERE <filter>` (no ORDER/LIMIT)
 * @param ts,id  the column expressions to page on
 */
export function timePage<T>(db: DB, select: string, from: string, args: unknown[], ts: string, id: string, c: TimeCursor): TimePage<T> {
  const k = cursorClause(ts, id, c);
  const sql = `SELECT ${select} ${from}${k.where} ORDER BY ${ts} ${k.order}, ${id} ${k.order} LIMIT ?`;
  return pageOf(db.prepare(sql).all(...args, ...k.args, c.reqnum + 1) as T[], c, k.order);
}

/** The anchor condition and row order of a cursor (the anchor itself excluded, ties broken by id). */
function cursorClause(ts: string, id: string, c: TimeCursor): { where: string; args: number[]; order: 'ASC' | 'DESC' } {
  if (c.pageflag === 1 && (c.pagetime > 0 || c.lastid > 0)) {
    if (c.lastid > 0) return { where: ` AND (${ts} < ? OR (${ts} = ? AND ${id} < ?))`, args: [c.pagetime, c.pagetime, c.lastid], order: 'DESC' };
    return { where: ` AND ${ts} < ?`, args: [c.pagetime], order: 'DESC' };
  }
  if (c.pageflag === 2) {
    if (c.lastid > 0) return { where: ` AND (${ts} > ? OR (${ts} = ? AND ${id} > ?))`, args: [c.pagetime, c.pagetime, c.lastid], order: 'ASC' };
    return { where: ` AND ${ts} > ?`, args: [c.pagetime], order: 'ASC' };
  }
  return { where: '', args: [], order: 'DESC' };
}

/** reqnum + 1 rows in cursor order → the page, newest first, and whether more lie beyond it. */
function pageOf<T>(rows: T[], c: TimeCursor, order: 'ASC' | 'DESC'): TimePage<T> {
  const more = rows.length > c.reqnum;
  if (more) rows.pop();
  if (order === 'ASC') rows.reverse();
  return { rows, hasnext: more ? 0 : 1 };
}

/**
 * A `time` page of visible tweets whose author is in `authors` (a SQL subquery), read off the
 * newest `window` tweets of the whole world next to the anchor. Exact when it finds reqnum + 1
 * rows there (any other match is further from the anchor than all of them); otherwise undefined
 * and the caller merges per-author pages. Cheap when the authors write a good share of all
 * tweets (a home timeline that includes one's own); a miss costs one bounded index walk.
 */
export function windowedTweetPage(db: DB, authors: string, authorArgs: unknown[], c: TimeCursor, window: number): TimePage<{ timestamp: number; id: number }> | undefined {
  const k = cursorClause('timestamp', 'id', c);
  // the inner ORDER BY … LIMIT runs as a co-routine; the outer LIMIT stops it at the last match
  const sql = `SELECT timestamp, id FROM (SELECT user_id, timestamp, id FROM tweets INDEXED BY tweets_status_time_user WHERE status = 0${k.where} ORDER BY timestamp ${k.order}, id ${k.order} LIMIT ?) WHERE user_id IN (${authors}) LIMIT ?`;
  const rows = db.prepare(sql).all(...k.args, window, ...authorArgs, c.reqnum + 1) as { timestamp: number; id: number }[];
  if (rows.length <= c.reqnum) return undefined;
  return pageOf(rows, c, k.order);
}

/**
 * A `time` page over the union of several authors' timelines (home, special): each author's
 * page comes from the (user_id, status, timestamp, id) index, and the union's page is the
 * best `reqnum` of those — exact, since no row outside an author's own page can beat it.
 */
export function mergedTimePage<T extends { timestamp: number; id: number }>(pages: TimePage<T>[], c: TimeCursor): TimePage<T> {
  const all = pages.flatMap((p) => p.rows);
  const newestFirst = (a: T, b: T) => b.timestamp - a.timestamp || b.id - a.id;
  all.sort(newestFirst);
  // paging up wants the rows nearest the anchor: the oldest of the newer ones
  const rows = c.pageflag === 2 ? all.slice(Math.max(0, all.length - c.reqnum)) : all.slice(0, c.reqnum);
  const more = all.length > c.reqnum || pages.some((p) => p.hasnext === 0);
  return { rows, hasnext: more ? 0 : 1 };
}
