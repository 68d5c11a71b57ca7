// open.t.qq.com t/*: show (T11), add (T12), del (T13), re_add (T14), reply (T15),
// add_pic (T16), re_count (T17), re_list (T18), comment (T19), and the later list (docs/endpoints.md L5).
// The write rules (errcodes 4–13) live in db/tweets.ts; this module parses and shapes.
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import * as p from '../../server/params.js';
import { ApiError, badParam } from '../../server/errors.js';
import { sniffImage } from '../../db/files.js';
import { TYPE, type NewTweet, type TweetRow } from '../../db/tweets.js';
import { shapeContext, TWEET, tweetShape, USER_MAP, userMap } from '../shapes.js';
import { array, digits, flag, int, map, object } from '../../server/schemas.js';

/** re_list page size: 1..20 as the 2010 document says; larger values are clamped to 20. */
export const RELIST_MAX = 20;
/** re_count: at most this many ids per call. */
export const RECOUNT_MAX = 30;

/** `ids`: comma-separated tweet ids, at most RECOUNT_MAX (re_count, list). */
function tweetIds(ctx: Ctx): number[] {
  return ctx.args.list('ids', RECOUNT_MAX).map((s) => {
    if (!/^\d{1,19}$/.test(s) || !Number.isSafeInteger(Number(s))) throw badParam(`error ids param: ${JSON.stringify(s)} is not a tweet id`);
    return Number(s);
  });
}

/** The common publish parameters: clientip (optional, but an IP address when given), jing, wei. */
function publishParams(ctx: Ctx): Pick<NewTweet, 'userId' | 'clientIp' | 'jing' | 'wei' | 'appid' | 'fromLabel' | 'fromUrl'> {
  const clientIp = ctx.args.clientIp();
  return {
    userId: ctx.user.id,
    clientIp,
    jing: ctx.args.coordinate(['jing'], 180),
    wei: ctx.args.coordinate(['wei'], 90),
    appid: ctx.app.appid,
    fromLabel: ctx.app.name,
    fromUrl: '',
  };
}

/** What every publish call answers: `{id, time}` (reference §4.4). */
const written = (row: TweetRow) => ({ id: String(row.id), time: row.timestamp });
const WRITTEN = object({ id: digits('the new tweet'), time: int('its timestamp') });
const ID = object({ id: digits() });

/** Publishes a repost / reply / comment of `reid`. */
function answer(type: 2 | 4 | 7) {
  return (ctx: Ctx) => {
    const reid = ctx.args.id('reid')!;
    const content = type === TYPE.repost ? (ctx.args.str('content') ?? '') : ctx.args.required('content');
    return written(ctx.world.tweets.post({ ...publishParams(ctx), type, content, reid }));
  };
}

/** re_count / re_list `flag`: 0 reposts, 1 comments (and replies), 2 both. */
const flagOf = (ctx: Ctx) => ctx.args.oneOf('flag', [0, 1, 2] as const, 0);
const flagParam = p.oneOf('flag', [0, 1, 2], { def: 0, description: '0 reposts, 1 comments (and replies), 2 both', example: 2 });

const content = (required: boolean) => p.text('content', { required, description: 'the text, up to 140 characters', example: '来自模拟器的第一条微博 #开放平台#' });
/** re_add / reply / comment: reid first, as the handler reads it; a repost may have no text. */
const answerParams = (withText: boolean): p.Param[] => [p.id('reid', { description: 'the tweet answered', example: (e) => e.tweetId }), content(withText), ...p.publish()];

