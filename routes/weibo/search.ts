// open.t.qq.com search/*: user (T44), t (T45), userbytag (T46); `page` paging.
//
// keyword (required), page (1-based, default 1), pagesize (default 10 as in the document's
// examples; 1..15 for the user searches and 1..30 for search/t as the later wiki put it,
// larger values clamped). A page without results answers what the real service sent
// (JSDK 2012 dump): ret 0, errcode 0, msg "result is empty", data null.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { ApiError, badParam } from '../../server/errors.js';
import { searchTweets, searchUsers, searchUsersByTag, type SearchPage } from '../../db/search.js';
import type { UserRow } from '../../db/users.js';
import type { World } from '../../db/world.js';
import { shapeContext, TWEET, tweetShape, USER_LIST_ITEM, userListItems, USER_MAP, userMap } from '../shapes.js';
import { array, int, intOf, object, orNull } from '../../server/schemas.js';

/** A search's data; null when the page has no results (msg "result is empty", still ret 0). */
const USERS_FOUND = orNull(object({ hasnext: intOf([0, 1], '0 more pages, 1 the last page'), info: array(USER_LIST_ITEM), timestamp: int('server time'), totalnum: int() }, { description: 'null when the page has no results (msg "result is empty")' }));
const TWEETS_FOUND = orNull(
  object(
    { costtime: int('milliseconds spent'), hasnext: intOf([0, 1, 2, 3], '1 can page down, 2 can page up, 3 both, 0 neither'), info: array(TWEET), timestamp: int('server time'), totalnum: int(), user: USER_MAP },
    { description: 'null when the page has no results (msg "result is empty")' },
  ),
);

export const USER_PAGESIZE_MAX = 15;
export const TWEET_PAGESIZE_MAX = 30;
export const PAGESIZE_DEFAULT = 10;
export const KEYWORD_MAX = 60;

/** The "no results" answer: a success (ret 0) with data null, rendered by the error path. */
export const resultIsEmpty = () => new ApiError(0, 'result is empty', 0);

interface Query {
  keyword: string;
  page: number;
  pagesize: number;
  offset: number;
}

function query(ctx: Ctx, maxPagesize: number): Query {
  const a = ctx.args;
  const keyword = a.required('keyword').trim();
  if (keyword === '') throw badParam('error keyword param: missing');
  if ([...keyword].length > KEYWORD_MAX) throw badParam(`error keyword param: at most ${KEYWORD_MAX} characters`);
  const page = a.int('page', { def: 1 });
  if (page < 1) throw badParam('error page param: pages are numbered from 1');
  const asked = a.int('pagesize', { def: PAGESIZE_DEFAULT });
  if (asked < 1) throw badParam(`error pagesize param: must be between 1 and ${maxPagesize}`);
  const pagesize = Math.min(asked, maxPagesize);
  return { keyword, page, pagesize, offset: (page - 1) * pagesize };
}

/** keyword, page and pagesize as query() reads them; its own messages answer the refusals. */
const searchParams = (maxPagesize: number, example: string): p.Param[] => [
  p.narrow(p.text('keyword', { required: true, description: `what to look for, up to ${KEYWORD_MAX} characters`, example }), { maxLength: KEYWORD_MAX }),
  p.described('page', { type: 'integer', minimum: 1, default: 1 }, { description: 'page number, from 1', example: 1 }),
  p.described('pagesize', { type: 'integer', minimum: 1, default: PAGESIZE_DEFAULT }, { description: `records per page, 1..${maxPagesize}; larger values are answered as ${maxPagesize}`, example: PAGESIZE_DEFAULT }),
];

/** search/user, search/userbytag: hasnext 0 = more pages, 1 = this is the last page. */
function userSearch(find: (w: World, keyword: string, offset: number, limit: number) => SearchPage<UserRow>) {
  return (ctx: Ctx) => {
    const q = query(ctx, USER_PAGESIZE_MAX);
    const r = find(ctx.world, q.keyword, q.offset, q.pagesize);
    if (r.rows.length === 0) throw resultIsEmpty();
    const sc = shapeContext(ctx);
    return {
      hasnext: q.offset + r.rows.length < r.total ? 0 : 1,
      info: userListItems(r.rows, sc),
      timestamp: ctx.world.now(),
      totalnum: r.total,
    };
  };
}

/** search/t hasnext, as its own document defines it: 1 can page down, 2 can page up, 3 both, 0 neither. */
export const tweetSearchHasnext = (down: boolean, up: boolean): 0 | 1 | 2 | 3 => ((down ? 1 : 0) | (up ? 2 : 0)) as 0 | 1 | 2 | 3;

const routes: ApiRoute[] = [
  { method: 'GET', url: '/api/search/user', envelope: 'weibo', auth: 'weibo', params: searchParams(USER_PAGESIZE_MAX, 'alice'), data: USERS_FOUND, handler: userSearch(searchUsers) },
  { method: 'GET', url: '/api/search/userbytag', envelope: 'weibo', auth: 'weibo', params: searchParams(USER_PAGESIZE_MAX, '摄影'), data: USERS_FOUND, handler: userSearch(searchUsersByTag) },
  {
    method: 'GET',
    url: '/api/search/t',
    envelope: 'weibo',
    auth: 'weibo',
    params: searchParams(TWEET_PAGESIZE_MAX, '天气'),
    data: TWEETS_FOUND,
    handler: (ctx) => {
      const started = process.hrtime.bigint();
      const q = query(ctx, TWEET_PAGESIZE_MAX);
      const tweets = ctx.world.tweets;
      const r = searchTweets(ctx.world, q.keyword, q.offset, q.pagesize);
      if (r.rows.length === 0) throw resultIsEmpty();
      const hs = tweets.hydrate(r.rows);
      const sc = shapeContext(ctx);
      return {
        costtime: Number((process.hrtime.bigint() - started) / 1000000n),
        hasnext: tweetSearchHasnext(q.offset + r.rows.length < r.total, q.page > 1),
        info: hs.map((h) => tweetShape(h, sc)),
        timestamp: ctx.world.now(),
        totalnum: r.total,
        user: userMap(hs),
      };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
