import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build, graphCreds, graphGet, graphPost, signed, weiboCreds, parseXml } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const post = (url: string, body?: unknown) =>
  app.inject({ method: 'POST', url, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });
const get = (url: string) => app.inject({ method: 'GET', url });

t.test('journal records API calls with user, ret/errcode, status; secrets masked', async (t) => {
  await app.inject({ method: 'DELETE', url: '/_emulator/journal' });
  const alice = weiboCreds(app, 'alice');
  await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'xml' }, signWithSecret: 'wrong' });
  await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' }, via: 'header' });
  const g = graphCreds(app, 'bob');
  await graphGet(app, '/user/get_user_info', g);
  await graphPost(app, '/t/add_t', g, { content: '' });
  await app.inject({ method: 'GET', url: '/oauth2.0/token?grant_type=authorization_code&client_id=101000001&client_secret=SECRET&code=x&redirect_uri=http://localhost:3000/callback' });
  await get('/_emulator/info'); // control calls are not journaled

  const all = (await get('/_emulator/journal')).json();
  t.equal(all.total, 6);
  t.equal(all.entries.length, 6);
  const [tok, addT, gInfo, hdr, bad, ok] = all.entries; // newest first
  t.match(ok, { method: 'GET', path: '/api/user/info', user: 'alice', ret: 0, errcode: 0, status: 200, world: 'default' });
  t.equal(ok.params.oauth_signature, '***', 'signature masked');
  t.equal(ok.params.oauth_consumer_key, alice.consumerKey);
  t.type(ok.time, 'number');
  t.match(ok.host, /open\.t\.qq\.com/);
  t.match(bad, { ret: 3, errcode: 9, user: null }, 'XML error read back');
  t.equal(hdr.params.oauth_signature, '***', 'header params masked too');
  t.equal(hdr.user, 'alice');
  t.match(gInfo, { path: '/user/get_user_info', user: 'bob', ret: 0 });
  t.equal(addT.method, 'POST');
  t.equal(addT.params.content, '');
  t.not(addT.ret, 0, 'empty content refused');
  t.equal(tok.path, '/oauth2.0/token');
  t.equal(tok.params.client_secret, '***');

  const byPath = (await get('/_emulator/journal?path=/api/user/info&limit=2')).json();
  t.equal(byPath.entries.length, 2);
  t.ok(byPath.entries.every((e: { path: string }) => e.path === '/api/user/info'));
  const byUser = (await get('/_emulator/journal?user=bob')).json();
  t.equal(byUser.entries.length, 2);
  t.equal((await get('/_emulator/journal?limit=0')).statusCode, 400);
  const del = (await app.inject({ method: 'DELETE', url: '/_emulator/journal' })).json();
  t.equal(del.cleared, 6);
  t.equal((await get('/_emulator/journal')).json().total, 0);
});

t.test('journal is a bounded ring', async (t) => {
  app.control.journalMax = 5;
  for (let i = 0; i < 8; i++) await get('/api/none' + i);
  const j = (await get('/_emulator/journal')).json();
  t.equal(j.total, 5);
  t.equal(j.entries[0].path, '/api/none7');
  t.equal(j.entries[4].path, '/api/none3');
  t.equal(j.entries[0].status, 404);
  t.equal(j.entries[0].ret, -9);
  app.control.journalMax = 10000;
  await app.inject({ method: 'DELETE', url: '/_emulator/journal' });
});

t.test('faults: envelope error for the next N calls, then normal again', async (t) => {
  const alice = weiboCreds(app, 'alice');
  const f = await post('/_emulator/faults', { path: '/api/user/info', count: 2, ret: 4, errcode: 99, msg: 'server busy' });
  t.equal(f.statusCode, 200);
  t.match(f.json(), { path: '/api/user/info', remaining: 2 });
  t.equal((await get('/_emulator/faults')).json().faults.length, 1);
  const r1 = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.same(r1.json(), { data: null, errcode: 99, msg: 'server busy', ret: 4 });
  const r2 = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'xml' } });
  const x = parseXml(r2.body) as { root: { ret: string; errcode: string; msg: string } };
  t.equal(x.root.ret, '4');
  t.equal(x.root.errcode, '99');
  const r3 = await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.equal(r3.json().ret, 0, 'fault used up');
  t.equal((await get('/_emulator/faults')).json().faults.length, 0);
  // the journal shows the injected answers
  const j = (await get('/_emulator/journal?path=/api/user/info&limit=3')).json();
  t.same(j.entries.map((e: { ret: number }) => e.ret), [0, 4, 4]);
});

t.test('faults: graph envelope, HTTP status, delay, rate, delete, validation', async (t) => {
  const g = graphCreds(app, 'alice');
  await post('/_emulator/faults', { path: '/user/get_user_info', ret: 100030, msg: 'no permission' });
  const e = (await graphGet(app, '/user/get_user_info', g)).json();
  t.match(e, { ret: 100030, msg: 'no permission' });
  t.equal((await graphGet(app, '/user/get_user_info', g)).json().ret, 0, 'count defaults to 1');

  await post('/_emulator/faults', { path: '/user/get_user_info', httpStatus: 503 });
  const h = await graphGet(app, '/user/get_user_info', g);
  t.equal(h.statusCode, 503);

  await post('/_emulator/faults', { path: '/user/get_user_info', delayMs: 300 });
  const t0 = Date.now();
  const d = await graphGet(app, '/user/get_user_info', g);
  t.ok(Date.now() - t0 >= 280, 'delayed');
  t.equal(d.json().ret, 0, 'delay alone answers normally');

  await post('/_emulator/faults', { path: '/user/get_user_info', rate: 1, httpStatus: 500 });
  for (let i = 0; i < 3; i++) t.equal((await graphGet(app, '/user/get_user_info', g)).statusCode, 500, 'rate 1 hits every call');
  await post('/_emulator/faults', { path: '/user/get_vip_info', rate: 0, httpStatus: 500 });
  t.equal((await graphGet(app, '/user/get_vip_info', g)).statusCode, 200, 'rate 0 never hits');
  const del = (await app.inject({ method: 'DELETE', url: '/_emulator/faults' })).json();
  t.equal(del.cleared, 2);
  t.equal((await graphGet(app, '/user/get_user_info', g)).statusCode, 200);

  t.equal((await post('/_emulator/faults', { path: '/user/get_user_info' })).statusCode, 400, 'no effect given');
  t.equal((await post('/_emulator/faults', { ret: 4 })).statusCode, 400, 'no path');
  t.equal((await post('/_emulator/faults', { path: '/_emulator/health', ret: 4 })).statusCode, 400);
  t.equal((await post('/_emulator/faults', { path: '/x', ret: 4, rate: 2 })).statusCode, 400);
  t.equal((await post('/_emulator/faults', { path: '/x', httpStatus: 42 })).statusCode, 400);
});

t.test('faults: drop destroys the socket', async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  await post('/_emulator/faults', { path: '/api/user/info', drop: true });
  const err = await new Promise<Error | null>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/api/user/info' }, (res) => {
      res.resume();
      res.on('end', () => resolve(null));
    }).on('error', resolve);
  });
  t.ok(err, 'connection dropped');
  t.match(String(err?.message), /socket hang up|ECONNRESET/);
  const status = await new Promise<number>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/user/info?format=json' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  t.equal(status, 200, 'next call answered');
});
