// Values of the current world that the API description's examples point at (SeedExamples, used
// by server/params.ts): the seed is deterministic, so on a seeded world these are the same every run,
// and an example taken from the world a request runs in always names something that exists.
import type { World } from './world.js';
import { FIXTURES } from '../seed/generate.js';

/** Values of the seeded world the API description's examples point at (server/params.ts). */
export interface SeedExamples {
  /** the graph app's appid */
  appid: string;
  /** alice's openid for the graph app */
  openid: string;
  /** bob's openid for the graph app (a user alice may look up or follow) */
  fopenid: string;
  /** bob's account name (an existing user other than the caller) */
  name: string;
  /** a tweet everyone may read (bob's newest original) */
  tweetId: string;
  /** alice's newest tweet (hers to delete) */
  ownTweetId: string;
  /** a topic text in use, and its id */
  topic: string;
  topicId: string;
  /** alice's first album */
  albumid: string;
  /** a private message alice received */
  privateId: string;
  /** a stored picture's key */
  pictureKey: string;
  /** one of alice's tags */
  tagid: string;
}

const one = (w: World, sql: string, ...args: unknown[]): string => {
  const row = w.db.prepare(sql).get(...args) as Record<string, unknown> | undefined;
  const v = row ? Object.values(row)[0] : undefined;
  return v === undefined || v === null ? '' : String(v);
};

export function seedExamples(w: World): SeedExamples {
  const appid = FIXTURES.graphApp.appid;
  const alice = w.users.byName('alice');
  const bob = w.users.byName('bob');
  const aliceId = alice?.id ?? 0;
  const bobId = bob?.id ?? 0;
  return {
    appid,
    openid: alice ? w.apps.openidFor(appid, aliceId) : '',
    fopenid: bob ? w.apps.openidFor(appid, bobId) : '',
    name: bob?.name ?? 'bob',
    tweetId: one(w, 'SELECT id FROM tweets WHERE user_id = ? AND type = 1 AND status = 0 ORDER BY timestamp DESC, id DESC LIMIT 1', bobId),
    ownTweetId: one(w, 'SELECT id FROM tweets WHERE user_id = ? AND status = 0 ORDER BY timestamp DESC, id DESC LIMIT 1', aliceId),
    topic: one(w, 'SELECT t.text FROM topics t JOIN tweet_topics x ON x.topic_id = t.id GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1'),
    topicId: one(w, 'SELECT t.id FROM topics t JOIN tweet_topics x ON x.topic_id = t.id GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1'),
    albumid: one(w, 'SELECT albumid FROM albums WHERE user_id = ? ORDER BY createtime, id LIMIT 1', aliceId),
    privateId: one(w, 'SELECT id FROM private_messages WHERE to_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1', aliceId),
    pictureKey: one(w, 'SELECT key FROM files ORDER BY created_at, key LIMIT 1'),
    tagid: one(w, 'SELECT id FROM tags WHERE user_id = ? ORDER BY id LIMIT 1', aliceId),
  };
}
