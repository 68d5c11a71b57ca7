// graph.qq.com t/*: the Weibo wrappers add_t (G12), del_t (G13), add_pic_t (G14) and
// get_repost_list (G15). Envelope `{ret, errcode, msg, data, seqid}`; publish refusals are
// open.t.qq.com's (ret 4 + errcode, from db/tweets.ts).
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import type { Args } from '../../server/args.js';
import * as p from '../../server/params.js';
import { badParam } from '../../server/errors.js';
import { sniffImage } from '../../db/files.js';
import { TYPE } from '../../db/tweets.js';
import { pictureUrl } from '../pictures.js';
import { shapeContext, TWEET, tweetShape, USER_MAP, userMap } from '../shapes.js';
import { array, digits, flag, int, object, str } from '../../server/schemas.js';

/** The parameters add_t and add_pic_t share: content, clientip, longitude/latitude (jing/wei), flags. */
function publishArgs(args: Args) {
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

/** publishArgs' parameters: the first carries the whole check, in publishArgs' order. */
const publishParams = (): p.Param[] => [
  { ...p.described('content', { type: 'string', pattern: '\\S' }, { required: true, description: 'the text, up to 140 characters', example: '来自模拟器的第一条微博' }), check: publishArgs },
  { ...p.clientip(), check: undefined },
  ...(['longitude', 'jing'] as const).map((n) => ({ ...p.coordinate(n, 180), description: n === 'jing' ? 'the same as longitude' : undefined, check: undefined })),
  ...(['latitude', 'wei'] as const).map((n) => ({ ...p.coordinate(n, 90), description: n === 'wei' ? 'the same as latitude' : undefined, check: undefined })),
  p.described('syncflag', { type: 'integer', enum: [0, 1], default: 0 }, { description: '0 or 1' }),
  p.described('compatibleflag', { type: 'integer', minimum: 0, maximum: 65535, default: 0 }),
];

function post(ctx: Ctx, pub: ReturnType<typeof publishArgs>, image: string[] | null) {
  return ctx.world.tweets.post({
    userId: ctx.user.id,
    type: TYPE.original,
    content: pub.content,
    clientIp: pub.clientIp,
    jing: pub.jing,
    wei: pub.wei,
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
    data: object({ id: digits('the new tweet'), time: int() }),
    params: publishParams(),
    handler: (ctx) => {
      const t = post(ctx, publishArgs(ctx.args), null);
      return { id: String(t.id), time: t.timestamp };
    },
  },
  {
    method: 'POST',
    url: '/t/del_t',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'del_t',
    data: object({ id: digits() }),
    params: [p.id('id', { description: 'one of your own tweets', example: (e) => e.ownTweetId })],
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
    data: object({ id: digits('the new tweet'), time: int(), imgurl: str('the stored picture') }),
    params: [...publishParams(), p.file('pic')],
    handler: (ctx) => {
      const pub = publishArgs(ctx.args); // parameter errors (content first, as the real service) before the picture
      const pic = ctx.args.upload('pic');
      if (!pic || pic.bytes.length === 0) throw badParam('error pic param: missing');
      const max = ctx.req.server.emulatorConfig.maxUpload;
      if (pic.bytes.length > max) throw badParam(`error pic param: larger than ${max} bytes`);
      if (!sniffImage(pic.bytes)) throw badParam('error pic param: only gif, jpeg, png, bmp and ico pictures are accepted');
      // the picture is only kept when the tweet is published
      const { t, key } = ctx.world.tx(() => {
        const file = ctx.world.files.savePicture(pic.bytes)!;
        return { t: post(ctx, pub, [file.key]), key: file.key };
      });
      return { id: String(t.id), time: t.timestamp, imgurl: pictureUrl(ctx.base, key) };
    },
  },
  {
    method: ['GET', 'POST'],
    url: '/t/get_repost_list',
    cache: true,
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_repost_list',
    data: object({ timestamp: int('server time'), hasnext: flag('0 more to fetch, 1 no more'), totalnum: int(), info: array(TWEET), user: USER_MAP }),
    params: [p.oneOf('flag', [0, 1, 2], { required: true, description: '0 reposts, 1 comments, 2 both', example: 2 }), p.id('rootid', { description: 'the tweet', example: (e) => e.tweetId }), ...p.timeCursor({ max: 100, strict: true, def: 20, lastid: 'twitterid' })],
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
