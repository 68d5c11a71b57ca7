// Social writes and queries of open.t.qq.com's user/*, friends/*, tag/* and other/*: the
// rules around the relation store (who may follow whom), profile and avatar updates, tags
// and "people you may know". Every write runs in one transaction.
import { isIP } from 'node:net';
import type { World } from './world.js';
import type { UserRow } from './users.js';
import { badParam, writeRefused, notFound } from './errors.js';

/** A user named by a request parameter; ret 1 naming the parameter when there is none. */
export function userNamed(w: World, name: string, param = 'name'): UserRow {
  const u = w.users.byName(name.trim());
  if (!u) throw badParam(`error ${param} param: user ${name.trim()} does not exist`);
  return u;
}

// ---------------------------------------------------------------------------------------
// Relations

/** Neither side of a blacklisting pair may follow the other (the store already drops the follows). */
function assertMayFollow(w: World, fan: UserRow, idol: UserRow): void {
  if (fan.id === idol.id) throw badParam('error name param: you cannot follow yourself');
  if (w.relations.isBlack(idol.id, fan.id)) throw writeRefused(5, `access forbidden: ${idol.name} has blacklisted you`);
  if (w.relations.isBlack(fan.id, idol.id)) throw writeRefused(5, `access forbidden: ${idol.name} is in your blacklist, remove them first`);
}

/** friends/add (and addspecial with special=true). Following again is not an error. */
export function follow(w: World, fan: UserRow, idol: UserRow, special = false): void {
  w.tx(() => {
    assertMayFollow(w, fan, idol);
    if (special) w.relations.setSpecial(fan.id, idol.id, true);
    else w.relations.follow(fan.id, idol.id);
  });
}

/** friends/del: unfollowing someone not followed is not an error. */
export function unfollow(w: World, fan: UserRow, idol: UserRow): void {
  if (fan.id === idol.id) throw badParam('error name param: you cannot unfollow yourself');
  w.tx(() => w.relations.unfollow(fan.id, idol.id));
}

/** friends/delspecial: the follow stays, only the special mark goes. */
export function unsetSpecial(w: World, fan: UserRow, idol: UserRow): void {
  if (fan.id === idol.id) throw badParam('error name param: you cannot special-follow yourself');
  w.tx(() => w.relations.setSpecial(fan.id, idol.id, false));
}

export function blacklist(w: World, user: UserRow, other: UserRow): void {
  if (user.id === other.id) throw badParam('error name param: you cannot blacklist yourself');
  w.tx(() => w.relations.addBlack(user.id, other.id));
}

export function unblacklist(w: World, user: UserRow, other: UserRow): void {
  if (user.id === other.id) throw badParam('error name param: you cannot blacklist yourself');
  w.tx(() => w.relations.delBlack(user.id, other.id));
}

/**
 * friends/check: flag 0 "is <name> my fan", 1 "is <name> my idol", 2 both as
 * {isfans, isidol}. Unknown names answer false (no relation).
 */
