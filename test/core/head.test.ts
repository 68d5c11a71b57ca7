// HEAD on every GET route: the GET route itself answers it (server/app.ts's onRoute hook, with
// fastify's twin HEAD routes turned off), with the GET answer's status and headers and no body.
import t from 'tap';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { build, graphCreds, oauthParams, qs, sign, signed, weiboCreds } from '../helpers.js';

const kept = (r: LightMyRequestResponse) => ({ status: r.statusCode, type: r.headers['content-type'], length: r.headers['content-length'] });

t.test('every path that answers GET answers HEAD', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const get = app.printRoutes({ method: 'GET' });
  t.ok(get.split('\n').length > 50, 'the GET tree lists the routes');
  // each tree names its own method on every route
  t.equal(app.printRoutes({ method: 'HEAD' }).replaceAll('(HEAD)', '(GET)'), get, 'the HEAD tree is the GET tree');
});

t.test('HEAD answers as GET does, without the body', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const same = async (url: string, headers: Record<string, string> = {}) => {
    const g = await app.inject({ method: 'GET', url, headers });
    const h = await app.inject({ method: 'HEAD', url, headers });
    t.ok(Number(g.headers['content-length']) > 0, `GET ${url}: a body`);
    t.same(kept(h), kept(g), `HEAD ${url}: GET's status, type and length`);
    t.equal(h.body, '', `HEAD ${url}: no body`);
    return g;
  };
  await same('/_emulator/health');
  await same('/_emulator/');
  await same('/_emulator/openapi.json');
  await same('/_emulator/docs');
  await same('/_emulator/console');
  const g = graphCreds(app);
  const info = await same(`/user/get_user_info?${qs(g)}`, { host: 'graph.qq.com' });
  t.equal(info.json().ret, 0, 'graph: an answer, not a refusal');
  // a refusal is kept too: no token
  const refused = await same('/user/get_user_info?oauth_consumer_key=1', { host: 'graph.qq.com' });
  t.not(refused.json().ret, 0, 'graph: refused without a token');
  t.equal((await app.inject({ method: 'HEAD', url: '/no/such/api', headers: { host: 'graph.qq.com' } })).body, '', 'an unknown path: no body either');
});

t.test('a signed HEAD is verified over the method HEAD', async (t) => {
  const app: FastifyInstance = await build();
  t.teardown(() => app.close());
  const alice = weiboCreds(app, 'alice');
  for (const format of ['json', 'xml']) {
    const g = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format } });
    const h = await signed(app, alice, { method: 'HEAD', path: '/api/user/info', params: { format } });
    t.equal(h.statusCode, 200, `${format}: 200`);
    t.equal(h.headers['content-type'], g.headers['content-type'], `${format}: GET's type`);
    t.ok(Number(h.headers['content-length']) > 200, `${format}: the length of a whole answer`);
    t.equal(h.body, '', `${format}: no body`);
  }
  // the signature base string starts with the method sent: a HEAD signed as a GET is refused
  const asSigned = async (signedAs: string) => {
    const o = oauthParams({ consumerKey: alice.consumerKey, token: alice.token }, {}, app.world.clock.now());
    const all = { format: 'json', ...o };
    const oauth_signature = sign(signedAs, 'http://open.t.qq.com/api/user/info', all, alice.consumerSecret, alice.secret);
    const r = await app.inject({ method: 'HEAD', url: `/api/user/info?${qs({ ...all, oauth_signature })}`, headers: { host: 'open.t.qq.com' } });
    return Number(r.headers['content-length']);
  };
  const refusal = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' }, signWithSecret: 'wrong' });
  t.equal(refusal.json().ret, 3, 'a bad signature is ret 3');
  t.equal(await asSigned('GET'), Number(refusal.headers['content-length']), 'signed as GET, sent as HEAD: the refusal');
  t.ok((await asSigned('HEAD')) > 200, 'signed as HEAD: the answer');
});
