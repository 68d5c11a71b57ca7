import type { World } from './world.js';
import type { TweetAuthor } from './users.js';
import { counter } from './counters.js';
import { selectIn } from './store.js';
import { writeRefused, badParam, notFound } from './errors.js';
import { mergedTimePage, timePage, windowedTweetPage, type TimeCursor, type TimePage } from './paging.js';

export interface TweetRow {
  id: number;
  user_id: number;
  type: number;
  status: number;
  origtext: string;
  timestamp: number;
  source_id: number | null;
  root_id: number | null;
  from_label: string;
  from_url: string;
  client_ip: string;
  jing: string;
  wei: string;
  geo: string;
  image: string | null;
  appid: string | null;
}

/** A tweet with what its wire shape needs: author, counters and (for type 2/4/7) its source. */
export interface HydratedTweet {
  row: TweetRow;
  author: TweetAuthor;
  count: number;
  mcount: number;
  source: HydratedTweet | null;
}

export const TYPE = { original: 1, repost: 2, private: 3, reply: 4, emptyReply: 5, mention: 6, comment: 7 } as const;
export const STATUS = { normal: 0, systemDeleted: 1, review: 2, userDeleted: 3, rootDeleted: 4 } as const;

/** A URL as the shortener saw it: ASCII URL characters only, so text glued after it still counts. */
const URL_RE = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+/g;
const MENTION_RE = /@([A-Za-z][A-Za-z0-9_-]{0,19})/g;
const TOPIC_RE = /#([^#\r\n]{1,60})#/g;

/** Length rule: UTF-8 bytes with every URL counted as `urlBytes` (it is shortened to url.cn). */
export function contentBytes(content: string, urlBytes: number): number {
  let n = 0;
  const rest = content.replace(URL_RE, () => {
    n += urlBytes;
    return '';
  });
  return n + Buffer.byteLength(rest, 'utf8');
}

export const mentionedNames = (content: string): string[] => [...new Set([...content.matchAll(MENTION_RE)].map((m) => m[1]))];
export const topicTexts = (content: string): string[] => [...new Set([...content.matchAll(TOPIC_RE)].map((m) => m[1].trim()).filter(Boolean))];

export interface NewTweet {
  userId: number;
  type: 1 | 2 | 4 | 7;
  content: string;
  /** the tweet being reposted / replied to / commented on */
  reid?: number;
  clientIp?: string;
  jing?: string;
  wei?: string;
  image?: string[] | null;
  appid?: string | null;
  fromLabel?: string;
  fromUrl?: string;
  /** fixtures only: a declared id (db/fixtures.ts) */
  id?: number;
  /** seeding only: explicit timestamp, and no write rules */
  timestamp?: number;
  skipRules?: boolean;
}

/** Timelines that page by `time`. */
export type TimelineKind =
  | { kind: 'home'; userId: number }
  | { kind: 'special'; userId: number }
  | { kind: 'user'; userId: number }
  | { kind: 'mentions'; userId: number }
  | { kind: 'relist'; rootId: number; flag: 0 | 1 | 2 }
  | { kind: 'topic'; topicId: number };

export class TweetStore {
  constructor(private readonly w: World) {}

  get(id: number): TweetRow | undefined {
    return this.w.db.prepare('SELECT * FROM tweets WHERE id = ?').get(id) as TweetRow | undefined;
  }

