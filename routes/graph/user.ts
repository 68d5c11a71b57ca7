// graph.qq.com user/*: get_user_info (G4), get_vip_info (G5), get_vip_rich_info (G6);
// the Weibo profile wrappers get_info (G11) and get_other_info (G16).
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import type { UserRow } from '../../db/users.js';
import { profileShape, shapeContext } from '../shapes.js';

/** QZone (figureurl*) and QQ (figureurl_qq*) avatar URLs, served by routes/pictures.ts. */
function avatars(ctx: Ctx) {
  const { base, app, graph } = ctx;
  const qz = (s: number) => `${base}/qzapp/${app.appid}/${graph!.openid}/${s}`;
  const qq = (s: number) => `${base}/qqapp/${app.appid}/${graph!.openid}/${s}`;
  return { qz, qq };
}

/** get_other_info's subject: `name` wins over `fopenid` (an openid of the calling app). */
function otherUser(ctx: Ctx): UserRow {
  const { args, world } = ctx;
  if (args.has('name')) {
    const name = args.required('name').trim();
    const u = world.users.byName(name);
    if (!u) throw badParam(`error name param: no such user ${name}`);
    return u;
  }
  if (args.has('fopenid')) {
    const openid = args.required('fopenid').trim();
    const id = /^[0-9A-Fa-f]{32}$/.test(openid) ? world.apps.userIdByOpenid(ctx.app.appid, openid.toUpperCase()) : undefined;
    const u = id !== undefined ? world.users.byId(id) : undefined;
    if (!u) throw badParam(`error fopenid param: no such openid ${openid}`);
    return u;
  }
  throw badParam('error name param: missing (give name or fopenid)');
}

const routes: ApiRoute[] = [
  {
    method: ['GET', 'POST'],
    url: '/user/get_user_info',
    cache: true,
    envelope: 'graph',
    auth: 'graph',
    api: 'get_user_info',
    pretty: true,
    handler: (ctx) => {
      const u = ctx.user;
      const { qz, qq } = avatars(ctx);
      // member order and types of a modern capture (reference §5.1): ret/msg come first from the envelope
      return {
        is_lost: 0,
        nickname: u.qz_nickname,
        gender: u.qz_gender || '男',
        gender_type: u.qz_gender === '女' ? 2 : 1,
        province: u.qz_province,
        city: u.qz_city,
        year: u.qz_year,
        constellation: u.qz_constellation,
        figureurl: qz(30),
        figureurl_1: qz(50),
        figureurl_2: qz(100),
        figureurl_qq_1: qq(40),
        figureurl_qq_2: qq(100),
        figureurl_qq: qq(640),
        figureurl_type: '1',
        is_yellow_vip: String(u.is_yellow_vip),
        vip: String(u.is_yellow_vip),
        yellow_vip_level: String(u.yellow_vip_level),
        level: String(u.yellow_vip_level),
        is_yellow_year_vip: String(u.is_yellow_year_vip),
      };
    },
  },
  {
    method: ['GET', 'POST'],
    url: '/user/get_vip_info',
    envelope: 'graph',
    auth: 'graph',
    api: 'get_vip_info',
    handler: ({ user: u }) => ({ is_qq_vip: u.is_qq_vip, qq_vip_level: u.qq_vip_level, is_qq_year_vip: u.is_qq_year_vip }),
  },
  {
    method: ['GET', 'POST'],
    url: '/user/get_vip_rich_info',
    envelope: 'graph',
    auth: 'graph',
    api: 'get_vip_rich_info',
    handler: ({ user: u }) => {
      const rich = JSON.parse(u.vip_rich) as Record<string, number>;
      // seed 004's member order
      const keys = [
        'qq_vip_start', 'qq_vip_end', 'qq_vip_payway', 'qq_year_vip_start', 'qq_year_vip_end', 'qq_year_vip_payway',
        'qq_zuanhuang_start', 'qq_zuanhuang_end', 'qq_zuanhuang_payway', 'qq_haohua_start', 'qq_haohua_end', 'qq_haohua_payway',
        'qq_svip_start', 'qq_svip_end', 'qq_svip_payway', 'history_pay_time', 'history_end_time',
      ];
      const out: Record<string, number> = { is_lost: 0, is_qq_vip: u.is_qq_vip, is_qq_year_vip: u.is_qq_year_vip, qq_vip_level: u.qq_vip_level };
      for (const k of keys) out[k] = rich[k] ?? 0;
      return out;
    },
  },
  {
    method: ['GET', 'POST'],
    url: '/user/get_info',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_info',
    handler: (ctx) => profileShape(ctx.user, shapeContext(ctx, true)),
  },
  {
    method: ['GET', 'POST'],
    url: '/user/get_other_info',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_other_info',
    params: [p.account('name', { required: false, description: 'account name of the user (wins over fopenid)' }), p.openid('fopenid', { description: 'openid of the user for this app (when name is not sent)' })],
    handler: (ctx) => profileShape(otherUser(ctx), shapeContext(ctx, true)),
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
