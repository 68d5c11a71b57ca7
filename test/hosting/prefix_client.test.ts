// A real OAuth 1.0a client (node-oauth) whose only setting is a base URL with the
// /open.t.qq.com prefix: the whole dance and a signed call, on a real socket.
import t from 'tap';
import oauth from 'oauth';
import { build, listening, WEIBO } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
const BASE = `${await listening(app)}/open.t.qq.com`;
const CALLBACK = 'http://localhost:3000/weibo/callback';

const oa = new oauth.OAuth(`${BASE}/cgi-bin/request_token`, `${BASE}/cgi-bin/access_token`, WEIBO.appid, WEIBO.secret, '1.0', CALLBACK, 'HMAC-SHA1');

t.test('request_token → authorize → access_token → signed API call, all under /open.t.qq.com', async (t) => {
  const rt = await new Promise<{ token: string; secret: string }>((resolve, reject) =>
    oa.getOAuthRequestToken((err, token, secret) => (err ? reject(err) : resolve({ token, secret }))),
  );
  t.ok(rt.token);
  const auth = await fetch(`${BASE}/cgi-bin/authorize?oauth_token=${rt.token}&emu_user=carol`, { redirect: 'manual' });
  t.equal(auth.status, 302);
  const location = new URL(auth.headers.get('location')!);
  t.equal(`${location.origin}${location.pathname}`, CALLBACK, 'redirect goes to the app callback');
  const verifier = location.searchParams.get('oauth_verifier')!;
  t.ok(verifier);
  const at = await new Promise<{ token: string; secret: string; results: Record<string, unknown> }>((resolve, reject) =>
    oa.getOAuthAccessToken(rt.token, rt.secret, verifier, (err, token, secret, results) => (err ? reject(err) : resolve({ token, secret, results: results as Record<string, unknown> }))),
  );
  t.equal(at.results.name, 'carol');
  const body = await new Promise<string>((resolve, reject) =>
    oa.get(`${BASE}/api/user/info?format=json`, at.token, at.secret, (err, data) => (err ? reject(new Error(JSON.stringify(err))) : resolve(String(data)))),
  );
  const info = JSON.parse(body);
  t.equal(info.ret, 0);
  t.equal(info.data.name, 'carol');
  t.match(info.data.head, new RegExp(`^${BASE.replace(/[.]/g, '\\.')}/|^$`), 'head URL keeps the prefix');
  // (a signature made for the stripped URL is refused: test/hosting/prefix.test.ts)
});
