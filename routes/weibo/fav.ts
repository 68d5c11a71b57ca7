// open.t.qq.com fav/*: addt (T49), delt (T50), list_t (T51, `favtime` paging),
// addht (T52), delht (T53), list_ht (T54).
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute } from '../../server/api.js';
import type { TweetRow } from '../../db/tweets.js';
import {
  addFavTopic,
  addFavTweet,
  delFavTopic,
  delFavTweet,
  favTopicPage,
  favTopicTotal,
  favTweetPage,
  favTweetTotal,
} from '../../db/favs.js';
import { shapeContext, TWEET_PROPERTIES, tweetShape, USER_MAP, userMap } from '../shapes.js';
import { array, component, digits, flag, int, object, str } from '../../server/schemas.js';

const ID = object({ id: digits() });
const HASNEXT = flag('0 more to fetch, 1 no more');
const FAV_TWEET = component('FavTweet', object({ ...TWEET_PROPERTIES, storetime: digits('when it was favourited (a digit string)') }, { optional: ['openid'], description: 'a favourited tweet (fav/list_t): a tweet with its storetime' }));

const routes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/fav/addt',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('id', { description: 'the tweet', example: (e) => e.tweetId })],
    data: ID,
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      addFavTweet(ctx.world, ctx.user.id, id);
      return { id: String(id) };
    },
  },
  {
    method: 'POST',
    url: '/api/fav/delt',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('id', { description: 'a favourited tweet', example: (e) => e.tweetId })],
    data: ID,
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      delFavTweet(ctx.world, ctx.user.id, id);
      return { id: String(id) };
    },
  },
  {
    method: 'GET',
    url: '/api/fav/list_t',
    envelope: 'weibo',
    auth: 'weibo',
    params: p.timeCursor({ aliases: { down: 'nexttime', up: 'prevtime' } }),
    data: object({
      hasnext: HASNEXT,
      info: array(FAV_TWEET),
      nexttime: int('storetime of the last record: nexttime of the next page'),
      prevtime: int('storetime of the first record: prevtime of the previous page'),
      timestamp: int('server time'),
      totalnum: int(),
      user: USER_MAP,
    }),
    handler: (ctx) => {
      const w = ctx.world;
      const c = ctx.args.timeCursor({ aliases: { down: 'nexttime', up: 'prevtime' } });
      const page = favTweetPage(w, ctx.user.id, c);
      const rows = page.rows.map((f) => w.tweets.get(f.tweet_id)).filter((t): t is TweetRow => !!t);
      const stored = new Map(page.rows.map((f) => [f.tweet_id, f.storetime]));
      const hydrated = w.tweets.hydrate(rows);
      const sc = shapeContext(ctx);
      const first = page.rows[0];
      const last = page.rows[page.rows.length - 1];
      return {
        hasnext: page.hasnext,
        info: hydrated.map((h) => ({ ...tweetShape(h, sc), storetime: String(stored.get(h.row.id)) })),
        nexttime: last ? last.storetime : c.pagetime,
        prevtime: first ? first.storetime : c.pagetime,
        timestamp: w.now(),
        totalnum: favTweetTotal(w, ctx.user.id),
        user: userMap(hydrated),
      };
    },
  },
  {
    method: 'POST',
    url: '/api/fav/addht',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('id', { description: 'the topic id (ht/ids)', example: (e) => e.topicId })],
    data: ID,
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      addFavTopic(ctx.world, ctx.user.id, id);
      return { id: String(id) };
    },
  },
  {
    method: 'POST',
    url: '/api/fav/delht',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('id', { description: 'a favourited topic id', example: (e) => e.topicId })],
    data: ID,
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      delFavTopic(ctx.world, ctx.user.id, id);
      return { id: String(id) };
    },
  },
  {
    method: 'GET',
    url: '/api/fav/list_ht',
    envelope: 'weibo',
    auth: 'weibo',
    params: p.timeCursor({ max: 15 }),
    data: object({
      hasnext: HASNEXT,
      info: array(object({ favnum: int(), id: digits('the topic id'), text: str(), timestamp: int('when it was favourited'), tweetnum: int() })),
      timestamp: int('server time'),
      totalnum: int(),
    }),
    handler: (ctx) => {
      const w = ctx.world;
      const c = ctx.args.timeCursor({ max: 15 });
      const page = favTopicPage(w, ctx.user.id, c);
      return {
        hasnext: page.hasnext,
        info: page.rows.map((r) => ({ favnum: r.favnum, id: String(r.topic_id), text: r.text, timestamp: r.storetime, tweetnum: r.tweetnum })),
        timestamp: w.now(),
        totalnum: favTopicTotal(w, ctx.user.id),
      };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
