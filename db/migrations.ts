// Numbered, append-only migrations. The store applies every migration whose number is
// above `PRAGMA user_version`, each inside one transaction, then bumps user_version.
// Never edit a landed migration: add the next number instead.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** SQL literals of the counter keys: the trigger SQL below is generated from these constants at load time. */
const KEY = { visible: "'visible'", shown: "'shown'", mentions: "'mentions'", topic: "'topic'", fans: "'fans'", idols: "'idols'" } as const;
const UPSERT = 'ON CONFLICT (key, id) DO UPDATE SET n = n + excluded.n;';
const bump = (key: string, id: string, by: string, when: string) => `INSERT INTO counters (key, id, n) SELECT ${key}, ${id}, ${by} WHERE ${when} ${UPSERT}`;
const bumpEach = (select: string) => `INSERT INTO counters (key, id, n) ${select} ${UPSERT}`;

/** What a tweet adds to (by = 1) or takes from (by = -1) the counters, in trigger SQL. */
const tweetCounts = (r: 'NEW' | 'OLD', by: string, withLinks = true) =>
  [
    bump(KEY.visible, `${r}.user_id`, by, `${r}.status = 0`),
    bump(KEY.visible, '0', by, `${r}.status = 0`),
    bump(KEY.shown, `${r}.user_id`, by, `${r}.status NOT IN (1, 3)`),
    // `AND true`: an INSERT … SELECT … ON CONFLICT needs its WHERE to parse
    withLinks && bumpEach(`SELECT ${KEY.mentions}, user_id, ${by} FROM mentions WHERE tweet_id = ${r}.id AND ${r}.status = 0 AND true`),
    withLinks && bumpEach(`SELECT ${KEY.topic}, topic_id, ${by} FROM tweet_topics WHERE tweet_id = ${r}.id AND ${r}.status = 0 AND true`),
  ]
    .filter(Boolean)
    .join('\n  ');

/** What a follows row adds to (by = 1) or takes from (by = -1) its idol's fans and its fan's idols. */
const followCounts = (r: 'NEW' | 'OLD', by: string) =>
  [bump(KEY.fans, `${r}.idol_id`, by, 'true'), bump(KEY.idols, `${r}.fan_id`, by, 'true')].join('\n  ');

/**
 * Counters read on every profile and timeline answer (tweetnum, fansnum, idolnum, totalnum,
 * public_timeline's total), kept in the same transaction as the rows they count by triggers, so
 * they cannot drift; COUNT(*) over a 1M-tweet world took tens of ms (bench/results.md).
 * Keys: visible (status 0 tweets per user; id 0 = the whole world), shown (status not 1/3, the
 * profile's tweetnum), mentions (visible tweets naming a user), topic (visible tweets of a topic),
 * fans / idols (follows). `rebuildCounters` recomputes them after bulk copies.
 */
export const COUNTERS_SELECT = `
SELECT 'visible', user_id, COUNT(*) FROM tweets WHERE status = 0 GROUP BY user_id
UNION ALL SELECT 'visible', 0, COUNT(*) FROM tweets WHERE status = 0
UNION ALL SELECT 'shown', user_id, COUNT(*) FROM tweets WHERE status NOT IN (1, 3) GROUP BY user_id
UNION ALL SELECT 'mentions', m.user_id, COUNT(*) FROM mentions m JOIN tweets t ON t.id = m.tweet_id WHERE t.status = 0 GROUP BY m.user_id
UNION ALL SELECT 'topic', tt.topic_id, COUNT(*) FROM tweet_topics tt JOIN tweets t ON t.id = tt.tweet_id WHERE t.status = 0 GROUP BY tt.topic_id
UNION ALL SELECT 'fans', idol_id, COUNT(*) FROM follows GROUP BY idol_id
UNION ALL SELECT 'idols', fan_id, COUNT(*) FROM follows GROUP BY fan_id`;

