// open.t.qq.com statuses/*: home_timeline (T4), public_timeline (T5), user_timeline (T6),
// mentions_timeline (T7), ht_timeline (T8), broadcast_timeline (T9), special_timeline (T10),
// and the later indexes home/user/broadcast/mentions_timeline_ids (docs/endpoints.md L1–L4).
//
// `data` is the timeline wrapper {hasnext, info:[tweet…], timestamp (server time, not for
// paging), user:{name: nick}} plus totalnum (user, mentions, broadcast, special, ht), pos
// (public) and pageinfo / id / isfav (ht). An empty page is still ret 0 with `info: []`.
import type { FastifyInstance } from 'fastify';
import * as p from '../../server/params.js';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import type { Args } from '../../server/args.js';
import type { TimeCursor } from '../../db/paging.js';
import type { TimelineKind, TweetRow } from '../../db/tweets.js';
import { isFavTopic, topicByText, topicNeighbours, type TopicAnchor } from '../../db/topics.js';
import { shapeContext, TWEET, tweetShape, USER_MAP, userMap } from '../shapes.js';
import { array, digits, flag, int, intOf, object, str, type Schema } from '../../server/schemas.js';

/** reqnum: 1..20 as the 2010 document says; larger values are clamped to 20 (the later
 * service clamped too), 0 / negative / non-numbers are a parameter error. */
export const TIMELINE_MAX = 20;

export const reqnumOf = (a: Args, max = TIMELINE_MAX): number => a.reqnum(max);

function wrapper(ctx: Ctx, rows: TweetRow[], hasnext: number): Record<string, unknown> {
  const hs = ctx.world.tweets.hydrate(rows);
  const sc = shapeContext(ctx);
  return { hasnext, info: hs.map((h) => tweetShape(h, sc)), timestamp: ctx.world.now(), user: userMap(hs) };
}

const HASNEXT = flag('0 more to fetch, 1 no more');

/** The timeline wrapper's data, with a route's own members added. */
const timelineData = (extra: Record<string, Schema> = {}): Schema =>
  object({ hasnext: HASNEXT, info: array(TWEET), timestamp: int('server time, not for paging'), user: USER_MAP, ...extra });

/** A `time`-paged timeline; `withTotal` adds totalnum. */
function timeline(kindOf: (ctx: Ctx) => TimelineKind, withTotal: boolean) {
  return (ctx: Ctx) => {
    const kind = kindOf(ctx);
    const c = ctx.args.timeCursor({ max: TIMELINE_MAX });
    const tweets = ctx.world.tweets;
    const page = tweets.timeline(kind, c);
    const data = wrapper(ctx, page.rows, page.hasnext);
    if (withTotal) data.totalnum = tweets.timelineTotal(kind);
    return data;
  };
}

/** user_timeline's `name`: required; an unknown account is ret 1 naming it. */
function namedUser(ctx: Ctx): TimelineKind {
  const name = ctx.args.required('name').trim();
  const u = ctx.world.users.byName(name);
  if (!u) throw badParam(`error name param: user ${name} does not exist`);
  return { kind: 'user', userId: u.id };
}

// ---------------------------------------------------------------------------------------
// ht_timeline: `pageinfo` paging

/** What ht_timeline's opaque pageinfo carries: the topic and the first / last record of the page. */
interface PageInfo {
  topicId: number;
  first: TopicAnchor;
  last: TopicAnchor;
}

export function encodePageinfo(p: PageInfo): string {
  return Buffer.from([p.topicId, p.first.ts, p.first.id, p.last.ts, p.last.id].join('_')).toString('hex');
}

export function decodePageinfo(raw: string, topicId: number): PageInfo {
  const bad = () => badParam('error pageinfo param: not a pageinfo this topic returned (send back data.pageinfo unchanged, or empty for the first page)');
  if (!/^(?:[0-9a-f]{2}){1,64}$/i.test(raw)) throw bad();
  const m = /^(\d{1,19})_(\d{1,19})_(\d{1,19})_(\d{1,19})_(\d{1,19})$/.exec(Buffer.from(raw, 'hex').toString('latin1'));
  if (!m) throw bad();
  const [tid, fts, fid, lts, lid] = m.slice(1).map(Number);
  if (tid !== topicId || ![fts, fid, lts, lid].every(Number.isSafeInteger)) throw bad();
  return { topicId: tid, first: { ts: fts, id: fid }, last: { ts: lts, id: lid } };
}

