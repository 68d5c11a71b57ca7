// GET/POST /_emulator/rules: a world's write rules changed through HTTP apply to that world only.
import t from 'tap';
import { build, signed } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const tokenIn = async (world?: string) => {
  const w = world ? (await app.inject({ method: 'GET', url: '/_emulator/worlds' })).json().worlds.find((x: { id: string }) => x.id === world) : undefined;
  const c = (await post('/_emulator/tokens/weibo', { user: 'alice', ...(w ? { world, appid: w.weibo.consumer_key } : {}) })).json();
  return { token: c.oauth_token, secret: c.oauth_token_secret, consumerKey: c.oauth_consumer_key, consumerSecret: c.oauth_consumer_secret };
};
const tweet = (c: Awaited<ReturnType<typeof tokenIn>>, content: string) =>
  signed(app, c, { method: 'POST', path: '/api/t/add', params: { format: 'json', content, clientip: '127.0.0.1' } }).then((r) => r.json());

t.test('rules per world: changed in W, applied in W, default world untouched', async (t) => {
  const w = (await app.inject({ method: 'POST', url: '/_emulator/worlds' })).json();
  const inW = await tokenIn(w.id);
  const inDefault = await tokenIn();
  const r = await post('/_emulator/rules', { world: w.id, dirtyWords: ['verboten'], maxContentBytes: 20, duplicateWindowSeconds: 0 });
  t.equal(r.statusCode, 200);
  t.same(r.json().dirtyWords, ['verboten']);
  t.equal((await app.inject({ method: 'GET', url: `/_emulator/rules?world=${w.id}` })).json().maxContentBytes, 20);
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/rules' })).json().maxContentBytes, 420, 'default world keeps its rules');
  t.match(await tweet(inW, 'ein verboten wort'), { ret: 4, errcode: 4 }, 'dirty word refused in W');
  t.match(await tweet(inW, 'x'.repeat(21)), { ret: 4, errcode: 8 }, 'content bytes applied in W');
  t.match(await tweet(inDefault, 'ein verboten wort'), { ret: 0 }, 'the default world accepts it');
  // posting speed
  await post('/_emulator/rules', { world: w.id, postBurst: 1, postWindowSeconds: 60 });
  t.match(await tweet(inW, 'first'), { ret: 0 });
  t.match(await tweet(inW, 'second'), { ret: 4, errcode: 10 }, 'posting too fast');
  // spam pattern, form-style list
  const f = await app.inject({ method: 'POST', url: `/_emulator/rules?world=${w.id}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'spamPatterns=buy%5Cs%2Bnow&postBurst=0' });
  t.same(f.json().spamPatterns, ['buy\\s+now']);
  t.match(await tweet(inW, 'buy   now'), { ret: 4, errcode: 9 }, 'spam pattern');
  // request-rate limit
  await post('/_emulator/rules', { world: w.id, rateLimit: 2, rateWindowSeconds: 60 });
  const info = () => signed(app, inW, { method: 'GET', path: '/api/user/info', params: { format: 'json' } }).then((r) => r.json().ret);
  const rets = [await info(), await info(), await info()];
  t.equal(rets[2], 2, `rate limit: ret 2 on the third call (${rets})`);
  // back to the defaults
  const back = (await post('/_emulator/rules', { world: w.id, reset: true })).json();
  t.equal(back.maxContentBytes, 420);
  t.equal(back.rateLimit, 0);
  await app.inject({ method: 'DELETE', url: `/_emulator/worlds/${w.id}` });
});

t.test('rules: bad values refused, nothing changed', async (t) => {
  const before = (await app.inject({ method: 'GET', url: '/_emulator/rules' })).json();
  for (const [body, re] of [
    [{ spamPatterns: ['(unclosed'] }, /spamPatterns: Invalid regular expression/],
    [{ maxContentBytes: -1 }, /maxContentBytes must be a integer >= 0/],
    [{ maxContentBytes: 0 }, /maxContentBytes must be >= 1/],
    [{ dirtyWords: [1, 2] }, /dirtyWords must be a list of strings/],
    [{ postBrust: 3 }, /unknown parameter postBrust/],
  ] as const) {
    const r = await post('/_emulator/rules', { dirtyWords: ['changed'], ...body });
    t.equal(r.statusCode, 400);
    t.match(r.json().error, re);
  }
  t.same((await app.inject({ method: 'GET', url: '/_emulator/rules' })).json(), before, 'a refused call changes nothing');
});

t.test('near misses: the closest routes for "api does not exist"', async (t) => {
  await app.inject({ method: 'DELETE', url: '/_emulator/journal' });
  await app.inject({ method: 'GET', url: '/api/statuses/home_timline?format=json' });
  await app.inject({ method: 'GET', url: '/user/get_user_inf' });
  await app.inject({ method: 'GET', url: '/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' });
  const [none, graph, weibo] = (await app.inject({ method: 'GET', url: '/_emulator/journal' })).json().entries;
  t.equal(weibo.ret, -9);
  t.equal(weibo.nearMisses[0], '/api/statuses/home_timeline');
  t.equal(graph.nearMisses[0], '/user/get_user_info');
  t.same(none.nearMisses, [], 'nothing near');
});
