// open.t.qq.com friends/*: the caller's lists (T24–T27), follow / special / blacklist
// writes (T28–T33), relation check (T34), other users' lists (T35–T37) and the later simple
// lists fanslist_s / idollist_s (docs/endpoints.md L7–L8).
// Lists page by `startindex` (0, then startindex + reqnum) and `reqnum` 1..30, newest
// relation first; `hasnext` 0 = more to fetch, 1 = no more.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { ApiError, badParam } from '../../server/errors.js';
import type { UserRow } from '../../db/users.js';
import { headUrl } from '../pictures.js';
import { shapeContext, USER_LIST_ITEM, userListItems } from '../shapes.js';
import { array, bool, component, flag, int, map, NULL, object, str, type Schema } from '../../server/schemas.js';
import { blacklist, checkRelations, follow, unblacklist, unfollow, unsetSpecial, userNamed } from '../../db/social.js';

export const LIST_MAX_REQNUM = 30;

/** startindex / reqnum. Above 30 the real server answered ret 4 "server error" (reference §6.3). */
export function indexPaging(ctx: Ctx): { startindex: number; reqnum: number } {
  const reqnum = ctx.args.int('reqnum', { def: LIST_MAX_REQNUM });
  if (reqnum < 1) throw badParam(`error reqnum param: must be between 1 and ${LIST_MAX_REQNUM}`);
  if (reqnum > LIST_MAX_REQNUM) throw new ApiError(4, `server error: reqnum must be between 1 and ${LIST_MAX_REQNUM}`, 0);
  const startindex = ctx.args.int('startindex', { def: 0 });
  if (startindex < 0) throw badParam('error startindex param: must be 0 or more');
  return { startindex: Math.min(startindex, 2 ** 31 - 1), reqnum };
}

/** fanslist_s / idollist_s: reqnum 1..200 ("简单信息（200个）": the oauth_china-era Ruby gem, Tencent's JS SDK). */
export const SIMPLE_MAX_REQNUM = 200;

/** indexPaging's parameters: reqnum above 30 is ret 4 (not 1), so the handler checks them itself. */
const paging: p.Param[] = [
  p.described('reqnum', { type: 'integer', minimum: 1, maximum: LIST_MAX_REQNUM, default: LIST_MAX_REQNUM }, { description: `records per page, 1..${LIST_MAX_REQNUM}`, example: 10 }),
  p.described('startindex', { type: 'integer', minimum: 0, default: 0 }, { description: '0, then startindex + reqnum', example: 0 }),
];

type Kind = 'fans' | 'idols' | 'special' | 'black';

/** name, nick and head: the blacklist's items (and other/kownperson's). */
export const USER_BRIEF = component('UserBrief', object({ head: str('avatar URL without a size suffix; empty when none'), name: str(), nick: str() }, { description: 'a user named by name, nick and head only' }));
const USER_SIMPLE = component(
  'UserSimple',
  object({ fansnum: int(), head: str('avatar URL without a size suffix; empty when none'), idolnum: int(), isvip: int(), name: str(), nick: str(), openid: str('OAuth 2.0 callers'), sex: int('1 male, 2 female, 0 unknown') }, { optional: ['openid'], description: 'a user in fanslist_s / idollist_s' }),
);
const HASNEXT = flag('0 more to fetch, 1 no more');
const listData = (item: Schema) => object({ hasnext: HASNEXT, info: array(item), timestamp: int('server time') });
const listDataOf = (kind: Kind) => listData(kind === 'black' ? USER_BRIEF : USER_LIST_ITEM);

/**
 * The later simple lists: `startindex` / `reqnum` paging, each user with the fields the era's
 * clients read (name, nick, head, sex, isvip, fansnum, idolnum, and openid for OAuth 2.0 callers);
 * `install` and `mode` are accepted and change nothing (every user has "installed" the app).
 */
const simpleParams: p.Param[] = [
  p.int('reqnum', { min: 1, max: SIMPLE_MAX_REQNUM, def: SIMPLE_MAX_REQNUM, description: `records per page, 1..${SIMPLE_MAX_REQNUM}`, example: 100 }),
  p.int('startindex', { min: 0, def: 0, description: '0, then startindex + reqnum', example: 0 }),
  p.oneOf('install', [0, 1, 2], { def: 0, description: 'filter by app installed (accepted, changes nothing here)' }),
  p.oneOf('mode', [0, 1], { def: 0, description: '0 newest first (accepted, the order is always newest first)' }),
];

