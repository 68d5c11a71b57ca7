// The landing page at GET / and GET /_emulator/: base URLs, fixtures, links, one call to paste;
// escaped, secrets left out under an admin token, and absent where the control plane is not served.
import t from 'tap';
import { build, graphGet, graphCreds, FIXTURES } from '../helpers.js';
import { listen } from '../../server/listen.js';

t.test('GET / and /_emulator/: what this is, base URLs, fixtures, links, a call to paste', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  for (const url of ['/', '/_emulator/', '/_emulator', '/?x=1']) {
    const r = await app.inject({ method: 'GET', url, headers: { host: 'emu.test:8080' } });
    t.equal(r.statusCode, 200, url);
    t.match(r.headers['content-type'], /^text\/html/);
    t.match(r.headers['content-security-policy'], /default-src 'none'/);
    t.match(r.body, /graph\.qq\.com.*OAuth 2\.0/s);
    t.match(r.body, '<code>http://emu.test:8080/graph.qq.com</code>', 'graph base URL from the Host called');
    t.match(r.body, '<code>http://emu.test:8080/open.t.qq.com</code>');
    for (const a of [FIXTURES.graphApp, FIXTURES.graphAppPlain, FIXTURES.weiboApp]) {
      t.match(r.body, `<code>${a.appid}</code>`);
      t.match(r.body, `<code>${a.secret}</code>`, 'secrets shown: no admin token');
    }
    for (const href of ['/_emulator/console', '/_emulator/docs', '/_emulator/openapi.json']) t.match(r.body, `href="${href}"`);
    t.match(r.body, /<pre id="call">curl -s -X POST http:\/\/emu\.test:8080\/_emulator\/tokens\/graph -d user=alice<\/pre>/);
    t.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200, `HEAD ${url}`);
  }
  // the pasted call works as printed
  const tok = await app.inject({ method: 'POST', url: '/_emulator/tokens/graph', payload: 'user=alice', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.match(tok.json(), { openid: '54C1E9379DCED958BE5DB9487D077538', oauth_consumer_key: FIXTURES.graphApp.appid });
  // a hostile Host is text, not markup
  const evil = await app.inject({ method: 'GET', url: '/', headers: { host: 'x"><script>alert(1)</script>' } });
  t.notMatch(evil.body, '<script>');
  t.match(evil.body, 'x&#34;&#62;&#60;script&#62;');
  t.match(evil.body, '<code>erin</code>', 'users listed');
  // the real APIs are untouched
  const me = await app.inject({ method: 'GET', url: '/oauth2.0/me?access_token=nope' });
  t.match(me.body, /^callback\(/);
  t.equal((await graphGet(app, '/user/get_user_info', graphCreds(app))).json().ret, 0);
  t.equal((await app.inject({ method: 'POST', url: '/' })).statusCode, 404, 'POST / is the ordinary 404');
});

t.test('with an admin token: the page loads without it, secrets left out', async (t) => {
  const app = await build({ adminToken: 's3cret' });
  t.teardown(() => app.close());
  for (const url of ['/', '/_emulator/']) {
    const r = await app.inject({ method: 'GET', url });
    t.equal(r.statusCode, 200, url);
    for (const a of [FIXTURES.graphApp, FIXTURES.graphAppPlain, FIXTURES.weiboApp]) t.notMatch(r.body, a.secret, `${url}: no secret`);
    t.match(r.body, `<code>${FIXTURES.graphApp.appid}</code>`);
    t.match(r.body, 'Authorization: Bearer &#60;admin token&#62;', 'the call carries the token header');
  }
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/info' })).statusCode, 401, 'the rest still needs it');
});

t.test('listeners: / only where the control plane is served (the control port when it has one)', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const bound = await listen(app, { host: '127.0.0.1', port: 0, controlPort: 0, graphPort: 0, weiboPort: 0 });
  const o = Object.fromEntries(bound.map((b) => [b.name, b.url]));
  const get = async (url: string) => {
    const r = await fetch(url);
    return { status: r.status, body: await r.text() };
  };
  for (const name of ['main', 'graph', 'weibo']) {
    const r = await get(`${o[name]}/`);
    t.equal(r.status, 404, `${name}: GET / is the not-found answer`);
    t.match(r.body, /api does not exist/);
  }
  for (const path of ['/', '/_emulator/', '/_emulator']) {
    const c = await get(`${o.control}${path}`);
    t.equal(c.status, 200, `the control port has the landing page at ${path}`);
    t.match(c.body, `<code>${o.main}/graph.qq.com</code>`, 'its base URLs point at the main port');
    t.notMatch(c.body, `<code>${o.control}/graph.qq.com</code>`);
  }
  t.equal((await get(`${o.control}/%5Femulator/info`)).status, 404, 'an encoded control path still does not pass');
});
