// Wire shapes shared by both platforms: a tweet ("info" item), a user list item, the
// `user` name→nick map. Field names as the APIs spell them; ids as digit strings.
import type { HydratedTweet } from '../db/tweets.js';
import type { UserRow } from '../db/users.js';
import type { World } from '../db/world.js';
import { headUrl, pictureUrl } from './pictures.js';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** `text`: the content as HTML, links wrapped in anchors as the real service did. */
const URL_IN_TEXT = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+/g;

/** `text`: the content as HTML, links (ASCII URL characters only) wrapped in anchors as the real service did. */
export function tweetHtml(origtext: string): string {
  let out = '';
  let last = 0;
  for (const m of origtext.matchAll(URL_IN_TEXT)) {
    out += escapeHtml(origtext.slice(last, m.index));
    const u = escapeHtml(m[0]);
    out += `<a href="${u}" target="_blank">${u}</a>`;
    last = m.index! + m[0].length;
  }
  return out + escapeHtml(origtext.slice(last));
}

export interface ShapeContext {
  base: string;
  viewerId: number;
  world: World;
  /** add the author's `openid` for this app (graph.qq.com wrappers and later open.t.qq.com) */
  appid?: string;
}

export function tweetShape(h: HydratedTweet, c: ShapeContext): Record<string, unknown> {
  const t = h.row;
  const gone = t.status === 1 || t.status === 3;
  const images = t.image ? (JSON.parse(t.image) as string[]).map((k) => pictureUrl(c.base, k)) : null;
  const out: Record<string, unknown> = {
    city_code: h.author.city_code,
    count: h.count,
    country_code: h.author.country_code,
    emotiontype: 0,
    emotionurl: '',
    from: t.from_label,
    fromurl: t.from_url,
    geo: t.geo,
    head: headUrl(c.base, h.author.head),
    id: String(t.id),
    image: gone ? null : images,
    isrealname: h.author.isrealname,
    isvip: h.author.isvip,
    jing: t.jing,
    latitude: t.wei,
    location: h.author.location,
    longitude: t.jing,
    mcount: h.mcount,
    music: null,
    name: h.author.name,
    nick: h.author.nick,
    origtext: gone ? '' : t.origtext,
    province_code: h.author.province_code,
    self: t.user_id === c.viewerId ? 1 : 0,
    source: h.source ? tweetShape(h.source, c) : null,
    status: t.status,
    text: gone ? '' : tweetHtml(t.origtext),
    timestamp: t.timestamp,
    type: t.type,
    video: null,
    wei: t.wei,
  };
  if (c.appid) out.openid = c.world.apps.openidFor(c.appid, t.user_id);
  return out;
}

/** The author's own fields a tweet carries; a profile's `tweetinfo` leaves them out (the profile
 * around it says them once: an XML reader looking for the user's <nick> finds exactly one). */
const AUTHOR_FIELDS = ['head', 'isrealname', 'isvip', 'name', 'nick', 'openid'] as const;

/** A profile's latest tweet (`tweetinfo`): the tweet without its author's fields, as seed 001's dump. */
export function tweetInfoShape(h: HydratedTweet, c: ShapeContext): Record<string, unknown> {
  const out = tweetShape(h, c);
  for (const k of AUTHOR_FIELDS) delete out[k];
  return out;
}

/** name → nick for every author (and source author) on a page. */
export function userMap(hs: HydratedTweet[]): Record<string, string> {
  const m: Record<string, string> = {};
  const visit = (h: HydratedTweet | null) => {
    if (!h) return;
    m[h.author.name] = h.author.nick;
    visit(h.source);
  };
  hs.forEach(visit);
  return m;
}

/** A user in friends/* and relation/* lists and search/user results. */
export function userListItem(u: UserRow, c: ShapeContext): Record<string, unknown> {
  return userListItems([u], c)[0];
}

