// open.t.qq.com user/*: info (T20), update (T21), update_head (T22), other_info (T23), and the
// later infos (docs/endpoints.md L6).
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import { PROFILE, PROFILE_PROPERTIES, profileShape, shapeContext } from '../shapes.js';
import { array, component, NULL, object, omit } from '../../server/schemas.js';
import { setHead, updateProfile, userNamed, type ProfileUpdate } from '../../db/social.js';

/** user/infos: at most this many names (as friends/check; no source gives the real bound). */
export const USER_INFOS_MAX = 30;

const RELATION_FLAGS = ['ismyblack', 'ismyfans', 'ismyidol'] as const;
const OWN_PROFILE = component('OwnProfile', object(omit(PROFILE_PROPERTIES, RELATION_FLAGS), { optional: ['openid'], description: 'the caller\'s own profile: a profile without the relationship flags (user/info)' }));
const OTHER_PROFILE = component(
  'OtherProfile',
  object(
    { ...PROFILE_PROPERTIES, Ismyblack: PROFILE_PROPERTIES.ismyblack, Ismyfans: PROFILE_PROPERTIES.ismyfans, Ismyidol: PROFILE_PROPERTIES.ismyidol },
    { optional: ['openid'], description: 'another user\'s profile with the relationship flags in both spellings (user/other_info)' },
  ),
);

const UPDATE_PARAMS = ['nick', 'sex', 'year', 'month', 'day', 'countrycode', 'provincecode', 'citycode', 'introduction'] as const;

const routes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/user/info',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    // the caller's own profile carries no relationship flags: the 2010 document lists none, and
    // a 2011 SDK takes their absence to mean "my own profile"
    data: OWN_PROFILE,
    handler: (ctx) => {
      const { ismyidol: _idol, ismyfans: _fans, ismyblack: _black, ...own } = profileShape(ctx.user, shapeContext(ctx));
      return own;
    },
  },
  {
    // Every parameter is optional: the ones sent change, the others stay. `introduction`
    // may be sent empty to clear it; the other fields ignore empty values.
    method: 'POST',
    url: '/api/user/update',
    envelope: 'weibo',
    auth: 'weibo',
    data: NULL,
    params: [p.text('nick', { description: 'nickname', example: '爱丽丝' }), p.oneOf('sex', [0, 1, 2], { description: '1 male, 2 female, 0 unknown', example: 2 }), p.int('year', { min: 1900, max: 2010, example: 1990 }), p.int('month', { min: 1, max: 12, example: 5 }), p.int('day', { min: 1, max: 31, example: 20 }), ...['countrycode', 'provincecode', 'citycode'].map((n) => p.text(n, { description: 'region code', example: n === 'countrycode' ? '1' : '44' })), p.text('introduction', { description: 'self-introduction; empty clears it', example: 'hello' })],
    handler: (ctx) => {
      const a = ctx.args;
      if (!UPDATE_PARAMS.some((p) => a.str(p) !== undefined)) throw badParam(`error param: send at least one of ${UPDATE_PARAMS.join(', ')}`);
      const p: ProfileUpdate = {};
      if (a.str('nick') !== undefined) p.nick = a.str('nick');
      if (a.has('sex')) p.sex = a.oneOf('sex', [0, 1, 2]);
      if (a.has('year')) p.year = a.int('year', { min: 1900, max: 2010 });
      if (a.has('month')) p.month = a.int('month', { min: 1, max: 12 });
      if (a.has('day')) p.day = a.int('day', { min: 1, max: 31 });
      for (const k of ['countrycode', 'provincecode', 'citycode'] as const) if (a.has(k)) p[k] = a.str(k)!.trim();
      if (a.str('introduction') !== undefined) p.introduction = a.str('introduction');
      updateProfile(ctx.world, ctx.user, p);
      return null;
    },
  },
  {
    // multipart; the `pic` file part is not signed (checked by the OAuth layer)
    method: 'POST',
    url: '/api/user/update_head',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.file('pic')],
    data: NULL,
    handler: (ctx) => {
      const pic = ctx.args.upload('pic');
      if (!pic) throw badParam('error pic param: missing (send the picture as the multipart file field pic)');
      setHead(ctx.world, ctx.user, pic.bytes);
      return null;
    },
  },
  {
    // The 2011 wire capitalised the relationship flags (Ismyblack, Ismyfans, Ismyidol);
    // later answers used lower case. Both spellings are sent so either kind of client works.
    method: 'GET',
    url: '/api/user/other_info',
    cache: true,
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.account('name')],
    data: OTHER_PROFILE,
    handler: (ctx) => {
      const other = userNamed(ctx.world, ctx.args.required('name'));
      const p = profileShape(other, shapeContext(ctx));
      return { ...p, Ismyblack: p.ismyblack, Ismyfans: p.ismyfans, Ismyidol: p.ismyidol };
    },
  },
  {
    // the later "多用户信息" (Tencent's JS SDK QQWB: POST, names): user/other_info's profile for each
    // account, in the order asked; an unknown account is ret 1 naming it, as other_info does
    method: ['GET', 'POST'],
    url: '/api/user/infos',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.list('names', USER_INFOS_MAX, { description: 'account names', example: (e) => e.name })],
    data: object({ info: array(PROFILE, 'in the order asked') }),
    handler: (ctx) => {
      const sc = shapeContext(ctx);
      const names = [...new Set(ctx.args.list('names', USER_INFOS_MAX))];
      return { info: names.map((n) => profileShape(userNamed(ctx.world, n), sc)) };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
