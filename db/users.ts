import type { World } from './world.js';
import { counter } from './counters.js';
import { remember, selectIn } from './store.js';

export interface UserRow {
  id: number;
  name: string;
  nick: string;
  unionid: string;
  head: string;
  sex: number;
  birth_year: number;
  birth_month: number;
  birth_day: number;
  country_code: string;
  province_code: string;
  city_code: string;
  location: string;
  introduction: string;
  verifyinfo: string;
  isvip: number;
  isent: number;
  isrealname: number;
  homepage: string;
  industry_code: number;
  exp: number;
  level: number;
  send_private_flag: number;
  regtime: number;
  qz_nickname: string;
  qz_gender: string;
  qz_province: string;
  qz_city: string;
  qz_year: string;
  qz_constellation: string;
  qq_avatar_key: string;
  is_yellow_vip: number;
  yellow_vip_level: number;
  is_yellow_year_vip: number;
  is_qq_vip: number;
  qq_vip_level: number;
  is_qq_year_vip: number;
  vip_rich: string;
}

export type NewUser = Partial<UserRow> & Pick<UserRow, 'name' | 'nick' | 'unionid' | 'qq_avatar_key'>;

/** Counters are derived from the rows behind them on every read, so they can never drift. */
export interface UserCounters {
  fansnum: number;
  idolnum: number;
  tweetnum: number;
  favnum: number;
  mutual_fans_num: number;
}

export type TweetAuthor = Pick<UserRow, 'id' | 'name' | 'nick' | 'head' | 'isvip' | 'isrealname' | 'location' | 'country_code' | 'province_code' | 'city_code'>;
const AUTHOR_COLUMNS = 'id, name, nick, head, isvip, isrealname, location, country_code, province_code, city_code';

export class UserStore {
  constructor(private readonly w: World) {}

  byId(id: number): UserRow | undefined {
    return remember(this.w.db, 'users', id, () => this.w.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined);
  }

  byName(name: string): UserRow | undefined {
    return this.w.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  /** What a tweet shows of its author, for many authors at once (every column of a user row
   * costs: the whole row was a fifth of home_timeline's time). */
  authors(ids: number[]): Map<number, TweetAuthor> {
    return new Map(selectIn<TweetAuthor>(this.w.db, ids, (marks) => `SELECT ${AUTHOR_COLUMNS} FROM users WHERE id IN (${marks})`).map((r) => [r.id, r]));
  }

  /** Many users at once, keyed by id. */
  byIds(ids: number[]): Map<number, UserRow> {
    return new Map(selectIn<UserRow>(this.w.db, ids, (marks) => `SELECT * FROM users WHERE id IN (${marks})`).map((r) => [r.id, r]));
  }

  list(limit = 100, offset = 0): UserRow[] {
    return this.w.db.prepare('SELECT * FROM users ORDER BY id LIMIT ? OFFSET ?').all(limit, offset) as UserRow[];
  }

  count(): number {
    return (this.w.db.prepare('SELECT COUNT(*) n FROM users').get() as { n: number }).n;
  }

  create(u: NewUser): UserRow {
    const row: Record<string, unknown> = { regtime: this.w.now(), qz_nickname: u.nick, ...u };
    const cols = Object.keys(row);
    const info = this.w.db
      .prepare(`INSERT INTO users (${cols.join(',')}) VALUES (${cols.map((c) => '@' + c).join(',')})`)
      .run(row);
    const id = Number(info.lastInsertRowid);
    this.w.db.prepare('INSERT OR IGNORE INTO unread (user_id) VALUES (?)').run(id);
    this.w.apps.materialiseOpenids(undefined, id);
    return this.byId(id)!;
  }

  /** Updates the given profile columns (names are checked against the row type by callers). */
  update(id: number, fields: Partial<UserRow>): void {
    const cols = Object.keys(fields).filter((c) => c !== 'id');
    if (cols.length === 0) return;
    this.w.db.prepare(`UPDATE users SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...fields, id });
  }

  counters(id: number): UserCounters {
    const q = (sql: string) => (this.w.db.prepare(sql).get(id) as { n: number }).n;
    return {
      fansnum: counter(this.w.db, 'fans', id),
      idolnum: counter(this.w.db, 'idols', id),
      tweetnum: counter(this.w.db, 'shown', id),
      favnum: q('SELECT COUNT(*) n FROM fav_tweets WHERE user_id = ?'),
      mutual_fans_num: (this.w.db
        .prepare('SELECT COUNT(*) n FROM follows a JOIN follows b ON b.fan_id = a.idol_id AND b.idol_id = a.fan_id WHERE a.fan_id = ?')
        .get(id) as { n: number }).n,
    };
  }

  /** fans / idols counters of many users (missing ids count 0). */
  followCountsMany(ids: number[]): Map<number, { fansnum: number; idolnum: number }> {
    const out = new Map(ids.map((id) => [id, { fansnum: 0, idolnum: 0 }]));
    const rows = selectIn<{ key: 'fans' | 'idols'; id: number; n: number }>(this.w.db, ids, (marks) => `SELECT key, id, n FROM counters WHERE key IN ('fans', 'idols') AND id IN (${marks})`);
    for (const r of rows) out.get(r.id)![r.key === 'fans' ? 'fansnum' : 'idolnum'] = r.n;
    return out;
  }

  /** Tags of many users, in tag id order. */
  tagsMany(ids: number[]): Map<number, { id: string; name: string }[]> {
    const out = new Map(ids.map((id) => [id, [] as { id: string; name: string }[]]));
    const rows = selectIn<{ user_id: number; id: number; name: string }>(this.w.db, ids, (marks) => `SELECT user_id, id, name FROM tags WHERE user_id IN (${marks}) ORDER BY id`);
    for (const r of rows) out.get(r.user_id)!.push({ id: String(r.id), name: r.name });
    return out;
  }

  tags(id: number): { id: string; name: string }[] {
    return this.tagsMany([id]).get(id)!;
  }

}
