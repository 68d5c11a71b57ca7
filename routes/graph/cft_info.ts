// graph.qq.com cft_info/get_tenpay_addr (G21): the user's Tenpay delivery addresses as one
// flat object with `_<n>`-suffixed members (reference §5.4; the Java SDK reads
// FRegionId_<i> … Findex_<i> for i < ret_num).
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute } from '../../server/api.js';
import { tenpayAddresses } from '../../db/qzone.js';
import { int, str } from '../../server/schemas.js';

const routes: ApiRoute[] = [
  {
    method: ['GET', 'POST'],
    url: '/cft_info/get_tenpay_addr',
    envelope: 'graph',
    auth: 'graph',
    api: 'get_tenpay_addr',
    // OpenAPI 3.0 has no patternProperties: the numbered members are the open rest
    data: {
      type: 'object',
      properties: { msg: str('ok'), ret_num: int('addresses answered') },
      required: ['msg', 'ret_num'],
      additionalProperties: { anyOf: [str(), int()] },
      description:
        'per address i < ret_num: FRegionId_i, Fname_i, Ftel_i, Fzipcode_i, Fmobile_i, Faddrstreet_i, Flastuse_time_i, Fmod_time_i, Fcreate_time_i (strings), FUsedCount_i and Findex_i (integers)',
    },
    params: [p.oneOf('ver', ['1'], { def: '1' }), p.int('offset', { min: 0, max: 10000, def: 0, example: 0 }), p.int('limit', { min: 1, max: 50, def: 5, example: 5 })],
    handler: ({ args, world, user }) => {
      args.oneOf('ver', ['1'], '1');
      const offset = args.int('offset', { min: 0, max: 10000, def: 0 });
      const limit = args.int('limit', { min: 1, max: 50, def: 5 });
      const rows = tenpayAddresses(world, user.id, offset, limit);
      // the wiki example answers msg "ok" on success
      const out: Record<string, string | number> = { msg: 'ok', ret_num: rows.length };
      rows.forEach((r, i) => {
        out[`FRegionId_${i}`] = String(r.region_id);
        out[`FUsedCount_${i}`] = r.used_count;
        out[`Fname_${i}`] = r.name;
        out[`Ftel_${i}`] = r.tel;
        out[`Fzipcode_${i}`] = r.zipcode;
        out[`Fmobile_${i}`] = r.mobile;
        out[`Faddrstreet_${i}`] = r.street;
        out[`Flastuse_time_${i}`] = r.lastuse_time;
        out[`Fmod_time_${i}`] = r.mod_time;
        out[`Fcreate_time_${i}`] = r.create_time;
        out[`Findex_${i}`] = r.idx;
      });
      return out;
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