  /**
   * Publishes a tweet after the write rules; every refusal is a ret 4 errcode or a ret 1.
   *
   * Order of the checks: content (8 length, 4 dirty words, 9 spam), then the tweet it
   * answers (6 missing, 11 deleted, 12 under review, 5 its author blacklisted the poster;
   * the root of the chain is checked too), then the poster's pace (10) and duplicates (13).
   * A comment (type 7) attaches to the root of `reid`'s chain ("reid = root, not parent");
   * reposts and replies attach to `reid` itself.
   */
  post(t: NewTweet): TweetRow {
    const rules = this.w.rules;
    const content = t.content ?? '';
    if (t.type !== TYPE.repost && content.trim() === '') throw badParam('error content param');
    if (!t.skipRules) {
      if (contentBytes(content, rules.urlBytes) > rules.maxContentBytes) throw writeRefused(8, 'content too long');
      const lower = content.toLowerCase();
      if (rules.dirtyWords.some((w) => w && lower.includes(w.toLowerCase()))) throw writeRefused(4, 'too many dirty words');
      if (rules.spamPatterns.some((p) => new RegExp(p, 'i').test(content))) throw writeRefused(9, 'spam content');
    }
    return this.w.tx(() => {
      const now = t.timestamp ?? this.w.now();
      let parent: TweetRow | undefined;
      if (t.type !== TYPE.original) {
        if (!t.reid) throw badParam('error reid param');
        parent = this.get(t.reid);
        if (!parent) throw notFound('parent tweet does not exist');
        this.checkSource(parent, t.userId);
        if (parent.root_id !== null && parent.root_id !== parent.id) {
          const root = this.get(parent.root_id);
          if (!root) throw notFound('root tweet does not exist');
          this.checkSource(root, t.userId);
          if (t.type === TYPE.comment) parent = root;
        }
      }
      const image = t.image && t.image.length ? JSON.stringify(t.image) : null;
      if (!t.skipRules) {
        if (rules.postBurst > 0) {
          const recent = (this.w.db
            .prepare('SELECT COUNT(*) n FROM tweets WHERE user_id = ? AND timestamp > ?')
            .get(t.userId, now - rules.postWindowSeconds) as { n: number }).n;
          if (recent >= rules.postBurst) throw writeRefused(10, 'posting too fast');
        }
        if (rules.duplicateWindowSeconds > 0) {
          // the poster's previous visible tweet, same text, same kind, same parent, same picture
          const last = this.w.db
            .prepare('SELECT * FROM tweets WHERE user_id = ? AND status = 0 ORDER BY timestamp DESC, id DESC LIMIT 1')
            .get(t.userId) as TweetRow | undefined;
          if (
            last &&
            last.timestamp > now - rules.duplicateWindowSeconds &&
            last.origtext === content &&
            last.type === t.type &&
            last.source_id === (parent?.id ?? null) &&
            last.image === image
          ) {
            throw writeRefused(13, 'duplicate post');
          }
        }
      }
      const info = this.w.db
        .prepare(
          `INSERT INTO tweets (id, user_id, type, status, origtext, timestamp, source_id, root_id, from_label, from_url, client_ip, jing, wei, image, appid)
           VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          t.id ?? null,
          t.userId,
          t.type,
          content,
          now,
          parent?.id ?? null,
          parent ? (parent.root_id ?? parent.id) : null,
          t.fromLabel ?? '腾讯微博',
          t.fromUrl ?? '',
          t.clientIp ?? '',
          t.jing || '0',
          t.wei || '0',
          image,
          t.appid ?? null,
        );
      const id = Number(info.lastInsertRowid);
      this.index(id, t.userId, content, now, t.type, parent?.user_id);
      return this.get(id)!;
    });
  }

  /** errcodes 11 / 12 / 5 for the tweet a repost, reply or comment answers. */
  private checkSource(src: TweetRow, posterId: number): void {
    if (src.status === STATUS.review) throw writeRefused(12, 'source tweet is under review');
    if (src.status !== STATUS.normal) throw writeRefused(11, 'source tweet has been deleted');
    if (this.w.relations.isBlack(src.user_id, posterId)) throw writeRefused(5, 'access forbidden: you are blacklisted by the author');
  }

  /**
   * Mentions, topics and unread counters of a new tweet. The author of the tweet a repost,
   * reply or comment answers is notified like an @mention (it lands in their mentions).
   */
  private index(id: number, authorId: number, content: string, now: number, type: number, sourceAuthorId?: number): void {
    const db = this.w.db;
    const notify = (userId: number) => {
      if (userId === authorId || this.w.relations.isBlack(userId, authorId)) return;
      const r = db.prepare('INSERT OR IGNORE INTO mentions (tweet_id, user_id, timestamp) VALUES (?, ?, ?)').run(id, userId, now);
      if (r.changes > 0) db.prepare('UPDATE unread SET mentions = mentions + 1 WHERE user_id = ?').run(userId);
    };
    for (const name of mentionedNames(content)) {
      const u = this.w.users.byName(name);
      if (u) notify(u.id);
    }
    if (sourceAuthorId !== undefined) notify(sourceAuthorId);
    for (const text of topicTexts(content)) {
      db.prepare('INSERT OR IGNORE INTO topics (text, created_at) VALUES (?, ?)').run(text, now);
      const topic = db.prepare('SELECT id FROM topics WHERE text = ?').get(text) as { id: number };
      db.prepare('INSERT OR IGNORE INTO tweet_topics (tweet_id, topic_id, timestamp) VALUES (?, ?, ?)').run(id, topic.id, now);
    }
    // one pass over the author's fans: a post by someone with 10 000 fans updates 10 000 rows
    // (two passes were 9 ms of a t/add in the 1 M world)
    db.prepare('UPDATE unread SET home = home + 1, create_ = create_ + ? WHERE user_id IN (SELECT fan_id FROM follows WHERE idol_id = ?)').run(type === TYPE.original ? 1 : 0, authorId);
  }

  /** A page of (timestamp, id) keys → the same page of whole rows. */
  private pageRows(page: TimePage<{ timestamp: number; id: number }>): TimePage<TweetRow> {
    const byId = this.many(page.rows.map((r) => r.id));
    return { rows: page.rows.map((r) => byId.get(r.id)!), hasnext: page.hasnext };
  }

  /** Many tweets by id, in one statement per 100. */
  many(ids: number[]): Map<number, TweetRow> {
    return new Map(selectIn<TweetRow>(this.w.db, ids, (marks) => `SELECT * FROM tweets WHERE id IN (${marks})`).map((r) => [r.id, r]));
  }

  /** A tweet t/show may answer: not deleted (status 1 / 3). */
  visible(id: number): TweetRow | undefined {
    const t = this.get(id);
    return t && t.status !== STATUS.userDeleted && t.status !== STATUS.systemDeleted ? t : undefined;
  }

  /** re_count: reposts and comments (+ replies) of many tweets in one statement per 100; unknown ids count 0. */
  reCounts(ids: number[]): Map<number, { count: number; mcount: number }> {
    const out = new Map<number, { count: number; mcount: number }>(ids.map((id) => [id, { count: 0, mcount: 0 }]));
    // INDEXED BY: with `type IN (…)` the planner otherwise walks tweets_status_time_user over every
    // visible tweet (test/robustness/query-plans.test.ts, bench/results.md)
    const rows = selectIn<{ id: number; count: number; mcount: number }>(
      this.w.db,
      ids,
      (marks) => `SELECT source_id AS id, SUM(type = 2) AS count, SUM(type IN (4, 7)) AS mcount FROM tweets INDEXED BY tweets_source
        WHERE source_id IN (${marks}) AND type IN (2, 4, 7) AND status = 0 GROUP BY source_id`,
    );
    for (const r of rows) out.set(r.id, { count: r.count, mcount: r.mcount });
    return out;
  }

  /** Author-only delete (status 3). */
  delete(userId: number, id: number): TweetRow {
    return this.w.tx(() => {
      const t = this.get(id);
      // another user's tweet is answered like a missing one (ret 4, errcode 6): graph del_t's document
      // and open.t.qq.com both say 该记录不存在, never confirming that someone else's id exists
      if (!t || t.status === STATUS.userDeleted || t.status === STATUS.systemDeleted || t.user_id !== userId) throw notFound('record does not exist');
      this.w.db.prepare('UPDATE tweets SET status = 3 WHERE id = ?').run(id);
      return { ...t, status: STATUS.userDeleted };
    });
  }

  /** Adds author, counters and source (one level, as the wire shows it; depth 0: no source). */
  hydrate(rows: TweetRow[], depth: 0 | 1 = 1): HydratedTweet[] {
    const sourceIds = depth > 0 ? rows.map((r) => r.source_id).filter((x): x is number => x !== null) : [];
    const sourceRows = sourceIds.length ? [...this.many(sourceIds).values()] : [];
    // a page and its sources share one authors read and one counts read
    const all = sourceRows.length ? rows.concat(sourceRows) : rows;
    const authors = this.w.users.authors(all.map((r) => r.user_id));
    const counts = this.reCounts(all.map((r) => r.id));
    const hydrated = (row: TweetRow, source: HydratedTweet | null): HydratedTweet => ({ row, author: authors.get(row.user_id)!, ...counts.get(row.id)!, source });
    const sources = new Map(sourceRows.map((r) => [r.id, hydrated(r, null)]));
    return rows.map((row) => hydrated(row, row.source_id !== null ? (sources.get(row.source_id) ?? null) : null));
  }

  /** One page of a `time`-paged timeline, visible tweets only. */
  timeline(k: TimelineKind, c: TimeCursor): TimePage<TweetRow> {
    const db = this.w.db;
    switch (k.kind) {
      case 'home':
      case 'special': {
        if (k.kind === 'home') {
          const fast = windowedTweetPage(db, 'SELECT idol_id FROM follows WHERE fan_id = ? UNION ALL SELECT ?', [k.userId, k.userId], c, Math.max(100, 20 * (c.reqnum + 1)));
          if (fast) return this.pageRows(fast);
        }
        const authors = (db
          .prepare(`SELECT idol_id AS id FROM follows WHERE fan_id = ?${k.kind === 'special' ? ' AND special = 1' : ''}`)
          .all(k.userId) as { id: number }[]).map((r) => r.id);
        if (k.kind === 'home') authors.push(k.userId);
        // merge on (timestamp, id) alone, read from the covering (user_id, status, timestamp, id)
        // index, then load only the rows that made the page: whole rows for every author's
        // candidates were most of home_timeline's time (bench/run.ts profile)
        const heads = authors.map((id) => timePage<{ timestamp: number; id: number }>(db, 't.timestamp, t.id', 'FROM tweets t WHERE t.user_id = ? AND t.status = 0', [id], 't.timestamp', 't.id', c));
        return this.pageRows(mergedTimePage(heads, c));
      }
      case 'user':
        return timePage(db, 't.*', `FROM tweets t WHERE t.user_id = ? AND t.status = 0`, [k.userId], 't.timestamp', 't.id', c);
      case 'mentions':
        return timePage(db, 't.*', `FROM mentions m JOIN tweets t ON t.id = m.tweet_id WHERE m.user_id = ? AND t.status = 0`, [k.userId], 'm.timestamp', 'm.tweet_id', c);
      case 'relist': {
        const types = k.flag === 0 ? '(2)' : k.flag === 1 ? '(4, 7)' : '(2, 4, 7)';
        return timePage(db, 't.*', `FROM tweets t WHERE t.source_id = ? AND t.type IN ${types} AND t.status = 0`, [k.rootId], 't.timestamp', 't.id', c);
      }
      case 'topic':
        return timePage(db, 't.*', `FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id WHERE tt.topic_id = ? AND t.status = 0`, [k.topicId], 'tt.timestamp', 'tt.tweet_id', c);
    }
  }

  /** Total rows of a timeline (for `totalnum`). */
  timelineTotal(k: TimelineKind): number {
    const db = this.w.db;
    const n = (sql: string, ...a: unknown[]) => (db.prepare(sql).get(...a) as { n: number }).n;
    switch (k.kind) {
      case 'home':
        return n(`SELECT COALESCE(SUM(c.n), 0) n FROM counters c WHERE c.key = 'visible' AND c.id IN (SELECT idol_id FROM follows WHERE fan_id = ? UNION SELECT ?)`, k.userId, k.userId);
      case 'special':
        return n(`SELECT COALESCE(SUM(c.n), 0) n FROM counters c WHERE c.key = 'visible' AND c.id IN (SELECT idol_id FROM follows WHERE fan_id = ? AND special = 1)`, k.userId);
      case 'user':
        return counter(db, 'visible', k.userId);
      case 'mentions':
        return counter(db, 'mentions', k.userId);
      case 'relist': {
        const types = k.flag === 0 ? '(2)' : k.flag === 1 ? '(4, 7)' : '(2, 4, 7)';
        return n(`SELECT COUNT(*) n FROM tweets WHERE source_id = ? AND type IN ${types} AND status = 0`, k.rootId);
      }
      case 'topic':
        return counter(db, 'topic', k.topicId);
    }
  }

  /** public_timeline: newest first, `pos` is an offset into it. */
  publicPage(pos: number, reqnum: number): { rows: TweetRow[]; hasnext: 0 | 1; total: number } {
    const rows = this.w.db.prepare('SELECT * FROM tweets WHERE status = 0 ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?').all(reqnum + 1, pos) as TweetRow[];
    const more = rows.length > reqnum;
    if (more) rows.pop();
    const total = counter(this.w.db, 'visible', 0);
    return { rows, hasnext: more ? 0 : 1, total };
  }

  /** The user's latest visible tweet (list items' `tweet`), or latest original (get_info's tweetinfo). */
  latestOf(userId: number, originalOnly = false): TweetRow | undefined {
    const sql = `SELECT * FROM tweets WHERE user_id = ? AND status = 0${originalOnly ? ' AND type = 1' : ''} ORDER BY timestamp DESC, id DESC LIMIT 1`;
    return this.w.db.prepare(sql).get(userId) as TweetRow | undefined;
  }
}
