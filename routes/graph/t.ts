// graph.qq.com t/*: the Weibo wrappers add_t (G12), del_t (G13), add_pic_t (G14) and
// get_repost_list (G15). Envelope `{ret, errcode, msg, data, seqid}`; publish refusals are
// open.t.qq.com's (ret 4 + errcode, from db/tweets.ts).
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import { sniffImage } from '../../db/files.js';
import { TYPE } from '../../db/tweets.js';
import { pictureUrl } from '../pictures.js';
import { shapeContext, tweetShape, userMap } from '../shapes.js';

/** The parameters add_t and add_pic_t share: content, clientip, longitude/latitude (jing/wei), flags. */
function publishArgs(ctx: Ctx) {
  const { args } = ctx;
  const content = args.str('content') ?? '';
  // open.t.qq.com's own wording for a missing content (reference §7.3)
  if (content.trim() === '') throw badParam('error content param');
  const clientIp = args.clientIp();
  // wiki add_t: a real number of at most 10 significant digits
  const jing = args.coordinate(['longitude', 'jing'], 180, 10);
  const wei = args.coordinate(['latitude', 'wei'], 90, 10);
  args.oneOf('syncflag', [0, 1], 0);
  args.int('compatibleflag', { min: 0, max: 0xffff, def: 0 });
  return { content, clientIp, jing, wei };
}

function post(ctx: Ctx, p: ReturnType<typeof publishArgs>, image: string[] | null) {
  return ctx.world.tweets.post({
    userId: ctx.user.id,
    type: TYPE.original,
    content: p.content,
    clientIp: p.clientIp,
    jing: p.jing,
    wei: p.wei,
    image,
    appid: ctx.app.appid,
    fromLabel: ctx.app.name,
  });
}

const routes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/t/add_t',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'add_t',
    handler: (ctx) => {
      const t = post(ctx, publishArgs(ctx), null);
      return { id: String(t.id), time: t.timestamp };
    },
  },
  {
    method: 'POST',
    url: '/t/del_t',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'del_t',
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      const t = ctx.world.tweets.delete(ctx.user.id, id);
      return { id: String(t.id) };
    },
  },
  {
    method: 'POST',
    url: '/t/add_pic_t',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'add_pic_t',
    handler: (ctx) => {
      const p = publishArgs(ctx); // parameter errors (content first, as the real service) before the picture
      const pic = ctx.args.upload('pic');
      if (!pic || pic.bytes.length === 0) throw badParam('error pic param: missing');
      const max = ctx.req.server.emulatorConfig.maxUpload;
      if (pic.bytes.length > max) throw badParam(`error pic param: larger than ${max} bytes`);
      if (!sniffImage(pic.bytes)) throw badParam('error pic param: only gif, jpeg, png, bmp and ico pictures are accepted');
      // the picture is only kept when the tweet is published
      const { t, key } = ctx.world.tx(() => {
        const file = ctx.world.files.savePicture(pic.bytes)!;
        return { t: post(ctx, p, [file.key]), key: file.key };
      });
      return { id: String(t.id), time: t.timestamp, imgurl: pictureUrl(ctx.base, key) };
    },
  },
  {
    method: ['GET', 'POST'],
    url: '/t/get_repost_list',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_repost_list',
    handler: (ctx) => {
      const { args, world } = ctx;
      const flag = args.oneOf('flag', [0, 1, 2] as const);
      const rootId = args.id('rootid')!;
      if (!world.tweets.get(rootId)) throw badParam('error rootid param: no such tweet');
      const cursor = args.timeCursor({ max: 100, strict: true, def: 20, lastid: 'twitterid' });
      const kind = { kind: 'relist', rootId, flag } as const;
      const page = world.tweets.timeline(kind, cursor);
      const hs = world.tweets.hydrate(page.rows);
      const c = shapeContext(ctx, true);
      return {
        timestamp: world.now(),
        hasnext: page.hasnext,
        totalnum: world.tweets.timelineTotal(kind),
        info: hs.map((h) => tweetShape(h, c)),
        user: userMap(hs),
      };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
