// open.t.qq.com trends/*: ht (T47, hot topics and hot search keywords, `pos` paging) and
// t (转播热榜), which the 2010 document lists as "(略)" — omitted, never provided — and which
// therefore answers the API's own "not provided" error rather than a bare 404.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, registerRefusal, type ApiRoute } from '../../server/api.js';
import { ApiError } from '../../server/errors.js';
import { hotKeywords, hotTopics, type Trend } from '../../db/topics.js';
import { reqnumOf } from './statuses.js';
import { array, flag, int, intOf, object, str } from '../../server/schemas.js';

/** reqnum "最多20": 1..20, larger values clamped. */
export const TRENDS_MAX = 20;

/**
 * `type` 1: topics (items type 0, read with statuses/ht_timeline), 2: search keywords
 * (items type 1, read with search/t), 3: both — every topic, then every keyword.
 * `name` and `keywords` carry the same text.
 */
const routes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/trends/ht',
    envelope: 'weibo',
    auth: 'weibo',
    data: object({
      hasnext: flag('0 more, 1 no more'),
      info: array(object({ keywords: str('the same as name'), name: str('the topic or keyword'), type: intOf([0, 1], '0 a topic (statuses/ht_timeline), 1 a keyword (search/t)') })),
      pos: int('pos of the next page'),
    }),
    params: [p.oneOf('type', [1, 2, 3], { def: 3, description: '1 topics, 2 keywords, 3 both', example: 3 }), p.reqnum(TRENDS_MAX), p.int('pos', { min: 0, def: 0, description: 'records to skip: 0, then data.pos of the previous answer', example: 0 })],
    handler: (ctx) => {
      const a = ctx.args;
      const type = a.oneOf('type', [1, 2, 3] as const, 3);
      const reqnum = reqnumOf(a, TRENDS_MAX);
      const pos = a.int('pos', { min: 0, def: 0 });
      const w = ctx.world;
      const all: Trend[] = [...(type !== 2 ? hotTopics(w) : []), ...(type !== 1 ? hotKeywords(w) : [])];
      const items = all.slice(pos, pos + reqnum);
      return {
        hasnext: pos + items.length < all.length ? 0 : 1,
        info: items.map((t) => ({ keywords: t.name, name: t.name, type: t.type })),
        pos: pos + items.length,
      };
    },
  },
];

/** ret 4 errcode 0, HTTP 200, whatever the credentials — as tag/list (also "not provided") answers. */
export const TRENDS_T_NOT_PROVIDED = 'api not provided: trends/t (转播热榜) is omitted from the open.t.qq.com API';

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
  registerRefusal(app, { url: '/api/trends/t', envelope: 'weibo', method: ['GET', 'POST'], error: new ApiError(4, TRENDS_T_NOT_PROVIDED, 0) });
}
