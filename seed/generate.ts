// Deterministic world generator: the same seed number and size give byte-identical data.
// Named fixtures (apps and users below) are documented in the README so tests can be
// written without reading the database.
import { createHash } from 'node:crypto';
import { withCountersSuspended } from '../db/counters.js';
import type { World } from '../db/world.js';
import { makePng } from './png.js';
import { mentionedNames, topicTexts } from '../db/tweets.js';

export const FIXTURES = {
  graphApp: {
    appid: '101000001',
    secret: '8B1A9953C4611296A827ABF8C47804D7',
    name: 'Demo Site',
    redirectUris: ['http://localhost:3000/callback', 'http://127.0.0.1:3000/callback', 'http://app.example.com/'],
    grantedApis: ['get_vip_info', 'get_vip_rich_info', 'list_album', 'upload_pic', 'add_album', 'list_photo', 'get_tenpay_addr'],
    unionid: true,
  },
  /** an app approved for nothing: calls to "需要申请" APIs answer 100031 */
  graphAppPlain: {
    appid: '101000002',
    secret: '5E1B6CF2A8C34E8E9F7D0A1B2C3D4E5F',
    name: 'Plain Site',
    redirectUris: ['http://localhost:4000/'],
    grantedApis: [] as string[],
    unionid: false,
  },
  weiboApp: {
    appid: '801000001',
    secret: 'a63f4a0e1242462fb8c11e53159ba294',
    name: 'Demo Weibo Client',
    redirectUris: ['http://localhost:3000/weibo/callback'],
    grantedApis: [] as string[],
    unionid: false,
  },
  users: [
    { name: 'alice', nick: '爱丽丝', sex: 2, location: '中国 广东 深圳', province_code: '44', city_code: '3', isvip: 1, is_qq_vip: 1, qq_vip_level: 5, is_yellow_vip: 1, yellow_vip_level: 7 },
    { name: 'bob', nick: '鲍勃', sex: 1, location: '中国 北京 海淀', province_code: '11', city_code: '8' },
    { name: 'carol', nick: 'Carol', sex: 2, location: '中国 上海 浦东', province_code: '31', city_code: '15' },
    { name: 'dave', nick: '大卫', sex: 1, location: '中国 浙江 杭州', province_code: '33', city_code: '1' },
    { name: 'erin', nick: 'Erin <script>', sex: 0, location: '', province_code: '', city_code: '' },
  ],
} as const;

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedOptions {
  seed: number;
  /** 'small' | 'medium' | number of tweets */
  size: string | number;
}

export function worldSize(size: string | number): { users: number; tweets: number } {
  if (size === 'small') return { users: 40, tweets: 3000 };
  if (size === 'medium') return { users: 400, tweets: 50000 };
  const tweets = Number(size);
  if (!Number.isInteger(tweets) || tweets < 0) throw new Error(`unknown world size ${size}`);
  return { users: Math.max(40, Math.min(20000, Math.round(tweets / 100))), tweets };
}

const SEED_EPOCH = 1293840000; // 2011-01-01T00:00:00Z: seeded history precedes anything a test posts

const WORDS = ['今天', '天气', '不错', '微博', '开放平台', '测试', '你好', '世界', 'hello', 'world', '腾讯', '深圳', '咖啡', '代码', '周末', '电影', '音乐', '旅行', '读书', '晚安'];
const TOPICS = ['开放平台', '微博控', '周末去哪儿', '读书会', '今日天气', '程序员', '美食', '电影推荐'];
const FROMS: [string, string][] = [['腾讯微博', ''], ['QQ空间分享', 'http://qzone.qq.com\n'], ['腾讯互联', 'http://connect.qq.com\n'], ['手机', '']];
const TAGS = ['微博控', '音乐', '旅行', '摄影', '美食', '程序员', '电影', '读书', '运动', '游戏'];

const hex = (s: string) => createHash('md5').update(s).digest('hex').toUpperCase();

