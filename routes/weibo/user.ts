// open.t.qq.com user/*: info (T20), update (T21), update_head (T22), other_info (T23).
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute } from '../../server/api.js';
import { profileShape, shapeContext } from '../shapes.js';

const routes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/user/info',
    envelope: 'weibo',
    auth: 'weibo',
    handler: (ctx) => profileShape(ctx.user, shapeContext(ctx)),
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
