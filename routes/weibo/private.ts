// open.t.qq.com private/*: add (T38), del (T39), recv (T40, inbox), send (T41, outbox).
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import type { Args } from '../../server/args.js';
import type { UserRow } from '../../db/users.js';
import { deletePrivate, privatePage, privateTotal, sendPrivate, type Box, type PrivateRow } from '../../db/private.js';
import { headUrl } from '../pictures.js';
import { TWEET_PROPERTIES, tweetHtml, USER_MAP } from '../shapes.js';
import { array, component, digits, int, intOf, NULL, object, omit, str, type Schema } from '../../server/schemas.js';


/** A private message as a tweet-like item (type 3), authored by its sender. */
export function privateShape(m: PrivateRow, users: Map<number, UserRow>, base: string, viewerId: number, withRecipient: boolean): Record<string, unknown> {
  const from = users.get(m.from_id)!;
  const out: Record<string, unknown> = {
    city_code: from.city_code,
    count: 0,
    country_code: from.country_code,
    emotiontype: 0,
    emotionurl: '',
    from: '腾讯微博',
    fromurl: '',
    geo: '',
    head: headUrl(base, from.head),
    id: String(m.id),
    image: null,
    isrealname: from.isrealname,
    isvip: from.isvip,
    jing: m.jing,
    latitude: m.wei,
    location: from.location,
    longitude: m.jing,
    mcount: 0,
    music: null,
    name: from.name,
    nick: from.nick,
    origtext: m.origtext,
    province_code: from.province_code,
    self: m.from_id === viewerId ? 1 : 0,
    source: null,
    status: 0,
    text: tweetHtml(m.origtext),
    timestamp: m.timestamp,
    type: 3,
    video: null,
    wei: m.wei,
  };
  if (withRecipient) {
    const to = users.get(m.to_id)!;
    Object.assign(out, { tohead: headUrl(base, to.head), toisvip: to.isvip, toname: to.name, tonick: to.nick });
  }
  return out;
}

/** privateShape's members: a tweet's, with nothing of a tweet's own (pictures, source, counts). */
const PRIVATE_PROPERTIES: Record<string, Schema> = {
  ...omit(TWEET_PROPERTIES, ['openid']),
  count: intOf([0]),
  image: NULL,
  mcount: intOf([0]),
  source: NULL,
  status: intOf([0]),
  type: intOf([3], 'a private message'),
};
const PRIVATE = component('PrivateMessage', object(PRIVATE_PROPERTIES, { description: 'a received private message (private/recv): a tweet-like item authored by its sender' }));
const SENT_PRIVATE = component(
  'SentPrivateMessage',
  object({ ...PRIVATE_PROPERTIES, tohead: str('the recipient\'s avatar URL'), toisvip: int(), toname: str(), tonick: str() }, { description: 'a sent private message (private/send): with its recipient' }),
);
const boxData = (item: Schema) => object({ hasnext: intOf([0, 1], '0 more to fetch, 1 no more'), info: array(item), timestamp: int('server time'), totalnum: int(), user: USER_MAP });

function boxPage(ctx: Ctx, box: Box) {
  const c = ctx.args.timeCursor();
  const w = ctx.world;
  const page = privatePage(w, box, ctx.user.id, c);
  const users = w.users.byIds(page.rows.flatMap((m) => [m.from_id, m.to_id]));
  const user: Record<string, string> = {};
  for (const m of page.rows) {
    const from = users.get(m.from_id)!;
    user[from.name] = from.nick;
    if (box === 'send') {
      const to = users.get(m.to_id)!;
      user[to.name] = to.nick;
    }
  }
  return {
    hasnext: page.hasnext,
    info: page.rows.map((m) => privateShape(m, users, ctx.base, ctx.user.id, box === 'send')),
    timestamp: w.now(),
    totalnum: privateTotal(w, box, ctx.user.id),
    user,
  };
}

const routes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/private/add',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.account('name', { description: 'the recipient' }), p.described('content', { type: 'string', pattern: '\\S' }, { required: true, description: 'the message', example: '你好' }), { ...p.clientip(), check: undefined }, p.coordinate('jing', 180), p.coordinate('wei', 90)],
    data: object({ id: digits('the new message'), timestamp: int() }),
    handler: (ctx) => {
      const a = ctx.args;
      const name = a.required('name').trim();
      const content = a.str('content') ?? '';
      if (content.trim() === '') throw badParam('error content param: missing');
      const m = sendPrivate(ctx.world, {
        fromId: ctx.user.id,
        toName: name,
        content,
        clientIp: (a.str('clientip') ?? '').trim() || ctx.req.ip,
        jing: a.coordinate(['jing'], 180),
        wei: a.coordinate(['wei'], 90),
      });
      return { id: String(m.id), timestamp: m.timestamp };
    },
  },
  {
    method: 'POST',
    url: '/api/private/del',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.id('id', { description: 'a message you sent or received', example: (e) => e.privateId })],
    data: object({ id: digits() }),
    handler: (ctx) => {
      const id = ctx.args.id('id')!;
      const m = deletePrivate(ctx.world, ctx.user.id, id);
      return { id: String(m.id) };
    },
  },
  { method: 'GET', url: '/api/private/recv', envelope: 'weibo', auth: 'weibo', data: boxData(PRIVATE), handler: (ctx) => boxPage(ctx, 'recv') },
  { method: 'GET', url: '/api/private/send', envelope: 'weibo', auth: 'weibo', data: boxData(SENT_PRIVATE), handler: (ctx) => boxPage(ctx, 'send') },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
