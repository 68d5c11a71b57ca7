// graph.qq.com relation/*: get_fanslist (G17), get_idollist (G18), add_idol (G19) and
// del_idol (G20). Lists page by `index` (startindex / reqnum 1..30, hasnext 0 more / 1 none);
// users are named by account name or by their openid within the calling app.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { badParam, writeRefused } from '../../server/errors.js';
import type { UserRow } from '../../db/users.js';
import { graphRelationPage } from '../../db/graph_relations.js';
import { shapeContext, USER_LIST_ITEM_PROPERTIES, userListItems } from '../shapes.js';
import { array, component, flag, int, NULL, object } from '../../server/schemas.js';

/** graph.qq.com's list item: userListItems' with openid always, and `vip` beside isvip. */
const GRAPH_USER = component('GraphUserListItem', object({ ...USER_LIST_ITEM_PROPERTIES, vip: int('the same as isvip (what the Java SDK reads)') }, { description: 'a user in relation/get_fanslist and get_idollist' }));
const LIST = object({ timestamp: int('server time'), hasnext: flag('0 more to fetch, 1 no more'), curnum: int('users on this page'), nextstartpos: int('startindex of the next page'), info: array(GRAPH_USER) });

const MAX_TARGETS = 30;

/** listArgs' parameters, checked in its order. */
const listParams = (withSex: boolean): p.Param[] => [
  p.int('reqnum', { min: 1, max: 30, def: 30, description: 'records per page', example: 10 }),
  p.int('startindex', { min: 0, max: 2147483647, def: 0, description: '0, then startindex + reqnum', example: 0 }),
  p.oneOf('mode', [0, 1], { def: 0, description: '0 old mode (newest first, up to 1000), 1 new mode (up to 10000, unsorted)' }),
  p.oneOf('install', [0, 1, 2], { def: 0, description: '0 ignore, 1 only users who installed the app, 2 only those who did not' }),
  ...(withSex ? [p.oneOf('sex', [0, 1, 2], { def: 0, description: '0 everyone, 1 men, 2 women' })] : []),
];

function listArgs(ctx: Ctx, withSex: boolean) {
  const { args } = ctx;
  return {
    reqnum: args.int('reqnum', { min: 1, max: 30, def: 30 }),
    startindex: args.int('startindex', { min: 0, max: 2147483647, def: 0 }),
    mode: args.oneOf('mode', [0, 1] as const, 0),
    install: args.oneOf('install', [0, 1, 2] as const, 0),
    sex: withSex ? args.oneOf('sex', [0, 1, 2] as const, 0) : (0 as const),
    appid: ctx.app.appid,
  };
}

function list(ctx: Ctx, kind: 'fans' | 'idols') {
  const o = listArgs(ctx, kind === 'fans');
  const page = graphRelationPage(ctx.world, kind, ctx.user.id, o);
  const users = ctx.world.users.byIds(page.items);
  const c = shapeContext(ctx, true);
  const info = userListItems(page.items.map((id) => users.get(id)!), c).map((item) => {
    // the Java SDK reads `vip` where the wiki says `isvip` (reference §5.3): both are sent
    item.vip = item.isvip;
    return item;
  });
  return {
    timestamp: ctx.world.now(),
    hasnext: page.hasnext,
    curnum: info.length,
    nextstartpos: o.startindex + info.length,
    info,
  };
}

/** A user by account name, else a parameter error naming `param`. */
function byName(ctx: Ctx, param: string, name: string): UserRow {
  const u = ctx.world.users.byName(name);
  if (!u) throw badParam(`error ${param} param: no such user ${name}`);
  return u;
}

/** A user by openid of the calling app, else a parameter error naming `param`. */
function byOpenid(ctx: Ctx, param: string, openid: string): UserRow {
  const id = /^[0-9A-Fa-f]{32}$/.test(openid) ? ctx.world.apps.userIdByOpenid(ctx.app.appid, openid.toUpperCase()) : undefined;
  const u = id !== undefined ? ctx.world.users.byId(id) : undefined;
  if (!u) throw badParam(`error ${param} param: no such openid ${openid}`);
  return u;
}

/** add_idol's targets: `name` (comma list) wins over `fopenids` (`_`-separated); ≤ 30 either way. */
function addTargets(ctx: Ctx): { param: string; users: UserRow[] } {
  const { args } = ctx;
  if (args.has('name')) return { param: 'name', users: args.list('name', MAX_TARGETS, ',').map((n) => byName(ctx, 'name', n)) };
  if (args.has('fopenids')) return { param: 'fopenids', users: args.list('fopenids', MAX_TARGETS, '_').map((o) => byOpenid(ctx, 'fopenids', o)) };
  throw badParam('error name param: missing (give name or fopenids)');
}

/** del_idol's target: `name` wins over `fopenid` (one user; `fopenids` is taken as an alias). */
function delTarget(ctx: Ctx): UserRow {
  const { args } = ctx;
  if (args.has('name')) return byName(ctx, 'name', args.required('name').trim());
  for (const param of ['fopenid', 'fopenids']) {
    if (args.has(param)) {
      const ids = args.list(param, 1, '_');
      return byOpenid(ctx, param, ids[0]);
    }
  }
  throw badParam('error name param: missing (give name or fopenid)');
}

const routes: ApiRoute[] = [
  {
    method: ['GET', 'POST'],
    url: '/relation/get_fanslist',
    cache: true,
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_fanslist',
    data: LIST,
    params: listParams(true),
    handler: (ctx) => list(ctx, 'fans'),
  },
  {
    method: ['GET', 'POST'],
    url: '/relation/get_idollist',
    cache: true,
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'get_idollist',
    data: LIST,
    params: listParams(false),
    handler: (ctx) => list(ctx, 'idols'),
  },
  {
    method: 'POST',
    url: '/relation/add_idol',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'add_idol',
    data: NULL,
    params: [p.described('name', { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}(?:,[A-Za-z0-9_.-]{1,64}){0,29}$' }, { description: 'account names, comma-separated, up to 30 (wins over fopenids)', example: (e) => e.name }), p.described('fopenids', { type: 'string', pattern: '^[0-9A-F]{32}(?:_[0-9A-F]{32}){0,29}$' }, { description: 'openids for this app, _-separated, up to 30' })],
    handler: (ctx) => {
      const { param, users } = addTargets(ctx);
      const me = ctx.user.id;
      const rel = ctx.world.relations;
      // every target is checked before anything is written: the request follows all or none
      for (const u of users) {
        if (u.id === me) throw badParam(`error ${param} param: you cannot follow yourself`);
        if (rel.isBlack(u.id, me)) throw writeRefused(5, `access forbidden: ${u.name} has blacklisted you`);
        if (rel.isBlack(me, u.id)) throw writeRefused(5, `access forbidden: ${u.name} is on your blacklist; remove them from it first`);
      }
      ctx.world.tx(() => {
        for (const u of users) rel.follow(me, u.id);
      });
      return null;
    },
  },
  {
    method: 'POST',
    url: '/relation/del_idol',
    envelope: 'graph-weibo',
    auth: 'graph',
    api: 'del_idol',
    data: NULL,
    params: [p.account('name', { required: false, description: 'account name (wins over fopenid)' }), p.openid('fopenid', { description: 'openid for this app (when name is not sent)' })],
    handler: (ctx) => {
      const u = delTarget(ctx);
      ctx.world.tx(() => ctx.world.relations.unfollow(ctx.user.id, u.id));
      return null;
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
