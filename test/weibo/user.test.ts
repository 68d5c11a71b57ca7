import t from 'tap';
import { build, weiboCreds, signed, parseXml } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const alice = weiboCreds(app, 'alice');

t.test('user/info answers the caller profile, signed in query, body and header', async (t) => {
  for (const via of ['query', 'header'] as const) {
    const res = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' }, via });
    const body = res.json();
    t.equal(body.ret, 0, via);
    t.equal(body.data.name, 'alice');
    t.same(Object.keys(body), ['data', 'errcode', 'msg', 'ret'], 'keys sorted');
    t.type(body.data.fansnum, 'number');
  }
});

t.test('user/info XML', async (t) => {
  const res = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'xml' } });
  const x = parseXml(res.body) as { root: { ret: string; data: { name: string } } };
  t.equal(x.root.ret, '0');
  t.equal(x.root.data.name, 'alice');
});

t.test('bad signature is ret 3 errcode 9', async (t) => {
  const res = await signed(app, alice, { method: 'GET', path: '/api/user/info', signWithSecret: 'wrong' });
  t.match(res.json(), { ret: 3, errcode: 9, data: null });
});
