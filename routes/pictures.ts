// Serves stored pictures back from the URLs the answers give. Clients append a size
// (/30, /100, /160, /460, /2000); every size gets the stored original.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { World } from '../db/world.js';

/** The answer for any picture that is not there (an unknown, malformed or over-long key alike). */
export const noSuchPicture = (reply: FastifyReply) => reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('no such picture');

const PICTURE_PATH = /^(?:\/(?:graph\.qq\.com|open\.t\.qq\.com))?\/(?:mblogpic|mbloghead|qzonepic|qzapp|qqapp)\//i;
/** Whether a raw request URL addresses a picture (for answers made before routing, server/app.ts). */
export const isPicturePath = (url: string) => PICTURE_PATH.test(url);

function sendFile(world: World, key: string, reply: FastifyReply) {
  const f = /^[0-9a-f]{32}$/.test(key) ? world.files.get(key) : undefined;
  if (!f) return noSuchPicture(reply);
  return reply.header('content-type', f.mime).header('cache-control', 'public, max-age=31536000, immutable').send(f.bytes);
}

/** URL prefixes of generated links; `base` is the scheme://host the client used. */
export const pictureUrl = (base: string, key: string) => `${base}/mblogpic/${key}`;
export const headUrl = (base: string, key: string) => (key ? `${base}/mbloghead/${key}` : '');
export const photoUrl = (base: string, key: string, size: 'b' | 'm' | 's') => `${base}/qzonepic/${key}/${size}`;

export function registerPictures(app: FastifyInstance): void {
  for (const prefix of ['/mblogpic', '/mbloghead', '/qzonepic']) {
    app.get(`${prefix}/:key`, (req, reply) => sendFile(req.world, (req.params as { key: string }).key, reply));
    app.get(`${prefix}/:key/:size`, (req, reply) => sendFile(req.world, (req.params as { key: string }).key, reply));
  }
  // QZone (figureurl*) and QQ (figureurl_qq*) avatars are addressed by appid and openid
  for (const prefix of ['/qzapp', '/qqapp']) {
    app.get(`${prefix}/:appid/:openid/:size`, (req, reply) => {
      const { appid, openid } = req.params as { appid: string; openid: string };
      const userId = req.world.apps.userIdByOpenid(appid, openid);
      const user = userId !== undefined ? req.world.users.byId(userId) : undefined;
      return sendFile(req.world, user?.head || '', reply);
    });
  }
}
