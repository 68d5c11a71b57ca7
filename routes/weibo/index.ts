import type { FastifyInstance } from 'fastify';
import oauth1 from './oauth1.js';
import oauth2 from './oauth2.js';
import statuses from './statuses.js';
import t from './t.js';
import user from './user.js';
import friends from './friends.js';
import privateMessages from './private.js';
import tag from './tag.js';
import search from './search.js';
import trends from './trends.js';
import info from './info.js';
import fav from './fav.js';
import ht from './ht.js';
import other from './other.js';

/** open.t.qq.com (Tencent Weibo v1): one module per API group. */
export function registerWeibo(app: FastifyInstance): void {
  for (const register of [oauth1, oauth2, statuses, t, user, friends, privateMessages, tag, search, trends, info, fav, ht, other]) register(app);
}