export function checkRelations(w: World, viewer: UserRow, names: string[], flag: 0 | 1 | 2): Record<string, boolean | { isfans: boolean; isidol: boolean }> {
  const out: Record<string, boolean | { isfans: boolean; isidol: boolean }> = {};
  for (const name of names) {
    const u = w.users.byName(name);
    const isfans = !!u && u.id !== viewer.id && w.relations.isIdol(u.id, viewer.id);
    const isidol = !!u && u.id !== viewer.id && w.relations.isIdol(viewer.id, u.id);
    out[name] = flag === 0 ? isfans : flag === 1 ? isidol : { isfans, isidol };
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Profile

/** Country / province / city names for the `location` text (codes as Tencent used them). */
const COUNTRIES: Record<string, string> = { '1': '中国' };
const PROVINCES: Record<string, string> = {
  '11': '北京', '12': '天津', '13': '河北', '14': '山西', '15': '内蒙古', '21': '辽宁', '22': '吉林', '23': '黑龙江',
  '31': '上海', '32': '江苏', '33': '浙江', '34': '安徽', '35': '福建', '36': '江西', '37': '山东', '41': '河南',
  '42': '湖北', '43': '湖南', '44': '广东', '45': '广西', '46': '海南', '50': '重庆', '51': '四川', '52': '贵州',
  '53': '云南', '54': '西藏', '61': '陕西', '62': '甘肃', '63': '青海', '64': '宁夏', '65': '新疆', '71': '台湾',
  '81': '香港', '82': '澳门',
};
/** Only the cities the seeded world uses are named; others leave the city out of `location`. */
const CITIES: Record<string, string> = { '44:3': '深圳', '11:8': '海淀', '31:15': '浦东', '33:1': '杭州', '42:1': '武汉' };

export function locationFor(country: string, province: string, city: string): string {
  const parts: string[] = [];
  const c = COUNTRIES[country];
  if (!c) return '';
  parts.push(c);
  const p = country === '1' ? PROVINCES[province] : undefined;
  if (p) {
    parts.push(p);
    const ci = CITIES[`${province}:${city}`];
    if (ci) parts.push(ci);
  }
  return parts.join(' ');
}

/** Display width as Tencent counted nicks and tags: ASCII 1, anything else 2. */
export function textWidth(s: string): number {
  let n = 0;
  for (const ch of s) n += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return n;
}

export const NICK_MAX_WIDTH = 24; // 12 Chinese characters or 24 ASCII
export const INTRODUCTION_MAX_CHARS = 140;

export interface ProfileUpdate {
  nick?: string;
  sex?: number;
  year?: number;
  month?: number;
  day?: number;
  countrycode?: string;
  provincecode?: string;
  citycode?: string;
  introduction?: string;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year || 2000, month, 0)).getUTCDate();

/** user/update: only the given fields change; the birth date must stay a real date. */
export function updateProfile(w: World, user: UserRow, p: ProfileUpdate): void {
  const fields: Partial<UserRow> = {};
  if (p.nick !== undefined) {
    const nick = p.nick.trim();
    if (!nick) throw badParam('error nick param: empty');
    if (/[\u0000-\u001f\u007f]/.test(nick)) throw badParam('error nick param: control characters');
    if (textWidth(nick) > NICK_MAX_WIDTH) throw badParam(`error nick param: longer than ${NICK_MAX_WIDTH / 2} Chinese or ${NICK_MAX_WIDTH} Latin characters`);
    fields.nick = nick;
  }
  if (p.sex !== undefined) fields.sex = p.sex;
  const year = p.year ?? user.birth_year;
  const month = p.month ?? user.birth_month;
  const day = p.day ?? user.birth_day;
  if (p.year !== undefined || p.month !== undefined || p.day !== undefined) {
    if (month && day && day > daysIn(year, month)) {
      throw badParam(`error day param: ${year || '????'}-${month}-${day} is not a valid date`);
    }
    if (p.year !== undefined) fields.birth_year = p.year;
    if (p.month !== undefined) fields.birth_month = p.month;
    if (p.day !== undefined) fields.birth_day = p.day;
  }
  for (const [param, col] of [['countrycode', 'country_code'], ['provincecode', 'province_code'], ['citycode', 'city_code']] as const) {
    const v = p[param];
    if (v === undefined) continue;
    if (!/^\d{1,10}$/.test(v)) throw badParam(`error ${param} param: not a region code`);
    fields[col] = v;
  }
  if (fields.country_code !== undefined || fields.province_code !== undefined || fields.city_code !== undefined) {
    fields.location = locationFor(fields.country_code ?? user.country_code, fields.province_code ?? user.province_code, fields.city_code ?? user.city_code);
  }
  if (p.introduction !== undefined) {
    if ([...p.introduction].length > INTRODUCTION_MAX_CHARS) throw badParam(`error introduction param: longer than ${INTRODUCTION_MAX_CHARS} characters`);
    fields.introduction = p.introduction;
  }
  w.tx(() => w.users.update(user.id, fields));
}

export const HEAD_MAX_BYTES = 2 * 1024 * 1024;

/** user/update_head: stores the picture and points the user's head at it. Answers the new key. */
export function setHead(w: World, user: UserRow, bytes: Buffer): string {
  if (bytes.length === 0) throw badParam('error pic param: empty file');
  if (bytes.length > HEAD_MAX_BYTES) throw badParam(`error pic param: larger than ${HEAD_MAX_BYTES} bytes`);
  return w.tx(() => {
    const f = w.files.savePicture(bytes);
    if (!f) throw badParam('error pic param: not an image (jpg, png, gif, bmp)');
    w.users.update(user.id, { head: f.key });
    return f.key;
  });
}

// ---------------------------------------------------------------------------------------
// Tags

export const TAG_MAX_WIDTH = 16; // 8 Chinese characters or 16 ASCII
export const TAGS_PER_USER = 10;

/** tag/add: answers the tag's id; adding a tag the user already has answers its id again. */
export function addTag(w: World, user: UserRow, raw: string): string {
  const name = raw.trim();
  if (!name) throw badParam('error tag param: missing');
  if (/[\u0000-\u001f\u007f,]/.test(name)) throw badParam('error tag param: control characters or commas');
  if (textWidth(name) > TAG_MAX_WIDTH) throw badParam(`error tag param: longer than ${TAG_MAX_WIDTH / 2} Chinese or ${TAG_MAX_WIDTH} Latin characters`);
  return w.tx(() => {
    const existing = w.db.prepare('SELECT id FROM tags WHERE user_id = ? AND name = ?').get(user.id, name) as { id: number } | undefined;
    if (existing) return String(existing.id);
    const n = (w.db.prepare('SELECT COUNT(*) n FROM tags WHERE user_id = ?').get(user.id) as { n: number }).n;
    if (n >= TAGS_PER_USER) throw badParam(`error tag param: a user has at most ${TAGS_PER_USER} tags`);
    // ids are never reused, even after the newest tag is deleted
    const seq = w.db.prepare("SELECT value FROM meta WHERE key = 'tag_seq'").get() as { value: string } | undefined;
    const max = (w.db.prepare('SELECT MAX(id) m FROM tags').get() as { m: number | null }).m ?? 0;
    const id = Math.max(max, Number(seq?.value ?? 0)) + 1;
    w.db.prepare('INSERT INTO tags (id, user_id, name) VALUES (?, ?, ?)').run(id, user.id, name);
    w.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('tag_seq', ?)").run(String(id));
    return String(id);
  });
}

/** tag/del: only the caller's own tags; an unknown id is errcode 6 (record does not exist). */
export function delTag(w: World, user: UserRow, tagid: number): void {
  w.tx(() => {
    const r = w.db.prepare('DELETE FROM tags WHERE id = ? AND user_id = ?').run(tagid, user.id);
    if (r.changes === 0) throw notFound(`tag ${tagid} does not exist`);
  });
}

// ---------------------------------------------------------------------------------------
// People you may know

export interface KnownPersonQuery {
  ip: string;
  country_code?: string;
  province_code?: string;
  city_code?: string;
}

export interface KnownPerson {
  user: UserRow;
  score: number;
}

/** Loopback, unspecified and link-local addresses say nothing about who is nearby. */
export function isMeaningfulIp(ip: string): boolean {
  if (isIP(ip) === 0) return false;
  return !/^(127\.|0\.|169\.254\.)/.test(ip) && ip !== '::1' && ip !== '::' && !/^fe80:/i.test(ip);
}

/**
 * other/kownperson: users the caller does not follow (and has no blacklisting with),
 * scored by: 3 × posted from the same IP, 2 × each of the caller's idols who follows them,
 * 2 × they follow the caller, 1 × same province, +1 × same city. Highest score first, then id.
 */
export function knownPeople(w: World, user: UserRow, q: KnownPersonQuery, limit: number): { people: KnownPerson[]; more: boolean } {
  const country = q.country_code ?? user.country_code;
  const province = q.province_code ?? user.province_code;
  const city = q.city_code ?? user.city_code;
  const ipUsers = new Set<number>();
  if (isMeaningfulIp(q.ip)) {
    for (const r of w.db.prepare('SELECT DISTINCT user_id FROM tweets WHERE client_ip = ?').all(q.ip) as { user_id: number }[]) ipUsers.add(r.user_id);
    for (const r of w.db.prepare('SELECT DISTINCT from_id AS user_id FROM private_messages WHERE client_ip = ?').all(q.ip) as { user_id: number }[]) ipUsers.add(r.user_id);
  }
  const rows = w.db
    .prepare(
      `SELECT u.id,
         (SELECT COUNT(*) FROM follows mine JOIN follows theirs ON theirs.fan_id = mine.idol_id WHERE mine.fan_id = @me AND theirs.idol_id = u.id) AS fof,
         EXISTS (SELECT 1 FROM follows WHERE fan_id = u.id AND idol_id = @me) AS fan,
         (u.country_code = @country AND u.province_code = @province AND @province != '') AS same_province,
         (u.country_code = @country AND u.province_code = @province AND u.city_code = @city AND @province != '' AND @city != '') AS same_city
       FROM users u
       WHERE u.id != @me
         AND NOT EXISTS (SELECT 1 FROM follows WHERE fan_id = @me AND idol_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM blacklist WHERE (user_id = @me AND black_id = u.id) OR (user_id = u.id AND black_id = @me))`,
    )
    .all({ me: user.id, country, province, city }) as { id: number; fof: number; fan: number; same_province: number; same_city: number }[];
  const scored = rows
    .map((r) => ({ id: r.id, score: (ipUsers.has(r.id) ? 3 : 0) + 2 * r.fof + 2 * r.fan + r.same_province + r.same_city }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.id - b.id);
  const page = scored.slice(0, limit);
  const users = w.users.byIds(page.map((p) => p.id));
  return { people: page.map((p) => ({ user: users.get(p.id)!, score: p.score })), more: scored.length > limit };
}