/** List items of many users: counters, relations to the viewer and tags read once for the page. */
export function userListItems(users: UserRow[], c: ShapeContext): Record<string, unknown>[] {
  const w = c.world;
  const ids = users.map((u) => u.id);
  // fans and idols only: the profile's other counters (mutual fans, favourites) are not in list items
  const counts = w.users.followCountsMany(ids);
  const rel = w.relations.viewerRelations(c.viewerId, ids);
  const tags = w.users.tagsMany(ids);
  return users.map((u) => {
    const counters = counts.get(u.id)!;
    const latest = w.tweets.latestOf(u.id);
    const out: Record<string, unknown> = {
      city_code: u.city_code,
      country_code: u.country_code,
      fansnum: counters.fansnum,
      head: headUrl(c.base, u.head),
      idolnum: counters.idolnum,
      isfans: rel.fans.has(u.id) ? 1 : 0,
      isidol: rel.idols.has(u.id) ? 1 : 0,
      isrealname: u.isrealname,
      isvip: u.isvip,
      location: u.location,
      name: u.name,
      nick: u.nick,
      province_code: u.province_code,
      sex: u.sex,
      tag: tags.get(u.id)!,
      tweet: latest ? [{ from: latest.from_label, id: String(latest.id), text: tweetHtml(latest.origtext), timestamp: latest.timestamp }] : [],
    };
    if (c.appid) out.openid = w.apps.openidFor(c.appid, u.id);
    return out;
  });
}

/**
 * A full profile: open.t.qq.com user/info and other_info, graph.qq.com get_info and
 * get_other_info (field list of seed 001; birth_* numbers, region codes strings).
 */
export function profileShape(u: UserRow, c: ShapeContext): Record<string, unknown> {
  const w = c.world;
  const counters = w.users.counters(u.id);
  // tweetinfo is the latest original tweet (seed 001: 最近的一条原创微博)
  const latest = w.tweets.latestOf(u.id, true);
  const self = u.id === c.viewerId;
  const out: Record<string, unknown> = {
    birth_day: u.birth_day,
    birth_month: u.birth_month,
    birth_year: u.birth_year,
    city_code: u.city_code,
    comp: null,
    country_code: u.country_code,
    edu: null,
    exp: u.exp,
    fansnum: counters.fansnum,
    favnum: counters.favnum,
    head: headUrl(c.base, u.head),
    homecity_code: '',
    homecountry_code: '',
    homepage: u.homepage,
    homeprovince_code: '',
    hometown_code: '',
    idolnum: counters.idolnum,
    industry_code: u.industry_code,
    introduction: u.introduction,
    isent: u.isent,
    ismyblack: !self && w.relations.isBlack(c.viewerId, u.id) ? 1 : 0,
    ismyfans: !self && w.relations.isIdol(u.id, c.viewerId) ? 1 : 0,
    ismyidol: !self && w.relations.isIdol(c.viewerId, u.id) ? 1 : 0,
    isrealname: u.isrealname,
    isvip: u.isvip,
    level: u.level,
    location: u.location,
    mutual_fans_num: counters.mutual_fans_num,
    name: u.name,
    nick: u.nick,
    province_code: u.province_code,
    regtime: u.regtime,
    send_private_flag: u.send_private_flag,
    sex: u.sex,
    tag: w.users.tags(u.id),
    tweetinfo: latest ? w.tweets.hydrate([latest], 0).map((h) => tweetInfoShape(h, c)) : [],
    tweetnum: counters.tweetnum,
    uid: '',
    verifyinfo: u.verifyinfo,
  };
  if (c.appid) out.openid = w.apps.openidFor(c.appid, u.id);
  return out;
}

/** OAuth 2.0 callers of open.t.qq.com get each user's openid too: the 2012+ answers carried it (a 2012 user/info dump; a Go client reads data.openid). */
export const shapeContext = (ctx: { base: string; user: UserRow; world: World; app: { appid: string }; weibo?: { flavour: string } }, withOpenid = false): ShapeContext => ({
  base: ctx.base,
  viewerId: ctx.user.id,
  world: ctx.world,
  appid: withOpenid || ctx.weibo?.flavour === 'oauth2' ? ctx.app.appid : undefined,
});
