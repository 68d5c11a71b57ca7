import type { FastifyInstance } from 'fastify';
import oauth2 from './oauth2.js';
import user from './user.js';
import photo from './photo.js';
import t from './t.js';
import relation from './relation.js';
import cftInfo from './cft_info.js';
import retired from './retired.js';

/** graph.qq.com: one module per API group. */
export function registerGraph(app: FastifyInstance): void {
  for (const register of [oauth2, user, photo, t, relation, cftInfo, retired]) register(app);
}
