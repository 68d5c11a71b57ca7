// open.t.qq.com other/kownperson (T57, the path is spelled that way): people the caller
// may know. The seed's field description and the XML-parsing C# SDK read
// data {timestamp, hasnext, info:[{name, nick, head}]} (its example drew a bare array).
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import { registerAll, type ApiRoute } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import { headUrl } from '../pictures.js';
import { knownPeople } from '../../db/social.js';
import { USER_BRIEF } from './friends.js';
import { array, flag, int, object } from '../../server/schemas.js';

export const KNOWN_PEOPLE_MAX = 30;

const routes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/other/kownperson',
    envelope: 'weibo',
    auth: 'weibo',
    data: object({ hasnext: flag('0 more, 1 no more'), info: array(USER_BRIEF), timestamp: int('server time') }),
    params: [p.narrow(p.text('ip', { required: true, description: 'the user\'s IPv4 address (IPv6 accepted too)', example: '183.60.1.1' }), { pattern: p.IPV4 }), ...['country_code', 'province_code', 'city_code'].map((n) => p.described(n, { type: 'string', pattern: '^[0-9]{1,10}$' }, { description: 'region code', example: n === 'country_code' ? '1' : '44' }))],
    handler: (ctx) => {
      const a = ctx.args;
      const ip = a.required('ip').trim();
      if (isIP(ip) === 0) throw badParam('error ip param: not an IP address');
      const code = (name: string): string | undefined => {
        if (!a.has(name)) return undefined;
        const v = a.str(name)!.trim();
        if (!/^\d{1,10}$/.test(v)) throw badParam(`error ${name} param: not a region code`);
        return v;
      };
      const { people, more } = knownPeople(
        ctx.world,
        ctx.user,
        { ip, country_code: code('country_code'), province_code: code('province_code'), city_code: code('city_code') },
        KNOWN_PEOPLE_MAX,
      );
      return {
        hasnext: more ? 0 : 1,
        info: people.map(({ user: u }) => ({ head: headUrl(ctx.base, u.head), name: u.name, nick: u.nick })),
        timestamp: ctx.world.now(),
      };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