const COUNTERS_SQL = `
CREATE TABLE counters (
  key TEXT NOT NULL,
  id  INTEGER NOT NULL,
  n   INTEGER NOT NULL,
  PRIMARY KEY (key, id)
) WITHOUT ROWID;
INSERT INTO counters (key, id, n) ${COUNTERS_SELECT};

-- a new tweet's mentions and topics are inserted after it and counted by their own triggers
CREATE TRIGGER tweets_counters_insert AFTER INSERT ON tweets BEGIN
  ${tweetCounts('NEW', '1', false)}
END;
-- a tweet's mentions and topics, when its status changes (and for the cascade when it goes)
CREATE INDEX mentions_tweet ON mentions(tweet_id);
CREATE INDEX tweet_topics_tweet ON tweet_topics(tweet_id);
CREATE TRIGGER tweets_counters_update AFTER UPDATE OF status, user_id ON tweets
WHEN OLD.status IS NOT NEW.status OR OLD.user_id IS NOT NEW.user_id BEGIN
  ${tweetCounts('OLD', '-1')}
  ${tweetCounts('NEW', '1')}
END;
-- before the row goes: its mentions and topics are still there to be counted off (their own
-- delete triggers, run by the cascade, then find no tweet and count nothing)
CREATE TRIGGER tweets_counters_delete BEFORE DELETE ON tweets BEGIN
  ${tweetCounts('OLD', '-1')}
END;
CREATE TRIGGER mentions_counters_insert AFTER INSERT ON mentions BEGIN
  ${bump(KEY.mentions, 'NEW.user_id', '1', '(SELECT status FROM tweets WHERE id = NEW.tweet_id) = 0')}
END;
CREATE TRIGGER mentions_counters_delete AFTER DELETE ON mentions BEGIN
  ${bump(KEY.mentions, 'OLD.user_id', '-1', '(SELECT status FROM tweets WHERE id = OLD.tweet_id) = 0')}
END;
CREATE TRIGGER tweet_topics_counters_insert AFTER INSERT ON tweet_topics BEGIN
  ${bump(KEY.topic, 'NEW.topic_id', '1', '(SELECT status FROM tweets WHERE id = NEW.tweet_id) = 0')}
END;
CREATE TRIGGER tweet_topics_counters_delete AFTER DELETE ON tweet_topics BEGIN
  ${bump(KEY.topic, 'OLD.topic_id', '-1', '(SELECT status FROM tweets WHERE id = OLD.tweet_id) = 0')}
END;
CREATE TRIGGER follows_counters_insert AFTER INSERT ON follows BEGIN
  ${followCounts('NEW', '1')}
END;
CREATE TRIGGER follows_counters_delete AFTER DELETE ON follows BEGIN
  ${followCounts('OLD', '-1')}
END;
CREATE TRIGGER follows_counters_update AFTER UPDATE OF fan_id, idol_id ON follows BEGIN
  ${followCounts('OLD', '-1')}
  ${followCounts('NEW', '1')}
END;
`;

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial world',
    sql: `
CREATE TABLE apps (
  appid          TEXT PRIMARY KEY,          -- graph.qq.com appid / open.t.qq.com consumer key
  secret         TEXT NOT NULL,             -- appkey / consumer secret
  name           TEXT NOT NULL,
  platform       TEXT NOT NULL CHECK (platform IN ('graph','weibo')),
  redirect_uris  TEXT NOT NULL DEFAULT '[]', -- JSON array of allowed redirect prefixes (graph) / callback (weibo)
  granted_apis   TEXT NOT NULL DEFAULT '[]', -- JSON array: "需要申请" APIs this app was approved for
  unionid        INTEGER NOT NULL DEFAULT 0, -- may ask /oauth2.0/me for unionid
  created_at     INTEGER NOT NULL
);

CREATE TABLE users (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,    -- Weibo account name
  nick             TEXT NOT NULL,
  unionid          TEXT NOT NULL UNIQUE,
  head             TEXT NOT NULL DEFAULT '', -- avatar URL without size suffix ('' = none)
  sex              INTEGER NOT NULL DEFAULT 0,
  birth_year       INTEGER NOT NULL DEFAULT 0,
  birth_month      INTEGER NOT NULL DEFAULT 0,
  birth_day        INTEGER NOT NULL DEFAULT 0,
  country_code     TEXT NOT NULL DEFAULT '',
  province_code    TEXT NOT NULL DEFAULT '',
  city_code        TEXT NOT NULL DEFAULT '',
  location         TEXT NOT NULL DEFAULT '',
  introduction     TEXT NOT NULL DEFAULT '',
  verifyinfo       TEXT NOT NULL DEFAULT '',
  isvip            INTEGER NOT NULL DEFAULT 0,
  isent            INTEGER NOT NULL DEFAULT 0,
  isrealname       INTEGER NOT NULL DEFAULT 0,
  homepage         TEXT NOT NULL DEFAULT '',
  industry_code    INTEGER NOT NULL DEFAULT 0,
  exp              INTEGER NOT NULL DEFAULT 0,
  level            INTEGER NOT NULL DEFAULT 0,
  send_private_flag INTEGER NOT NULL DEFAULT 2,
  regtime          INTEGER NOT NULL,
  -- QQ-space profile (graph.qq.com get_user_info)
  qz_nickname      TEXT NOT NULL,
  qz_gender        TEXT NOT NULL DEFAULT '男',
  qz_province      TEXT NOT NULL DEFAULT '',
  qz_city          TEXT NOT NULL DEFAULT '',
  qz_year          TEXT NOT NULL DEFAULT '',
  qz_constellation TEXT NOT NULL DEFAULT '',
  qq_avatar_key    TEXT NOT NULL,           -- the k= of thirdqq.qlogo.cn avatar URLs
  is_yellow_vip    INTEGER NOT NULL DEFAULT 0,
  yellow_vip_level INTEGER NOT NULL DEFAULT 0,
  is_yellow_year_vip INTEGER NOT NULL DEFAULT 0,
  -- QQ VIP (get_vip_info / get_vip_rich_info, seed 004)
  is_qq_vip        INTEGER NOT NULL DEFAULT 0,
  qq_vip_level     INTEGER NOT NULL DEFAULT 0,
  is_qq_year_vip   INTEGER NOT NULL DEFAULT 0,
  vip_rich         TEXT NOT NULL DEFAULT '{}'  -- JSON: qq_vip_start/end/payway, … history_end_time
);

-- openid is per (app, user), as on the real platform.
CREATE TABLE openids (
  appid    TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  openid   TEXT NOT NULL,
  PRIMARY KEY (appid, user_id),
  UNIQUE (appid, openid)
);

-- graph.qq.com OAuth 2.0
CREATE TABLE oauth2_codes (
  code         TEXT PRIMARY KEY,
  appid        TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  redirect_uri TEXT NOT NULL,
  scope        TEXT NOT NULL,
  expires_at   INTEGER NOT NULL,
  used         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE oauth2_tokens (
  access_token  TEXT PRIMARY KEY,
  refresh_token TEXT UNIQUE,
  appid         TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scope         TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  refresh_expires_at INTEGER NOT NULL,
  refresh_used  INTEGER NOT NULL DEFAULT 0,
  revoked       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oauth2_tokens_user ON oauth2_tokens(user_id);

-- open.t.qq.com OAuth 1.0a: request tokens and access tokens share one table.
CREATE TABLE oauth1_tokens (
  token      TEXT PRIMARY KEY,
  secret     TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('request','access')),
  appid      TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
  callback   TEXT NOT NULL DEFAULT 'null',
  verifier   TEXT,
  used       INTEGER NOT NULL DEFAULT 0,
  revoked    INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE oauth1_nonces (
  appid     TEXT NOT NULL,
  nonce     TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (appid, nonce, timestamp)
);

-- Tweets of every type (1 original, 2 repost, 3 private, 4 reply, 5 empty reply, 6 mention, 7 comment).
-- Private messages live in their own table; type 3 is kept for completeness of the wire enum.
CREATE TABLE tweets (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  type        INTEGER NOT NULL CHECK (type BETWEEN 1 AND 7),
  status      INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 4),
  origtext    TEXT NOT NULL,
  timestamp   INTEGER NOT NULL,
  source_id   INTEGER REFERENCES tweets(id),   -- parent (repost/reply) or root (comment)
  root_id     INTEGER REFERENCES tweets(id),   -- the original at the top of the chain
  from_label  TEXT NOT NULL DEFAULT '腾讯微博',
  from_url    TEXT NOT NULL DEFAULT '',
  client_ip   TEXT NOT NULL DEFAULT '',
  jing        TEXT NOT NULL DEFAULT '0',        -- longitude as sent
  wei         TEXT NOT NULL DEFAULT '0',        -- latitude as sent
  geo         TEXT NOT NULL DEFAULT '',
  image       TEXT,                            -- JSON array of picture URLs (no size suffix) or NULL
  appid       TEXT
);
CREATE INDEX tweets_user_time ON tweets(user_id, timestamp, id);
CREATE INDEX tweets_time ON tweets(timestamp, id);
CREATE INDEX tweets_source ON tweets(source_id, type, timestamp, id);
CREATE INDEX tweets_root ON tweets(root_id, type, timestamp, id);
CREATE INDEX tweets_user_text ON tweets(user_id, origtext);

CREATE TABLE mentions (
  tweet_id  INTEGER NOT NULL REFERENCES tweets(id) ON DELETE CASCADE,
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (user_id, tweet_id)
);
CREATE INDEX mentions_time ON mentions(user_id, timestamp, tweet_id);

CREATE TABLE topics (
  id         INTEGER PRIMARY KEY,
  text       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE tweet_topics (
  tweet_id  INTEGER NOT NULL REFERENCES tweets(id) ON DELETE CASCADE,
  topic_id  INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (topic_id, tweet_id)
);
CREATE INDEX tweet_topics_time ON tweet_topics(topic_id, timestamp, tweet_id);

-- fan follows idol; special = 特别收听
CREATE TABLE follows (
  fan_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  idol_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  special    INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  seq        INTEGER NOT NULL,                -- insertion order, newest follow first in lists
  PRIMARY KEY (fan_id, idol_id)
);
CREATE INDEX follows_idol ON follows(idol_id, seq);
CREATE INDEX follows_fan ON follows(fan_id, seq);

CREATE TABLE blacklist (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  black_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (user_id, black_id)
);

CREATE TABLE private_messages (
  id          INTEGER PRIMARY KEY,
  from_id     INTEGER NOT NULL REFERENCES users(id),
  to_id       INTEGER NOT NULL REFERENCES users(id),
  origtext    TEXT NOT NULL,
  timestamp   INTEGER NOT NULL,
  client_ip   TEXT NOT NULL DEFAULT '',
  jing        TEXT NOT NULL DEFAULT '0',
  wei         TEXT NOT NULL DEFAULT '0',
  deleted_by_sender    INTEGER NOT NULL DEFAULT 0,
  deleted_by_recipient INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pm_to ON private_messages(to_id, timestamp, id);
CREATE INDEX pm_from ON private_messages(from_id, timestamp, id);

CREATE TABLE tags (
  id      INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name    TEXT NOT NULL,
  UNIQUE (user_id, name)
);
CREATE INDEX tags_name ON tags(name);

CREATE TABLE fav_tweets (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  tweet_id   INTEGER NOT NULL REFERENCES tweets(id) ON DELETE CASCADE,
  storetime  INTEGER NOT NULL,
  PRIMARY KEY (user_id, tweet_id)
);
CREATE INDEX fav_tweets_time ON fav_tweets(user_id, storetime, tweet_id);

CREATE TABLE fav_topics (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  topic_id   INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  storetime  INTEGER NOT NULL,
  PRIMARY KEY (user_id, topic_id)
);
CREATE INDEX fav_topics_time ON fav_topics(user_id, storetime, topic_id);

-- Unread counters of info/update; every write that notifies a user bumps one.
CREATE TABLE unread (
  user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  home     INTEGER NOT NULL DEFAULT 0,
  private  INTEGER NOT NULL DEFAULT 0,
  fans     INTEGER NOT NULL DEFAULT 0,
  mentions INTEGER NOT NULL DEFAULT 0,
  create_  INTEGER NOT NULL DEFAULT 0        -- home originals (type 9)
);

-- QQ space albums and photos
CREATE TABLE albums (
  id          INTEGER PRIMARY KEY,
  albumid     TEXT NOT NULL UNIQUE,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  classid     INTEGER NOT NULL DEFAULT 100,
  name        TEXT NOT NULL,
  descr       TEXT NOT NULL DEFAULT '',
  priv        INTEGER NOT NULL DEFAULT 1,
  question    TEXT NOT NULL DEFAULT '',
  answer      TEXT NOT NULL DEFAULT '',
  createtime  INTEGER NOT NULL
);
CREATE INDEX albums_user ON albums(user_id, createtime);

CREATE TABLE photos (
  id           INTEGER PRIMARY KEY,
  album_id     INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
  lloc         TEXT NOT NULL UNIQUE,
  sloc         TEXT NOT NULL,
  name         TEXT NOT NULL DEFAULT '',
  descr        TEXT NOT NULL DEFAULT '',
  file_key     TEXT NOT NULL,
  width        INTEGER NOT NULL DEFAULT 0,
  height       INTEGER NOT NULL DEFAULT 0,
  uploaded_time INTEGER NOT NULL
);
CREATE INDEX photos_album ON photos(album_id, uploaded_time);

CREATE TABLE tenpay_addresses (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  region_id   INTEGER NOT NULL,
  used_count  INTEGER NOT NULL DEFAULT 0,
  name        TEXT NOT NULL,
  tel         TEXT NOT NULL DEFAULT '',
  zipcode     TEXT NOT NULL DEFAULT '',
  mobile      TEXT NOT NULL DEFAULT '',
  street      TEXT NOT NULL,
  lastuse_time TEXT NOT NULL,
  mod_time    TEXT NOT NULL,
  create_time TEXT NOT NULL
);
CREATE INDEX tenpay_user ON tenpay_addresses(user_id, id);

-- Uploaded and seeded pictures, content-addressed.
CREATE TABLE files (
  key        TEXT PRIMARY KEY,
  mime       TEXT NOT NULL,
  bytes      BLOB NOT NULL,
  width      INTEGER NOT NULL DEFAULT 0,
  height     INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'indexes for 1M-tweet worlds',
    sql: `