const routes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/t/show',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('id', { example: (e) => e.tweetId })],
    data: TWEET,
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      const row = ctx.world.tweets.visible(id);
      if (!row) throw new ApiError(4, 'record does not exist', 6);
      return tweetShape(ctx.world.tweets.hydrate([row])[0], shapeContext(ctx));
    },
  },
  {
    method: 'POST',
    url: '/api/t/add',
    envelope: 'weibo',
    auth: 'weibo',
    params: [content(true), ...p.publish()],
    data: WRITTEN,
    handler: (ctx) => {
      const content = ctx.args.required('content');
      return written(ctx.world.tweets.post({ ...publishParams(ctx), type: TYPE.original, content }));
    },
  },
  {
    method: 'POST',
    url: '/api/t/del',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('id', { description: 'one of your own tweets', example: (e) => e.ownTweetId })],
    data: ID,
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      return { id: String(ctx.world.tweets.delete(ctx.user.id, id).id) };
    },
  },
  { method: 'POST', url: '/api/t/re_add', envelope: 'weibo', auth: 'weibo', params: answerParams(false), data: WRITTEN, handler: answer(TYPE.repost) },
  { method: 'POST', url: '/api/t/reply', envelope: 'weibo', auth: 'weibo', params: answerParams(true), data: WRITTEN, handler: answer(TYPE.reply) },
  { method: 'POST', url: '/api/t/comment', envelope: 'weibo', auth: 'weibo', params: answerParams(true), data: WRITTEN, handler: answer(TYPE.comment) },
  {
    method: 'POST',
    url: '/api/t/add_pic',
    envelope: 'weibo',
    auth: 'weibo',
    params: [content(true), p.file('pic'), ...p.publish()],
    data: WRITTEN,
    handler: (ctx) => {
      const content = ctx.args.required('content');
      const pic = ctx.args.upload('pic');
      if (!pic) throw badParam('error pic param: missing (send the picture as the multipart file field pic)');
      if (pic.bytes.length === 0) throw badParam('error pic param: empty file');
      if (!sniffImage(pic.bytes)) throw badParam('error pic param: not an image (jpeg, png, gif or bmp)');
      const params = publishParams(ctx);
      const w = ctx.world;
      // the picture is kept only if the tweet is published
      const row = w.tx(() => {
        const file = w.files.savePicture(pic.bytes)!;
        return w.tweets.post({ ...params, type: TYPE.original, content, image: [file.key] });
      });
      return written(row);
    },
  },
  {
    method: 'GET',
    url: '/api/t/re_count',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.list('ids', RECOUNT_MAX, { description: 'tweet ids', item: '[1-9][0-9]{0,14}', example: (e) => e.tweetId }), flagParam],
    // one value type per flag: 0 reposts, 1 comments (integers), 2 both ({count, mcount})
    data: map({ anyOf: [int(), object({ count: int(), mcount: int() })] }, 'tweet id → count (flag 0), mcount (flag 1) or {count, mcount} (flag 2); unknown ids left out'),
    handler: (ctx) => {
      const ids = tweetIds(ctx);
      const flag = flagOf(ctx);
      const out: Record<string, number | { count: number; mcount: number }> = {};
      for (const [id, c] of ctx.world.tweets.reCounts(ids)) {
        out[String(id)] = flag === 0 ? c.count : flag === 1 ? c.mcount : { count: c.count, mcount: c.mcount };
      }
      return out;
    },
  },
  {
    method: 'GET',
    url: '/api/t/re_list',
    envelope: 'weibo',
    auth: 'weibo',
    params: [flagParam, p.id('rootid', { description: 'the tweet whose reposts / comments are listed', example: (e) => e.tweetId }), ...p.timeCursor({ max: RELIST_MAX, lastid: 'twitterid' })],
    data: object({ hasnext: flag('0 more to fetch, 1 no more'), info: array(TWEET), timestamp: int('server time'), totalnum: int(), user: USER_MAP }),
    handler: (ctx) => {
      const a = ctx.args;
      const flag = flagOf(ctx);
      const rootId = a.id('rootid')!;
      // twitterid is re_list's lastid; node-weibo and others send `lastid`
      const { pageflag, pagetime, lastid, reqnum } = a.timeCursor({ max: RELIST_MAX, lastid: 'twitterid' });
      const kind = { kind: 'relist', rootId, flag } as const;
      const tweets = ctx.world.tweets;
      const page = tweets.timeline(kind, { pageflag, pagetime, lastid, reqnum });
      const hs = tweets.hydrate(page.rows);
      const sc = shapeContext(ctx);
      return {
        hasnext: page.hasnext,
        info: hs.map((h) => tweetShape(h, sc)),
        timestamp: ctx.world.now(),
        totalnum: tweets.timelineTotal(kind),
        user: userMap(hs),
      };
    },
  },
  {
    // the later batch read (Tencent's JS SDK QQWB "根据微博ID批量得到微博数据", pyqqweibo), used with
    // the *_timeline_ids indexes: the tweets in the order asked, deleted and unknown ids left out
    method: 'GET',
    url: '/api/t/list',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.list('ids', RECOUNT_MAX, { description: 'tweet ids, answered in this order', item: '[1-9][0-9]{0,14}', example: (e) => e.tweetId })],
    data: object({ info: array(TWEET), timestamp: int('server time'), user: USER_MAP }),
    handler: (ctx) => {
      const rows = [...new Set(tweetIds(ctx))].map((id) => ctx.world.tweets.visible(id)).filter((r): r is TweetRow => r !== undefined);
      const hs = ctx.world.tweets.hydrate(rows);
      const sc = shapeContext(ctx);
      return { info: hs.map((h) => tweetShape(h, sc)), timestamp: ctx.world.now(), user: userMap(hs) };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