function simpleList(ctx: Ctx, kind: 'fans' | 'idols') {
  const reqnum = ctx.args.int('reqnum', { min: 1, max: SIMPLE_MAX_REQNUM, def: SIMPLE_MAX_REQNUM });
  const startindex = Math.min(ctx.args.int('startindex', { min: 0, def: 0 }), 2 ** 31 - 1);
  ctx.args.oneOf('install', [0, 1, 2], 0);
  ctx.args.oneOf('mode', [0, 1], 0);
  const w = ctx.world;
  const page = w.relations.list(kind, ctx.user.id, startindex, reqnum);
  const users = w.users.byIds(page.items);
  // two statements for the page, whatever reqnum (no tags or latest tweet, unlike the full lists)
  const counts = w.users.followCountsMany(page.items);
  const { appid } = shapeContext(ctx);
  const info = page.items.map((id) => {
    const u = users.get(id)!;
    const c = counts.get(id)!;
    const out: Record<string, unknown> = { fansnum: c.fansnum, head: headUrl(ctx.base, u.head), idolnum: c.idolnum, isvip: u.isvip, name: u.name, nick: u.nick, sex: u.sex };
    if (appid) out.openid = w.apps.openidFor(appid, id);
    return out;
  });
  return { hasnext: page.hasnext, info, timestamp: w.now() };
}

function listOf(ctx: Ctx, kind: Kind, owner: UserRow) {
  const { startindex, reqnum } = indexPaging(ctx);
  const page = ctx.world.relations.list(kind, owner.id, startindex, reqnum);
  const users = ctx.world.users.byIds(page.items);
  const sc = shapeContext(ctx);
  const rows = page.items.map((id) => users.get(id)!);
  // the blacklist answers only name, nick and head (seed 002)
  const info = kind === 'black' ? rows.map((u) => ({ head: headUrl(ctx.base, u.head), name: u.name, nick: u.nick })) : userListItems(rows, sc);
  return { hasnext: page.hasnext, info, timestamp: ctx.world.now() };
}

const ownList = (url: string, kind: Kind): ApiRoute => ({
  method: 'GET',
  url,
  envelope: 'weibo',
  auth: 'weibo',
  params: paging,
  data: listDataOf(kind),
  cache: true,
  handler: (ctx) => listOf(ctx, kind, ctx.user),
});

const userList = (url: string, kind: Kind): ApiRoute => ({
  method: 'GET',
  url,
  envelope: 'weibo',
  auth: 'weibo',
  params: [p.account('name', { description: 'whose list' }), ...paging],
  data: listDataOf(kind),
  cache: true,
  handler: (ctx) => listOf(ctx, kind, userNamed(ctx.world, ctx.args.required('name'))),
});

/** A write on the relation with the user named by `name`; answers data null. */
const write = (url: string, op: (ctx: Ctx, other: UserRow) => void): ApiRoute => ({
  method: 'POST',
  url,
  envelope: 'weibo',
  auth: 'weibo',
  params: [p.account('name', { description: 'the other user' })],
  data: NULL,
  handler: (ctx) => {
    op(ctx, userNamed(ctx.world, ctx.args.required('name')));
    return null;
  },
});

const routes: ApiRoute[] = [
  ownList('/api/friends/fanslist', 'fans'),
  ownList('/api/friends/idollist', 'idols'),
  ownList('/api/friends/blacklist', 'black'),
  ownList('/api/friends/speciallist', 'special'),
  write('/api/friends/add', (ctx, other) => follow(ctx.world, ctx.user, other)),
  write('/api/friends/del', (ctx, other) => unfollow(ctx.world, ctx.user, other)),
  write('/api/friends/addspecial', (ctx, other) => follow(ctx.world, ctx.user, other, true)),
  write('/api/friends/delspecial', (ctx, other) => unsetSpecial(ctx.world, ctx.user, other)),
  write('/api/friends/addblacklist', (ctx, other) => blacklist(ctx.world, ctx.user, other)),
  write('/api/friends/delblacklist', (ctx, other) => unblacklist(ctx.world, ctx.user, other)),
  {
    method: 'GET',
    url: '/api/friends/check',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.list('names', 30, { description: 'account names', item: '[A-Za-z0-9_.-]{1,64}', example: (e) => e.name }), p.oneOf('flag', [0, 1, 2], { def: 0, description: '0 are they my fans, 1 are they my idols, 2 both', example: 2 })],
    data: map({ anyOf: [bool(), object({ isfans: bool(), isidol: bool() })] }, 'account name → is a fan (flag 0), is an idol (flag 1) or {isfans, isidol} (flag 2)'),
    handler: (ctx) => {
      const names = ctx.args.list('names', 30);
      const flag = ctx.args.oneOf('flag', [0, 1, 2], 0);
      return checkRelations(ctx.world, ctx.user, names, flag);
    },
  },
  userList('/api/friends/user_fanslist', 'fans'),
  userList('/api/friends/user_idollist', 'idols'),
  userList('/api/friends/user_speciallist', 'special'),
  { method: 'GET', url: '/api/friends/fanslist_s', envelope: 'weibo', auth: 'weibo', params: simpleParams, data: listData(USER_SIMPLE), handler: (ctx) => simpleList(ctx, 'fans') },
  { method: 'GET', url: '/api/friends/idollist_s', envelope: 'weibo', auth: 'weibo', params: simpleParams, data: listData(USER_SIMPLE), handler: (ctx) => simpleList(ctx, 'idols') },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