/** Fills an empty world. Runs in one transaction. */
export function seedWorld(world: World, o: SeedOptions): void {
  const rnd = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const { users: nUsers, tweets: nTweets } = worldSize(o.size);
  const db = world.db;

  world.tx(() => withCountersSuspended(db, () => {
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('seed', ?), ('size', ?)").run(String(o.seed), String(o.size));

    // pictures: one avatar per user, a pool for tweets and albums
    const picKey = (i: number, w: number): string => {
      const c: [number, number, number] = [int(0, 255), int(0, 255), int(0, 255)];
      const f = world.files.savePicture(makePng(w, w, c, [255 - c[0], 255 - c[1], 255 - c[2]]), SEED_EPOCH);
      return f!.key;
    };
    const pool = Array.from({ length: 12 }, (_, i) => picKey(i, 64));

    const insUser = db.prepare(`INSERT INTO users (id, name, nick, unionid, head, sex, birth_year, birth_month, birth_day, country_code, province_code, city_code,
      location, introduction, verifyinfo, isvip, isent, isrealname, exp, level, regtime, qz_nickname, qz_gender, qz_province, qz_city, qz_year,
      qq_avatar_key, is_yellow_vip, yellow_vip_level, is_yellow_year_vip, is_qq_vip, qq_vip_level, is_qq_year_vip, vip_rich)
      VALUES (@id, @name, @nick, @unionid, @head, @sex, @birth_year, @birth_month, @birth_day, @country_code, @province_code, @city_code,
      @location, @introduction, @verifyinfo, @isvip, @isent, @isrealname, @exp, @level, @regtime, @qz_nickname, @qz_gender, @qz_province, @qz_city, @qz_year,
      @qq_avatar_key, @is_yellow_vip, @yellow_vip_level, @is_yellow_year_vip, @is_qq_vip, @qq_vip_level, @is_qq_year_vip, @vip_rich)`);
    const insUnread = db.prepare('INSERT INTO unread (user_id) VALUES (?)');
    const provinces: [string, string, string][] = [['44', '3', '广东 深圳'], ['11', '8', '北京 海淀'], ['31', '15', '上海 浦东'], ['33', '1', '浙江 杭州'], ['42', '1', '湖北 武汉']];
    for (let i = 1; i <= nUsers; i++) {
      const f = (FIXTURES.users as readonly Record<string, unknown>[])[i - 1] ?? {};
      const [pc, cc, loc] = pick(provinces);
      const sex = (f.sex as number | undefined) ?? int(0, 2);
      const isQqVip = (f.is_qq_vip as number | undefined) ?? (rnd() < 0.3 ? 1 : 0);
      const vipStart = SEED_EPOCH - int(0, 3e7);
      const name = (f.name as string | undefined) ?? `user${String(i).padStart(4, '0')}`;
      insUser.run({
        id: i,
        name,
        nick: (f.nick as string | undefined) ?? `用户${i}`,
        unionid: 'UID_' + hex(`union:${o.seed}:${i}`),
        head: i % 7 === 0 ? '' : picKey(i, 32),
        sex,
        birth_year: int(1960, 2005),
        birth_month: int(1, 12),
        birth_day: int(1, 28),
        country_code: '1',
        province_code: (f.province_code as string | undefined) ?? pc,
        city_code: (f.city_code as string | undefined) ?? cc,
        location: (f.location as string | undefined) ?? `中国 ${loc}`,
        introduction: i === 5 ? 'I write <b>bold</b> & "quoted" things' : `我是${name}`,
        verifyinfo: i === 1 ? '腾讯认证' : '',
        isvip: (f.isvip as number | undefined) ?? (rnd() < 0.1 ? 1 : 0),
        isent: 0,
        isrealname: rnd() < 0.5 ? 1 : 2,
        exp: int(0, 5000),
        level: int(0, 6),
        regtime: SEED_EPOCH - int(0, 3e7),
        qz_nickname: (f.nick as string | undefined) ?? `用户${i}`,
        qz_gender: sex === 2 ? '女' : '男',
        qz_province: loc.split(' ')[0],
        qz_city: loc.split(' ')[1],
        qz_year: String(int(1960, 2005)),
        qq_avatar_key: hex(`avatar:${o.seed}:${i}`).slice(0, 22).toLowerCase(),
        is_yellow_vip: (f.is_yellow_vip as number | undefined) ?? (rnd() < 0.2 ? 1 : 0),
        yellow_vip_level: (f.yellow_vip_level as number | undefined) ?? int(0, 8),
        is_yellow_year_vip: rnd() < 0.1 ? 1 : 0,
        is_qq_vip: isQqVip,
        qq_vip_level: (f.qq_vip_level as number | undefined) ?? (isQqVip ? int(1, 7) : 0),
        is_qq_year_vip: isQqVip && rnd() < 0.5 ? 1 : 0,
        vip_rich: JSON.stringify({
          qq_vip_start: isQqVip ? vipStart : 0,
          qq_vip_end: isQqVip ? vipStart + 31536000 : 0,
          qq_vip_payway: isQqVip ? pick([5, 100, 111, 118]) : 0,
          qq_year_vip_start: 0,
          qq_year_vip_end: 0,
          qq_year_vip_payway: 0,
          qq_zuanhuang_start: 0,
          qq_zuanhuang_end: 0,
          qq_zuanhuang_payway: 0,
          qq_haohua_start: 0,
          qq_haohua_end: 0,
          qq_haohua_payway: 0,
          qq_svip_start: 0,
          qq_svip_end: 0,
          qq_svip_payway: 0,
          history_pay_time: isQqVip ? 0 : SEED_EPOCH - int(3e7, 6e7),
          history_end_time: isQqVip ? 0 : SEED_EPOCH - int(0, 3e7),
        }),
      });
      insUnread.run(i);
    }

    for (const a of [FIXTURES.graphApp, FIXTURES.graphAppPlain]) world.apps.create({ ...a, createdAt: SEED_EPOCH, platform: 'graph', redirectUris: [...a.redirectUris], grantedApis: [...a.grantedApis] });
    world.apps.create({ ...FIXTURES.weiboApp, createdAt: SEED_EPOCH, platform: 'weibo', redirectUris: [...FIXTURES.weiboApp.redirectUris], grantedApis: [] });

    // relations: everyone follows a few; alice and bob follow each other; dense enough to paginate
    const insFollow = db.prepare('INSERT OR IGNORE INTO follows (fan_id, idol_id, special, created_at, seq) VALUES (?, ?, ?, ?, ?)');
    let seq = 0;
    const follow = (a: number, b: number, special = 0) => {
      if (a !== b) insFollow.run(a, b, special, SEED_EPOCH - 1000 + seq, ++seq);
    };
    follow(1, 2, 1);
    follow(2, 1);
    follow(1, 3);
    follow(3, 1);
    for (let i = 4; i <= nUsers; i++) follow(i, 1); // alice has a fan list that paginates
    for (let i = 1; i <= nUsers; i++) {
      const k = i === 1 ? 45 : int(3, 12);
      for (let j = 0; j < k; j++) follow(i, int(1, nUsers), rnd() < 0.1 ? 1 : 0);
    }
    db.prepare('INSERT INTO blacklist (user_id, black_id, created_at, seq) VALUES (?, ?, ?, 1)').run(2, 5, SEED_EPOCH);
    db.prepare('DELETE FROM follows WHERE (fan_id = 2 AND idol_id = 5) OR (fan_id = 5 AND idol_id = 2)').run();

    // tags
    const insTag = db.prepare('INSERT OR IGNORE INTO tags (user_id, name) VALUES (?, ?)');
    for (let i = 1; i <= nUsers; i++) for (let j = int(0, 3); j > 0; j--) insTag.run(i, pick(TAGS));

    // tweets in time order, so ids follow time; some share a second to exercise tie-breaks
    const insTweet = db.prepare(`INSERT INTO tweets (id, user_id, type, status, origtext, timestamp, source_id, root_id, from_label, from_url, client_ip, jing, wei, geo, image)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insMention = db.prepare('INSERT OR IGNORE INTO mentions (tweet_id, user_id, timestamp) VALUES (?, ?, ?)');
    const insTopic = db.prepare('INSERT OR IGNORE INTO topics (id, text, created_at) VALUES (?, ?, ?)');
    const insTweetTopic = db.prepare('INSERT OR IGNORE INTO tweet_topics (tweet_id, topic_id, timestamp) VALUES (?, ?, ?)');
    TOPICS.forEach((t, i) => insTopic.run(i + 1, t, SEED_EPOCH));
    const topicId = new Map(TOPICS.map((t, i) => [t, i + 1]));
    const names = Array.from({ length: nUsers }, (_, i) => ((FIXTURES.users as readonly { name: string }[])[i]?.name ?? `user${String(i + 1).padStart(4, '0')}`));
    const nameToId = new Map(names.map((n, i) => [n, i + 1]));
    const BASE_ID = 100000000000000; // 15-digit ids like the real ones
    const meta: { user: number; type: number; root: number | null }[] = [];
    let ts = SEED_EPOCH;
    for (let n = 0; n < nTweets; n++) {
      ts += rnd() < 0.15 ? 0 : int(1, 600);
      const id = BASE_ID + n + 1;
      // alice writes a lot so her timelines paginate; others at random
      const user = rnd() < 0.08 ? 1 : int(1, nUsers);
      let type = 1;
      let source: number | null = null;
      let root: number | null = null;
      if (n > 10 && rnd() < 0.35) {
        const parentIdx = Math.max(0, n - 1 - Math.floor(rnd() * Math.min(n, 200)));
        const parent = meta[parentIdx];
        type = pick([2, 2, 4, 7]);
        source = BASE_ID + parentIdx + 1;
        root = parent.root ?? source;
      }
      let text = Array.from({ length: int(2, 8) }, () => pick(WORDS)).join(' ');
      if (rnd() < 0.15) text += ` @${pick(names)}`;
      if (rnd() < 0.12) text = `#${pick(TOPICS)}# ` + text;
      if (rnd() < 0.05) text += ' http://example.com/' + int(1, 999);
      if (type === 2 && rnd() < 0.3) text = '';
      const [from, fromUrl] = pick(FROMS);
      const image = type === 1 && rnd() < 0.1 ? JSON.stringify([pick(pool)]) : null;
      const status = rnd() < 0.01 ? 3 : 0;
      insTweet.run(id, user, type, status, text, ts, source, root, from, fromUrl, '127.0.0.1', '0', '0', '', image);
      meta.push({ user, type, root });
      const notified = new Set(mentionedNames(text).map((m) => nameToId.get(m)));
      // as db/tweets.ts does for new answers: a repost, reply or comment notifies the source's author
      if (source !== null) notified.add(meta[source - BASE_ID - 1].user);
      for (const uid of notified) {
        if (uid && uid !== user && !(uid === 2 && user === 5)) insMention.run(id, uid, ts); // bob blacklisted erin
      }
      for (const t of topicTexts(text)) {
        const tid = topicId.get(t);
        if (tid) insTweetTopic.run(id, tid, ts);
      }
    }
    // private messages between the fixtures and others
    const insPm = db.prepare('INSERT INTO private_messages (from_id, to_id, origtext, timestamp, client_ip) VALUES (?, ?, ?, ?, ?)');
    let pts = SEED_EPOCH;
    for (let n = 0; n < Math.min(400, nUsers * 10); n++) {
      pts += int(0, 900);
      const from = n % 3 === 0 ? 1 : int(1, nUsers);
      let to = n % 3 === 1 ? 1 : int(1, nUsers);
      if (to === from) to = (from % nUsers) + 1;
      insPm.run(from, to, Array.from({ length: int(2, 6) }, () => pick(WORDS)).join(' '), pts, '127.0.0.1');
    }
    // favourites
    const insFav = db.prepare('INSERT OR IGNORE INTO fav_tweets (user_id, tweet_id, storetime) VALUES (?, ?, ?)');
    const insFavHt = db.prepare('INSERT OR IGNORE INTO fav_topics (user_id, topic_id, storetime) VALUES (?, ?, ?)');
    for (let i = 1; i <= nUsers; i++) {
      const k = i === 1 ? 35 : int(0, 5);
      for (let j = 0; j < k && nTweets > 0; j++) insFav.run(i, BASE_ID + int(1, nTweets), SEED_EPOCH + int(0, 3e7));
      if (rnd() < 0.5 || i === 1) insFavHt.run(i, int(1, TOPICS.length), SEED_EPOCH + int(0, 3e7));
    }
    // QZone albums, photos, tenpay addresses
    const insAlbum = db.prepare('INSERT INTO albums (albumid, user_id, classid, name, descr, priv, createtime) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insPhoto = db.prepare('INSERT INTO photos (album_id, lloc, sloc, name, descr, file_key, width, height, uploaded_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const insAddr = db.prepare(`INSERT INTO tenpay_addresses (user_id, region_id, used_count, name, tel, zipcode, mobile, street, lastuse_time, mod_time, create_time)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const fmtTime = (t: number) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
    for (let i = 1; i <= Math.min(nUsers, 40); i++) {
      const albums = i === 1 ? 3 : int(0, 2);
      for (let a = 0; a < albums; a++) {
        const albumid = hex(`album:${o.seed}:${i}:${a}`).slice(0, 24);
        const r = insAlbum.run(albumid, i, 100 + a, a === 0 ? '贴图相册' : `相册${a}`, '', 1, SEED_EPOCH + int(0, 3e7));
        for (let p = i === 1 && a === 0 ? 5 : int(0, 3); p > 0; p--) {
          const key = pick(pool);
          const lloc = hex(`photo:${o.seed}:${i}:${a}:${p}`);
          insPhoto.run(Number(r.lastInsertRowid), lloc, lloc.slice(0, 16), `photo${p}.png`, '', key, 64, 64, SEED_EPOCH + int(0, 3e7));
        }
      }
      for (let k = i === 1 ? 2 : int(0, 1); k > 0; k--) {
        const t = SEED_EPOCH + int(0, 3e7);
        insAddr.run(i, 440300, int(0, 20), i === 1 ? '张三' : `收货人${i}`, '0755-86013388', '518057', '13800138000', '深圳市南山区腾讯大厦', fmtTime(t), fmtTime(t), fmtTime(t - 86400));
      }
    }
  }));
}
