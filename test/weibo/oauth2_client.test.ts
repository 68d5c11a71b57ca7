// open.t.qq.com OAuth 2.0 through a real client library on a real socket: node-oauth's OAuth2
// (the client under passport-oauth2, which parses url-encoded token answers as Tencent sent
// them) signs in through the emulator's interactive authorize page, then calls home_timeline,
// t/add and user/info with the 2.a parameters and refreshes its token. The tweet it posts is the
// same tweet OAuth 1.0a calls and graph.qq.com see, and a graph.qq.com tweet shows in its timeline.
import t from 'tap';
import oauth from 'oauth';
import { build, listening, qs, WEIBO, graphCreds, graphPost, graphGet, weiboCreds, signed } from '../helpers.js';

const app = await build({ interactive: true });
t.teardown(() => app.close());
const ORIGIN = await listening(app);
const CALLBACK = 'http://localhost:3000/weibo/callback';

/** node-oauth's OAuth2 with its request method opened for POSTs (passport-era apps did the same). */
class Client extends oauth.OAuth2 {
  post(url: string, body: Record<string, string>, accessToken: string): Promise<string> {
    return new Promise((resolve, reject) =>
      this._request('POST', url, { 'Content-Type': 'application/x-www-form-urlencoded' }, qs(body), accessToken, (err, data) => (err ? reject(err) : resolve(String(data)))),
    );
  }
  read(url: string, accessToken: string): Promise<string> {
    return new Promise((resolve, reject) => this.get(url, accessToken, (err, data) => (err ? reject(err) : resolve(String(data)))));
  }
  token(code: string, params: Record<string, string>): Promise<{ access: string; refresh: string; results: Record<string, string> }> {
    return new Promise((resolve, reject) =>
      this.getOAuthAccessToken(code, params, (err, access, refresh, results) => (err ? reject(err) : resolve({ access: access ?? '', refresh: refresh ?? '', results }))),
    );
  }
}

const client = new Client(WEIBO.appid, WEIBO.secret, ORIGIN, '/cgi-bin/oauth2/authorize', '/cgi-bin/oauth2/access_token');

/** What the browser does on the emulator's page: read the form, pick the user, press Approve. */
async function approveInBrowser(authorizeUrl: string, user: string): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  const action = /<form id="authorize" method="post" action="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action) throw new Error(`no authorize page: ${page.status} ${html}`);
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
  const form = new URLSearchParams([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [unescape(m[1]), unescape(m[2])]));
  form.set('user', user);
  form.set('decision', 'approve');
  const res = await fetch(new URL(unescape(action), ORIGIN), { method: 'POST', body: form, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`approve answered ${res.status}`);
  return new URL(res.headers.get('location')!);
}

const json = (s: string) => JSON.parse(s) as { ret: number; errcode: number; msg: string; data: Record<string, unknown> & { info?: Record<string, unknown>[] } };

t.test('sign in, home_timeline, t/add, user/info, refresh; the tweet seen by OAuth 1.0a and graph.qq.com', async (t) => {
  const authorizeUrl = client.getAuthorizeUrl({ response_type: 'code', redirect_uri: CALLBACK, state: 'csrf-1' });
  t.match(authorizeUrl, `${ORIGIN}/cgi-bin/oauth2/authorize?`);
  const back = await approveInBrowser(authorizeUrl, 'bob');
  t.equal(`${back.origin}${back.pathname}`, CALLBACK);
  t.equal(back.searchParams.get('state'), 'csrf-1');
  const code = back.searchParams.get('code')!;
  const openid = back.searchParams.get('openid')!;

  const tok = await client.token(code, { grant_type: 'authorization_code', redirect_uri: CALLBACK });
  t.match(tok.access, /^[0-9A-F]{32}$/);
  t.match(tok.refresh, /^[0-9A-F]{32}$/);
  t.match(tok.results, { openid, name: 'bob', nick: '鲍勃', expires_in: '604800' });

  const common = { oauth_consumer_key: WEIBO.appid, openid, clientip: '203.0.113.7', oauth_version: '2.a', scope: 'all', format: 'json' };

  // a graph.qq.com tweet by alice (whom bob follows) shows in bob's OAuth 2.0 home_timeline
  const alice = graphCreds(app, 'alice');
  const graphTweet = JSON.parse((await graphPost(app, '/t/add_t', alice, { content: 'from graph.qq.com to the OAuth 2.0 timeline', format: 'json' })).body);
  t.equal(graphTweet.ret, 0);
  const home = json(await client.read(`${ORIGIN}/api/statuses/home_timeline?${qs({ ...common, pageflag: 0, reqnum: 20 })}`, tok.access));
  t.equal(home.ret, 0, home.msg);
  t.ok(home.data.info!.some((tw) => tw.id === graphTweet.data.id && tw.name === 'alice'), 'the graph.qq.com tweet is in home_timeline');

  const add = json(await client.post(`${ORIGIN}/api/t/add`, { ...common, content: 'posted through node-oauth OAuth2' }, tok.access));
  t.equal(add.ret, 0, add.msg);
  const id = String(add.data.id);

  const info = json(await client.read(`${ORIGIN}/api/user/info?${qs(common)}`, tok.access));
  t.equal(info.ret, 0);
  t.equal(info.data.name, 'bob');
  t.equal(info.data.nick, '鲍勃');

  // the same tweet through OAuth 1.0a …
  const shown = JSON.parse((await signed(app, weiboCreds(app, 'carol'), { method: 'GET', path: '/api/t/show', params: { id } })).body);
  t.match(shown.data, { id, name: 'bob', origtext: 'posted through node-oauth OAuth2' });
  // … and graph.qq.com (bob's latest tweet in user/get_info)
  const gi = JSON.parse((await graphGet(app, '/user/get_info', graphCreds(app, 'bob'), { format: 'json' })).body);
  t.match(gi.data.tweetinfo[0], { id, origtext: 'posted through node-oauth OAuth2' });

  // refresh with the same client: a new token that works, the old refresh token spent
  const next = await client.token(tok.refresh, { grant_type: 'refresh_token' });
  t.not(next.access, tok.access);
  const again = json(await client.read(`${ORIGIN}/api/user/info?${qs(common)}`, next.access));
  t.equal(again.data.name, 'bob');
  const spent = await client.token(tok.refresh, { grant_type: 'refresh_token' }).catch((e: { statusCode: number; data: string }) => e);
  t.match(spent, { statusCode: 400 });
  t.equal(new URLSearchParams((spent as { data: string }).data).get('error'), 'invalid_grant');
});

t.test('the client sees refusals as errors', async (t) => {
  const bad = await client.token('0123456789ABCDEF0123456789ABCDEF', { grant_type: 'authorization_code', redirect_uri: CALLBACK }).catch((e: { statusCode: number; data: string }) => e);
  t.match(bad, { statusCode: 400 });
  t.equal(new URLSearchParams((bad as { data: string }).data).get('errorCode'), '5');
  const wrong = new Client(WEIBO.appid, 'not-the-secret', ORIGIN, '/cgi-bin/oauth2/authorize', '/cgi-bin/oauth2/access_token');
  const refused = await wrong.token('X', { grant_type: 'authorization_code', redirect_uri: CALLBACK }).catch((e: { statusCode: number }) => e);
  t.match(refused, { statusCode: 401 });
});
