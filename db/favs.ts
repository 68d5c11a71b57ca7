// Favourites (open.t.qq.com fav/*): favourite tweets paged by store time, favourite topics.
import type { World } from './world.js';
import type { TweetRow } from './tweets.js';
import { writeRefused, notFound } from './errors.js';
import { timePage, type TimeCursor, type TimePage } from './paging.js';

export interface FavTweetRow {
  tweet_id: number;
  storetime: number;
}

export interface FavTopicRow {
  topic_id: number;
  storetime: number;
  text: string;
  favnum: number;
  tweetnum: number;
}

/** Tweets a user may not favourite: unknown or deleted (by the user or the system). */
function visibleTweet(w: World, id: number): TweetRow {
  const t = w.tweets.get(id);
  if (!t || t.status === 1 || t.status === 3) throw notFound('record does not exist');
  return t;
}

/** Adds a tweet to the user's favourites; favouriting it again keeps the first store time. */
export function addFavTweet(w: World, userId: number, tweetId: number): { tweetId: number; storetime: number; added: boolean } {
  return w.tx(() => {
    visibleTweet(w, tweetId);
    const r = w.db.prepare('INSERT OR IGNORE INTO fav_tweets (user_id, tweet_id, storetime) VALUES (?, ?, ?)').run(userId, tweetId, w.now());
    const row = w.db.prepare('SELECT storetime FROM fav_tweets WHERE user_id = ? AND tweet_id = ?').get(userId, tweetId) as { storetime: number };
    return { tweetId, storetime: row.storetime, added: r.changes > 0 };
  });
}

/** Removes a favourite; one that is not in the list is ret 4 errcode 6. */
export function delFavTweet(w: World, userId: number, tweetId: number): void {
  w.tx(() => {
    const r = w.db.prepare('DELETE FROM fav_tweets WHERE user_id = ? AND tweet_id = ?').run(userId, tweetId);
    if (r.changes === 0) throw notFound('record does not exist: not in your favourites');
  });
}

export function isFavTweet(w: World, userId: number, tweetId: number): boolean {
  return !!w.db.prepare('SELECT 1 FROM fav_tweets WHERE user_id = ? AND tweet_id = ?').get(userId, tweetId);
}

/** One page of favourite tweets, newest store time first, anchored on (storetime, tweet id). */
export function favTweetPage(w: World, userId: number, c: TimeCursor): TimePage<FavTweetRow> {
  return timePage<FavTweetRow>(w.db, 'f.tweet_id, f.storetime', 'FROM fav_tweets f WHERE f.user_id = ?', [userId], 'f.storetime', 'f.tweet_id', c);
}

/** Every favourite counts (also those whose tweet was deleted since), as user/info's favnum does. */
export function favTweetTotal(w: World, userId: number): number {
  return (w.db.prepare('SELECT COUNT(*) n FROM fav_tweets WHERE user_id = ?').get(userId) as { n: number }).n;
}

function topicExists(w: World, topicId: number): boolean {
  return !!w.db.prepare('SELECT 1 FROM topics WHERE id = ?').get(topicId);
}

/** Adds a topic to the user's favourites (idempotent); unknown topic is ret 4 errcode 6. */
export function addFavTopic(w: World, userId: number, topicId: number): boolean {
  return w.tx(() => {
    if (!topicExists(w, topicId)) throw notFound('record does not exist: no such topic');
    return w.db.prepare('INSERT OR IGNORE INTO fav_topics (user_id, topic_id, storetime) VALUES (?, ?, ?)').run(userId, topicId, w.now()).changes > 0;
  });
}

export function delFavTopic(w: World, userId: number, topicId: number): void {
  w.tx(() => {
    const r = w.db.prepare('DELETE FROM fav_topics WHERE user_id = ? AND topic_id = ?').run(userId, topicId);
    if (r.changes === 0) throw notFound('record does not exist: topic not in your favourites');
  });
}

/** One page of favourite topics (newest store time first) with the topic's counters. */
export function favTopicPage(w: World, userId: number, c: TimeCursor): TimePage<FavTopicRow> {
  return timePage<FavTopicRow>(
    w.db,
    `f.topic_id, f.storetime, tp.text,
     (SELECT COUNT(*) FROM fav_topics x WHERE x.topic_id = f.topic_id) AS favnum,
     COALESCE((SELECT n FROM counters c WHERE c.key = 'topic' AND c.id = f.topic_id), 0) AS tweetnum`,
    'FROM fav_topics f JOIN topics tp ON tp.id = f.topic_id WHERE f.user_id = ?',
    [userId],
    'f.storetime',
    'f.topic_id',
    c,
  );
}

export function favTopicTotal(w: World, userId: number): number {
  return (w.db.prepare('SELECT COUNT(*) n FROM fav_topics WHERE user_id = ?').get(userId) as { n: number }).n;
}
