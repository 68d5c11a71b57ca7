// Wire shapes shared by both platforms: a tweet ("info" item), a user list item, the
// `user` name→nick map. Field names as the APIs spell them; ids as digit strings.
import type { HydratedTweet } from '../db/tweets.js';
import type { UserRow } from '../db/users.js';
import type { World } from '../db/world.js';
import { headUrl, pictureUrl } from './pictures.js';
import { array, component, digits, flag, int, intOf, map, NULL, object, omit, orNull, str, type Schema } from '../server/schemas.js';

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

const TWEET_REF = { $ref: '#/components/schemas/Tweet' };

/** tweetShape's members (openid: graph.qq.com and open.t.qq.com OAuth 2.0 callers only). */
export const TWEET_PROPERTIES: Record<string, Schema> = {
  city_code: str('the author\'s region codes'),
  count: int('reposts'),
  country_code: str(),
  emotiontype: intOf([0]),
  emotionurl: str(),
  from: str('the posting app\'s name'),
  fromurl: str(),
  geo: str(),
  head: str('the author\'s avatar URL without a size suffix; empty when none'),
  id: digits('the tweet id'),
  image: orNull(array(str(), 'picture URLs (no size suffix); null without pictures or when deleted')),
  isrealname: int(),
  isvip: int(),
  jing: str('longitude as sent'),
  latitude: str('the same as wei'),
  location: str(),
  longitude: str('the same as jing'),
  mcount: int('comments and replies'),
  music: NULL,
  name: str('the author\'s account name'),
  nick: str(),
  openid: str('the author\'s openid for the calling app (graph.qq.com, open.t.qq.com OAuth 2.0)'),
  origtext: str('the text as written; empty when deleted'),
  province_code: str(),
  self: flag('1: the caller\'s own'),
  source: orNull(TWEET_REF),
  status: intOf([0, 1, 2, 3, 4], '0 normal, 1 deleted by the system, 2 under review, 3 deleted by the author, 4 its root deleted'),
  text: str('the text as HTML, links in anchors; empty when deleted'),
  timestamp: int(),
  type: intOf([1, 2, 3, 4, 5, 6, 7], '1 original, 2 repost, 3 private, 4 reply, 5 empty reply, 6 mention, 7 comment'),
  video: NULL,
  wei: str('latitude as sent'),
};

/** A tweet ("info" item) as tweetShape answers it; `source` is the tweet a repost / reply / comment answers. */
export const TWEET = component('Tweet', object(TWEET_PROPERTIES, { optional: ['openid'], description: 'a tweet (routes/shapes.ts tweetShape)' }));

/** The author's own fields a tweet carries; a profile's `tweetinfo` leaves them out (the profile
 * around it says them once: an XML reader looking for the user's <nick> finds exactly one). */
const AUTHOR_FIELDS = ['head', 'isrealname', 'isvip', 'name', 'nick', 'openid'] as const;

/** A profile's latest tweet (`tweetinfo`): the tweet without its author's fields, as seed 001's dump. */
export function tweetInfoShape(h: HydratedTweet, c: ShapeContext): Record<string, unknown> {
  const out = tweetShape(h, c);
  for (const k of AUTHOR_FIELDS) delete out[k];
  return out;
}

export const TWEET_INFO = component('ProfileTweet', object(omit(TWEET_PROPERTIES, AUTHOR_FIELDS), { description: 'a profile\'s latest original tweet: a tweet without its author\'s fields (tweetInfoShape)' }));

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

export const USER_MAP = component('UserMap', map(str('the nick'), 'account name → nick of every author (and source author) on the page'));

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

/** A user's tag, in profiles and list items. */
export const TAG = component('Tag', object({ id: digits('the tag id'), name: str() }));

/** userListItems' members (openid: OAuth 2.0 and graph.qq.com callers). */
export const USER_LIST_ITEM_PROPERTIES: Record<string, Schema> = {
  city_code: str(),
  country_code: str(),
  fansnum: int(),
  head: str('avatar URL without a size suffix; empty when none'),
  idolnum: int(),
  isfans: flag('1: follows the caller'),
  isidol: flag('1: the caller follows them'),
  isrealname: int(),
  isvip: int(),
  location: str(),
  name: str(),
  nick: str(),
  openid: str('the user\'s openid for the calling app'),
  province_code: str(),
  sex: int('1 male, 2 female, 0 unknown'),
  tag: array(TAG),
  tweet: array(object({ from: str(), id: digits(), text: str('HTML'), timestamp: int() }), 'the latest tweet, when there is one'),
};

export const USER_LIST_ITEM = component('UserListItem', object(USER_LIST_ITEM_PROPERTIES, { optional: ['openid'], description: 'a user in friends/* lists and search/user results (userListItems)' }));

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

/** profileShape's members (openid: graph.qq.com and open.t.qq.com OAuth 2.0 callers). */
export const PROFILE_PROPERTIES: Record<string, Schema> = {
  birth_day: int(),
  birth_month: int(),
  birth_year: int(),
  city_code: str(),
  comp: NULL,
  country_code: str(),
  edu: NULL,
  exp: int(),
  fansnum: int(),
  favnum: int(),
  head: str('avatar URL without a size suffix; empty when none'),
  homecity_code: str(),
  homecountry_code: str(),
  homepage: str(),
  homeprovince_code: str(),
  hometown_code: str(),
  idolnum: int(),
  industry_code: int(),
  introduction: str(),
  isent: int(),
  ismyblack: flag('1: on the caller\'s blacklist'),
  ismyfans: flag('1: follows the caller'),
  ismyidol: flag('1: the caller follows them'),
  isrealname: int(),
  isvip: int(),
  level: int(),
  location: str(),
  mutual_fans_num: int(),
  name: str(),
  nick: str(),
  openid: str('the user\'s openid for the calling app'),
  province_code: str(),
  regtime: int(),
  send_private_flag: int(),
  sex: int('1 male, 2 female, 0 unknown'),
  tag: array(TAG),
  tweetinfo: array(TWEET_INFO, 'the latest original tweet, when there is one'),
  tweetnum: int(),
  uid: str(),
  verifyinfo: str(),
};

/** A profile (user/other_info, user/infos, get_info, get_other_info). */
export const PROFILE = component('Profile', object(PROFILE_PROPERTIES, { optional: ['openid'], description: 'a user\'s profile (profileShape)' }));

/** OAuth 2.0 callers of open.t.qq.com get each user's openid too: the 2012+ answers carried it (a 2012 user/info dump; a Go client reads data.openid). */
export const shapeContext = (ctx: { base: string; user: UserRow; world: World; app: { appid: string }; weibo?: { flavour: string } }, withOpenid = false): ShapeContext => ({
  base: ctx.base,
  viewerId: ctx.user.id,
  world: ctx.world,
  appid: withOpenid || ctx.weibo?.flavour === 'oauth2' ? ctx.app.appid : undefined,
});
