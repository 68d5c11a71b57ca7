// Issue 11 item 6: /oauth2.0/authorize matches redirect_uri on path-segment boundaries and refuses
// a fragment, with graph.qq.com's redirect_uri error (100010 on the error page).
import t from 'tap';
import { build, GRAPH, qs } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const authorize = (redirect_uri: string, response_type = 'code') =>
  app.inject({ method: 'GET', url: `/oauth2.0/authorize?${qs({ response_type, client_id: GRAPH.appid, redirect_uri, state: 's', emu_user: 'alice' })}` });

t.test('registered http://localhost:3000/callback: segment boundaries decide', async (t) => {
  for (const uri of ['http://localhost:3000/callback', 'http://localhost:3000/callback/', 'http://localhost:3000/callback/deeper?x=1', 'http://app.example.com/any/path']) {
    const res = await authorize(uri);
    t.equal(res.statusCode, 302, `${uri} is allowed`);
    t.ok(String(res.headers.location).startsWith(uri.split('?')[0]), 'redirected there');
  }
  for (const uri of ['http://localhost:3000/callbackEVIL', 'http://localhost:3000/callback.evil', 'http://localhost:3000/callback%2F..%2Fevil', 'http://localhost:3000/callback/../evil']) {
    const res = await authorize(uri);
    t.equal(res.statusCode, 200, `${uri} is refused`);
    t.notOk(res.headers.location, 'no redirect');
    t.match(res.body, 'data-error="100010"', 'redirect uri is illegal (100010)');
  }
});

t.test('a redirect_uri with a fragment is refused, for the code and the implicit flow', async (t) => {
  for (const [uri, type] of [['http://localhost:3000/callback#frag', 'code'], ['http://localhost:3000/callback#a=b', 'token'], ['http://localhost:3000/callback#', 'token']]) {
    const res = await authorize(uri, type);
    t.notOk(res.headers.location, `${uri} (${type}) is not redirected to`);
    t.match(res.body, 'data-error="100010"', '100010');
  }
});
