// open.t.qq.com tag/*: add (T42), del (T43). tag/list was documented as "not provided,
// read the tags from user/info" (seed 002): it answers that as an API error, not a 404.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, registerRefusal, type ApiRoute } from '../../server/api.js';
import { ApiError } from '../../server/errors.js';
import { addTag, delTag } from '../../db/social.js';
import { digits, NULL, object } from '../../server/schemas.js';

const routes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/tag/add',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.text('tag', { required: true, description: 'the tag text', example: '摄影' })],
    data: object({ tagid: digits('the new (or existing) tag') }),
    handler: (ctx) => ({ tagid: addTag(ctx.world, ctx.user, ctx.args.required('tag')) }),
  },
  {
    method: 'POST',
    url: '/api/tag/del',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('tagid', { description: 'one of your tags (user/info tag[].id)', example: (e) => e.tagid })],
    data: NULL,
    handler: (ctx) => {
      delTag(ctx.world, ctx.user, ctx.args.id('tagid')!);
      return null;
    },
  },
];

/** ret 4 (the v1 table has no "unknown API" code), HTTP 200, whatever the credentials. */
export const TAG_LIST_NOT_PROVIDED = 'api not provided: tag/list is not available, read the tag field of user/info or user/other_info';

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
  registerRefusal(app, { url: '/api/tag/list', envelope: 'weibo', method: ['GET', 'POST'], error: new ApiError(4, TAG_LIST_NOT_PROVIDED, 0) });
}
