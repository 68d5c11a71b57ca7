// The store is its own layer: db/* imports nothing of server/ or routes/ (its refusals are
// db/errors.ts, mapped to the wire by server/errors.ts apiErrorOf), and those refusals reach
// clients as open.t.qq.com's ret/errcode.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, signed, weiboCreds } from '../helpers.js';
import { apiErrorOf, ApiError } from '../../server/errors.js';
import { badParam, notFound, writeRefused } from '../../db/errors.js';

const root = join(import.meta.dirname, '..', '..');

t.test('db/* imports nothing from server/ or routes/', async (t) => {
  const files = readdirSync(join(root, 'db')).filter((f) => f.endsWith('.ts'));
  t.ok(files.length > 10);
  const offenders = files.filter((f) => /from\s+'\.\.\/(server|routes)\//.test(readFileSync(join(root, 'db', f), 'utf8')));
  t.same(offenders, []);
});

t.test('store refusals map to the wire', async (t) => {
  t.match(apiErrorOf(badParam('error content param')), { ret: 1, errcode: 1, message: 'error content param' });
  t.match(apiErrorOf(writeRefused(10, 'posting too fast')), { ret: 4, errcode: 10 });
  t.match(apiErrorOf(notFound('record does not exist')), { ret: 4, errcode: 6 });
  const api = new ApiError(3, 'x', 9);
  t.equal(apiErrorOf(api), api);
  t.equal(apiErrorOf(new Error('boom')), undefined);
  // through HTTP: a store refusal (unfollow of a user that does not exist: db/social.ts)
  const app = await build();
  t.teardown(() => app.close());
  const c = weiboCreds(app, 'alice');
  const r = (await signed(app, c, { method: 'POST', path: '/api/friends/add', params: { format: 'json', name: 'nobody_here' } })).json();
  t.match(r, { ret: 1, errcode: 1 });
  t.match(r.msg, /does not exist/);
  const fav = (await signed(app, c, { method: 'POST', path: '/api/fav/delt', params: { format: 'json', id: '1' } })).json();
  t.match(fav, { ret: 4, errcode: 6 }, 'record not found: ret 4 errcode 6');
});