/** hasnext of ht_timeline: 0 both ways open, 1 cannot page down, 2 cannot page up, 3 neither. */
export const htHasnext = (up: boolean, down: boolean): 0 | 1 | 2 | 3 => (up ? (down ? 0 : 1) : down ? 2 : 3);

/** `#话题#` and `话题` name the same topic. */
const topicText = (s: string) => s.trim().replace(/^#(.*)#$/s, '$1').trim();

/**
 * pageflag 1 next page (older than the last record of `pageinfo`), 2 previous page (newer
 * than its first record), 4 first page; also 0 (= first page, what most SDKs send) and 3
 * (jump to the last page, as OpenTSDK's enum has it). 1 / 2 with an empty pageinfo is the
 * first page.
 */
function htTimeline(ctx: Ctx) {
  const a = ctx.args;
  const w = ctx.world;
  const text = topicText(a.required('httext'));
  if (text === '') throw badParam('error httext param: missing');
  const pageflag = a.oneOf('pageflag', [0, 1, 2, 3, 4] as const, 4);
  const reqnum = reqnumOf(a);
  const raw = (a.str('pageinfo') ?? '').trim();
  const topic = topicByText(w, text);
  if (!topic) {
    // nobody has used this topic: an empty topic page, id "0"
    return { hasnext: 3, id: '0', info: [], isfav: 0, pageinfo: '', timestamp: w.now(), totalnum: 0, user: {} };
  }
  const prev = raw === '' ? null : decodePageinfo(raw, topic.id);
  const kind = { kind: 'topic', topicId: topic.id } as const;
  let c: TimeCursor = { pageflag: 0, pagetime: 0, lastid: 0, reqnum };
  let anchor: TopicAnchor | null = null;
  if (pageflag === 1 && prev) {
    anchor = prev.last;
    c = { pageflag: 1, pagetime: anchor.ts, lastid: anchor.id, reqnum };
  } else if (pageflag === 2 && prev) {
    anchor = prev.first;
    c = { pageflag: 2, pagetime: anchor.ts, lastid: anchor.id, reqnum };
  } else if (pageflag === 3) {
    // the oldest reqnum records: "newer than the beginning of time"
    c = { pageflag: 2, pagetime: 0, lastid: 0, reqnum };
  }
  const page = w.tweets.timeline(kind, c);
  const rows = page.rows;
  let pageinfo = '';
  let hasnext: 0 | 1 | 2 | 3 = 3;
  const first = rows.length ? { ts: rows[0].timestamp, id: rows[0].id } : anchor;
  const last = rows.length ? { ts: rows[rows.length - 1].timestamp, id: rows[rows.length - 1].id } : anchor;
  if (first && last) {
    const n = topicNeighbours(w, topic.id, first, last);
    hasnext = htHasnext(n.up, n.down);
    pageinfo = encodePageinfo({ topicId: topic.id, first, last });
  }
  return {
    ...wrapper(ctx, rows, hasnext),
    id: String(topic.id),
    isfav: isFavTopic(w, ctx.user.id, topic.id) ? 1 : 0,
    pageinfo,
    totalnum: w.tweets.timelineTotal(kind),
  };
}

/**
 * The later `*_timeline_ids` indexes (Tencent's JS SDK QQWB, pyqqweibo): the same `time`
 * paging as the full timeline, each record only `id` and `timestamp` (pyqqweibo's RetId).
 */
function timelineIds(kindOf: (ctx: Ctx) => TimelineKind) {
  return (ctx: Ctx) => {
    const page = ctx.world.tweets.timeline(kindOf(ctx), ctx.args.timeCursor({ max: TIMELINE_MAX }));
    return { hasnext: page.hasnext, info: page.rows.map((r) => ({ id: String(r.id), timestamp: r.timestamp })), timestamp: ctx.world.now() };
  };
}

// ---------------------------------------------------------------------------------------

/** The `time` cursor every timeline here takes. */
const cursor = p.timeCursor({ max: TIMELINE_MAX });

const IDS_DATA = object({ hasnext: HASNEXT, info: array(object({ id: digits(), timestamp: int() })), timestamp: int('server time') });

const idsRoute = (url: string, kindOf: (ctx: Ctx) => TimelineKind, params: p.Param[] = cursor): ApiRoute => ({ method: 'GET', url, envelope: 'weibo', auth: 'weibo', params, data: IDS_DATA, handler: timelineIds(kindOf) });

const routes: ApiRoute[] = [
  idsRoute('/api/statuses/home_timeline_ids', (ctx) => ({ kind: 'home', userId: ctx.user.id })),
  idsRoute('/api/statuses/user_timeline_ids', namedUser, [p.account('name', { description: 'whose tweets' }), ...cursor]),
  idsRoute('/api/statuses/broadcast_timeline_ids', (ctx) => ({ kind: 'user', userId: ctx.user.id })),
  idsRoute('/api/statuses/mentions_timeline_ids', (ctx) => ({ kind: 'mentions', userId: ctx.user.id })),
  {
    method: 'GET',
    url: '/api/statuses/home_timeline',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: cursor,
    data: timelineData(),
    handler: timeline((ctx) => ({ kind: 'home', userId: ctx.user.id }), false),
  },
  {
    method: 'GET',
    url: '/api/statuses/public_timeline',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.int('pos', { min: 0, def: 0, description: 'records to skip: 0, then the pos of the previous answer', example: 0 }), p.reqnum(TIMELINE_MAX)],
    data: timelineData({ pos: int('pos of the next page') }),
    handler: (ctx) => {
      const pos = ctx.args.int('pos', { min: 0, def: 0 });
      const reqnum = reqnumOf(ctx.args);
      const page = ctx.world.tweets.publicPage(pos, reqnum);
      return { ...wrapper(ctx, page.rows, page.hasnext), pos: pos + page.rows.length };
    },
  },
  {
    method: 'GET',
    url: '/api/statuses/user_timeline',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.account('name', { description: 'whose tweets' }), ...cursor],
    data: timelineData({ totalnum: int() }),
    handler: timeline(namedUser, true),
  },
  {
    method: 'GET',
    url: '/api/statuses/mentions_timeline',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: cursor,
    data: timelineData({ totalnum: int() }),
    handler: timeline((ctx) => ({ kind: 'mentions', userId: ctx.user.id }), true),
  },
  {
    method: 'GET',
    url: '/api/statuses/ht_timeline',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: [
      p.text('httext', { required: true, description: 'the topic, with or without its #…#', example: (e) => e.topic }),
      p.oneOf('pageflag', [0, 1, 2, 3, 4], { def: 4, description: '1 next page, 2 previous page, 4 (or 0) first page, 3 last page', example: 4 }),
      p.reqnum(TIMELINE_MAX),
      { name: 'pageinfo', description: 'data.pageinfo of the previous answer, sent back unchanged; empty for the first page', schema: { type: 'string', pattern: '^(?:[0-9a-f]{2}){0,64}$' } },
    ],
    data: timelineData({
      hasnext: intOf([0, 1, 2, 3], '0 both ways open, 1 cannot page down, 2 cannot page up, 3 neither'),
      id: digits('the topic id; 0 for a topic nobody used'),
      isfav: flag('1: the caller favourited the topic'),
      pageinfo: str('send back unchanged to page (hex); empty for an empty page'),
      totalnum: int(),
    }),
    handler: htTimeline,
  },
  {
    method: 'GET',
    url: '/api/statuses/broadcast_timeline',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: cursor,
    data: timelineData({ totalnum: int() }),
    handler: timeline((ctx) => ({ kind: 'user', userId: ctx.user.id }), true),
  },
  {
    method: 'GET',
    url: '/api/statuses/special_timeline',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: cursor,
    data: timelineData({ totalnum: int() }),
    handler: timeline((ctx) => ({ kind: 'special', userId: ctx.user.id }), true),
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