-- user timelines and tweetnum: status is filtered on, so it belongs in the index
CREATE INDEX tweets_user_status_time ON tweets(user_id, status, timestamp, id);
DROP INDEX tweets_user_time;
-- public_timeline pages over visible tweets only
CREATE INDEX tweets_status_time ON tweets(status, timestamp, id);
DROP INDEX tweets_time;
-- never queried: the duplicate rule reads the latest tweet by time
DROP INDEX tweets_user_text;
`,
  },
  {
    version: 3,
    name: 'home timelines read authors off the time index',
    sql: `
-- user_id in the time index: home_timeline walks the newest tweets and keeps its authors' ones
-- without a table lookup per tweet (db/paging.ts windowedTweetPage)
CREATE INDEX tweets_status_time_user ON tweets(status, timestamp, id, user_id);
DROP INDEX tweets_status_time;
-- expired nonces are pruned by time
CREATE INDEX oauth1_nonces_time ON oauth1_nonces(timestamp);
`,
  },
  {
    version: 4,
    name: 'counters kept by triggers',
    sql: COUNTERS_SQL,
  },
  {
    version: 5,
    name: 'the seed a world was made from',
    sql: `
-- seed and size of the world (db/origin.ts): reset of a file world returns to them
CREATE TABLE world_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
  },
  {
    version: 6,
    name: 'nonces in time order',
    sql: `
-- one b-tree in time order: every signed call appends its nonce at the end instead of inserting
-- it at a random place in two b-trees (7.7 vs 21 µs an insert at 100 000 nonces, measured with
-- better-sqlite3 in memory); uniqueness is over the same three columns, pruning a key prefix
CREATE TABLE oauth1_nonces_v6 (
  appid     TEXT NOT NULL,
  nonce     TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (timestamp, appid, nonce)
) WITHOUT ROWID;
INSERT INTO oauth1_nonces_v6 (appid, nonce, timestamp) SELECT appid, nonce, timestamp FROM oauth1_nonces;
DROP TABLE oauth1_nonces;
ALTER TABLE oauth1_nonces_v6 RENAME TO oauth1_nonces;
`,
  },
];
