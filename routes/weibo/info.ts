// open.t.qq.com info/update (T48): unread counters, optionally cleared per type.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute } from '../../server/api.js';
import { readUnread, type UnreadType } from '../../db/unread.js';
import { int, object } from '../../server/schemas.js';

const TYPES = [5, 6, 7, 8, 9] as const;

const routes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/info/update',
    envelope: 'weibo',
    auth: 'weibo',
    data: object({ create: int('new originals in the home timeline (type 9)'), fans: int('new fans (type 8)'), home: int('new tweets in the home timeline (type 5)'), mentions: int('new mentions (type 6)'), private: int('new private messages (type 7)') }),
    params: [p.oneOf('op', [0, 1], { def: 0, description: '0 read the counters, 1 read and clear the counter named by type', example: 0 }), p.oneOf('type', TYPES, { description: 'the counter to clear (needed with op=1)', example: TYPES[0] })],
    handler: (ctx) => {
      const op = ctx.args.oneOf('op', [0, 1] as const, 0);
      // op=0 reads every counter (a type, if sent, must still be valid); op=1 needs the type to clear
      const type: UnreadType | undefined = op === 1 ? ctx.args.oneOf('type', TYPES) : ctx.args.has('type') ? ctx.args.oneOf('type', TYPES) : undefined;
      const c = readUnread(ctx.world, ctx.user.id, op === 1 ? type : undefined);
      return { create: c.create, fans: c.fans, home: c.home, mentions: c.mentions, private: c.private };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
