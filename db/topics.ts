// Topics (话题) as open.t.qq.com's ht/*, statuses/ht_timeline and trends/ht read them.
// A topic exists once a tweet used `#text#` (db/tweets.ts indexes it); its counters are
// computed from the rows behind them on every read.
import type { World } from './world.js';

export interface TopicRow {
  id: number;
  text: string;
  created_at: number;
}

export interface TopicInfo {
  id: number;
  text: string;
  /** users who favourited it */
  favnum: number;
  /** visible tweets that carry it */
  tweetnum: number;
}

/** Exact text match (the `#` delimiters are not part of a topic's text). */
export function topicByText(w: World, text: string): TopicRow | undefined {
  return w.db.prepare('SELECT * FROM topics WHERE text = ?').get(text) as TopicRow | undefined;
}

/** Topics with their counters, in the order of `ids`; unknown ids are left out. */
export function topicInfos(w: World, ids: number[]): TopicInfo[] {
  const q = w.db.prepare(
    `SELECT tp.id, tp.text,
       (SELECT COUNT(*) FROM fav_topics f WHERE f.topic_id = tp.id) AS favnum,
       COALESCE((SELECT n FROM counters c WHERE c.key = 'topic' AND c.id = tp.id), 0) AS tweetnum
     FROM topics tp WHERE tp.id = ?`,
  );
  return ids.map((id) => q.get(id) as TopicInfo | undefined).filter((x): x is TopicInfo => !!x);
}

export function isFavTopic(w: World, userId: number, topicId: number): boolean {
  return !!w.db.prepare('SELECT 1 FROM fav_topics WHERE user_id = ? AND topic_id = ?').get(userId, topicId);
}

/** A position in a topic's timeline: (timestamp, tweet id), the order ht_timeline pages on. */
export interface TopicAnchor {
  ts: number;
  id: number;
}

/**
 * Whether the topic's timeline has visible tweets newer than `first` (page up is possible)
 * and older than `last` (page down is possible).
 */
export function topicNeighbours(w: World, topicId: number, first: TopicAnchor, last: TopicAnchor): { up: boolean; down: boolean } {
  const from = 'FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id WHERE tt.topic_id = ? AND t.status = 0';
  const up = w.db
    .prepare(`SELECT 1 ${from} AND (tt.timestamp > ? OR (tt.timestamp = ? AND tt.tweet_id > ?)) LIMIT 1`)
    .get(topicId, first.ts, first.ts, first.id);
  const down = w.db
    .prepare(`SELECT 1 ${from} AND (tt.timestamp < ? OR (tt.timestamp = ? AND tt.tweet_id < ?)) LIMIT 1`)
    .get(topicId, last.ts, last.ts, last.id);
  return { up: !!up, down: !!down };
}

// ---------------------------------------------------------------------------------------
// trends/ht: hot topics and hot search keywords

/** How many of the newest visible tweets the keyword ranking reads. */
export const KEYWORD_WINDOW = 1000;

export interface Trend {
  /** topic text or keyword */
  name: string;
  /** 0 = a topic (read it with ht_timeline), 1 = a keyword (read it with search/t) */
  type: 0 | 1;
  /** how many tweets carry it (ranking only, not on the wire) */
  n: number;
}

/** Topics with visible tweets, most used first; ties: most recently used, then oldest topic. */
export function hotTopics(w: World): Trend[] {
  const rows = w.db
    .prepare(
      `SELECT tp.text AS name, COUNT(*) AS n, MAX(tt.timestamp) AS last
       FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id JOIN topics tp ON tp.id = tt.topic_id
       WHERE t.status = 0
       GROUP BY tp.id ORDER BY n DESC, last DESC, tp.id ASC`,
    )
    .all() as { name: string; n: number }[];
  return rows.map((r) => ({ name: r.name, type: 0, n: r.n }));
}

const URL_RE = /https?:\/\/\S+/g;
const TOPIC_RE = /#[^#\r\n]{1,60}#/g;
const MENTION_RE = /@[A-Za-z][A-Za-z0-9_-]{0,19}/g;
const PUNCT_RE = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/**
 * Words of the newest `KEYWORD_WINDOW` visible tweets, most frequent first (a word counts
 * once per tweet); ties: first seen in the newest tweet first. Words are the
 * whitespace-separated pieces of the text without URLs, #topics# and @mentions, with
 * punctuation trimmed, 2 to 20 characters long, digits-only pieces left out.
 */
export function hotKeywords(w: World): Trend[] {
  const rows = w.db
    .prepare('SELECT origtext FROM tweets WHERE status = 0 ORDER BY timestamp DESC, id DESC LIMIT ?')
    .all(KEYWORD_WINDOW) as { origtext: string }[];
  const counts = new Map<string, number>();
  for (const { origtext } of rows) {
    const words = new Set(
      origtext
        .replace(URL_RE, ' ')
        .replace(TOPIC_RE, ' ')
        .replace(MENTION_RE, ' ')
        .split(/[\s\u3000]+/)
        .map((s) => s.replace(PUNCT_RE, ''))
        .filter((s) => [...s].length >= 2 && [...s].length <= 20 && !/^\d+$/.test(s)),
    );
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // Map keeps insertion order, and sort is stable: equal counts stay in first-seen order
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name, n]) => ({ name, type: 1 as const, n }));
}
