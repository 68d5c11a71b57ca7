// graph.qq.com user/*: get_user_info (G4), get_vip_info (G5), get_vip_rich_info (G6);
// the Weibo profile wrappers get_info (G11) and get_other_info (G16).
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import type { UserRow } from '../../db/users.js';
import { PROFILE, profileShape, shapeContext } from '../shapes.js';
import { int, intOf, object, str } from '../../server/schemas.js';

/** '0' / '1' and level digits: get_user_info sends its numbers as strings (reference §5.1). */
const numeric = (description?: string) => ({ ...str(description), pattern: '^[0-9]+$' });

const USER_INFO = object({
  is_lost: intOf([0]),
  nickname: str('the QQ-space nickname'),
  gender: str('男 or 女'),
  gender_type: intOf([1, 2], '1 男, 2 女'),
  province: str(),
  city: str(),
  year: str('birth year, as text'),
  constellation: str(),
  figureurl: str('QZone avatar 30×30'),
  figureurl_1: str('50×50'),
  figureurl_2: str('100×100'),
  figureurl_qq_1: str('QQ avatar 40×40'),
  figureurl_qq_2: str('100×100'),
  figureurl_qq: str('640×640'),
  figureurl_type: numeric(),
  is_yellow_vip: numeric(),
  vip: numeric('the same as is_yellow_vip'),
  yellow_vip_level: numeric(),
  level: numeric('the same as yellow_vip_level'),
  is_yellow_year_vip: numeric(),
});

const RICH_KEYS = [
  'qq_vip_start', 'qq_vip_end', 'qq_vip_payway', 'qq_year_vip_start', 'qq_year_vip_end', 'qq_year_vip_payway',
  'qq_zuanhuang_start', 'qq_zuanhuang_end', 'qq_zuanhuang_payway', 'qq_haohua_start', 'qq_haohua_end', 'qq_haohua_payway',
  'qq_svip_start', 'qq_svip_end', 'qq_svip_payway', 'history_pay_time', 'history_end_time',
] as const;
const VIP = { is_qq_vip: int(), qq_vip_level: int(), is_qq_year_vip: int() };
const VIP_RICH = object({ is_lost: intOf([0]), ...VIP, ...Object.fromEntries(RICH_KEYS.map((k) => [k, int()])) });

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
    data: USER_INFO,
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
    data: object(VIP),
    handler: ({ user: u }) => ({ is_qq_vip: u.is_qq_vip, qq_vip_level: u.qq_vip_level, is_qq_year_vip: u.is_qq_year_vip }),
  },
  {
    method: ['GET', 'POST'],
    url: '/user/get_vip_rich_info',
    envelope: 'graph',
    auth: 'graph',
    api: 'get_vip_rich_info',
    data: VIP_RICH,
    handler: ({ user: u }) => {
      const rich = JSON.parse(u.vip_rich) as Record<string, number>;
      // seed 004's member order
      const keys = RICH_KEYS;
      const out: Record<string, number> = { is_lost: 0, is_qq_vip: u.is_qq_vip, is_qq_year_vip: u.is_qq_year_vip, qq_vip_level: u.qq_vip_level };
      for (const k of keys) out[k] = rich[k] ?? 0;
      return out;
    },
  },
  {
    method: ['GET', 'POST'],
    url: '/user/get_info',
    cache: true,
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_info',
    data: PROFILE,
    handler: (ctx) => profileShape(ctx.user, shapeContext(ctx, true)),
  },
  {
    method: ['GET', 'POST'],
    url: '/user/get_other_info',
    cache: true,
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_other_info',
    data: PROFILE,
    params: [p.account('name', { required: false, description: 'account name of the user (wins over fopenid)' }), p.openid('fopenid', { description: 'openid of the user for this app (when name is not sent)' })],
    handler: (ctx) => profileShape(otherUser(ctx), shapeContext(ctx, true)),
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
