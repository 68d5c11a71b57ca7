// Path prefixes (/graph.qq.com/…, /open.t.qq.com/…) and Host-header routing on one port.
import t from 'tap';
import { build, graphCreds, weiboCreds, oauthParams, sign, qs, authHeader, PNG_1x1, multipart, parseXml } from '../helpers.js';
import { hostPrefix, rewriteUrl } from '../../server/hosts.js';
import type { IncomingMessage } from 'node:http';

const app = await build();
t.teardown(() => app.close());

t.test('rewriteUrl strips only a leading host-name segment', async (t) => {
  const rw = (url: string) => rewriteUrl({ url } as IncomingMessage);
  t.equal(rw('/graph.qq.com/oauth2.0/me?access_token=x'), '/oauth2.0/me?access_token=x');
  t.equal(rw('/open.t.qq.com/api/user/info'), '/api/user/info');
  t.equal(rw('/GRAPH.QQ.COM/user/get_user_info'), '/user/get_user_info', 'host names are case-insensitive');
  t.equal(rw('/graph.qq.com'), '/');
  t.equal(rw('/graph.qq.com?x=1'), '/?x=1');
  t.equal(rw('/graph.qq.comx/user'), '/graph.qq.comx/user', 'a longer segment is not a prefix');
  t.equal(rw('/api/graph.qq.com/x'), '/api/graph.qq.com/x', 'only at the start');
  t.equal(rw('/oauth2.0/me'), '/oauth2.0/me');
  t.equal(hostPrefix('/Open.T.QQ.com/api'), '/Open.T.QQ.com', 'the prefix keeps the case the client used');
});

t.test('graph.qq.com APIs answer under /graph.qq.com with prefixed avatar links', async (t) => {
  const c = graphCreds(app, 'alice');
  const plain = await app.inject({ method: 'GET', url: `/user/get_user_info?${qs(c)}`, headers: { host: 'localhost:8080' } });
  const pre = await app.inject({ method: 'GET', url: `/graph.qq.com/user/get_user_info?${qs(c)}`, headers: { host: 'localhost:8080' } });
  t.equal(pre.statusCode, 200);
  const a = plain.json();
  const b = pre.json();
  t.equal(b.ret, 0);
  t.equal(b.nickname, a.nickname);
  t.match(a.figureurl, /^http:\/\/localhost:8080\/qzapp\//, 'no prefix when none was used');
  t.match(b.figureurl, /^http:\/\/localhost:8080\/graph\.qq\.com\/qzapp\//, 'prefix kept in generated links');
  // the generated link itself is served through the prefix
  const pic = await app.inject({ method: 'GET', url: new URL(b.figureurl_2).pathname, headers: { host: 'localhost:8080' } });
  t.equal(pic.statusCode, 200);
  t.match(String(pic.headers['content-type']), /^image\//);
  // XML through the prefix
  const x = await app.inject({ method: 'GET', url: `/graph.qq.com/user/get_user_info?${qs({ ...c, format: 'xml' })}` });
  const doc = parseXml(x.body) as { data: { ret: string; figureurl: string } };
  t.equal(doc.data.ret, '0');
  t.match(doc.data.figureurl, /\/graph\.qq\.com\/qzapp\//);
});

t.test('oauth2.0/me and its errors keep the graph envelope under the prefix', async (t) => {
  const c = graphCreds(app, 'alice');
  const me = await app.inject({ method: 'GET', url: `/graph.qq.com/oauth2.0/me?access_token=${c.access_token}` });
  t.equal(me.statusCode, 200);
  t.match(me.body, new RegExp(`"openid":"${c.openid}"`));
  const missing = await app.inject({ method: 'GET', url: '/graph.qq.com/no/such/api?format=json' });
  t.equal(missing.statusCode, 404);
  t.match(missing.json(), { ret: -9 });
  t.match(missing.json().msg, /\/no\/such\/api/);
  const bad = await app.inject({ method: 'GET', url: '/graph.qq.com/user/get_user_info?access_token=nope&oauth_consumer_key=1&openid=x' });
  t.not(bad.json().ret, 0, 'auth still runs behind the prefix');
});

t.test('signed open.t.qq.com call through /open.t.qq.com: the base URI includes the prefix', async (t) => {
  const c = weiboCreds(app, 'alice');
  const call = (signedUrl: string, path: string) => {
    const params = { format: 'json' };
    const oauth = oauthParams(c, {}, app.world.clock.now());
    const sig = sign('GET', signedUrl, { ...params, ...oauth }, c.consumerSecret, c.secret);
    return app.inject({ method: 'GET', url: `${path}?${qs({ ...params, ...oauth, oauth_signature: sig })}`, headers: { host: 'localhost:8080' } });
  };
  const ok = await call('http://localhost:8080/open.t.qq.com/api/user/info', '/open.t.qq.com/api/user/info');
  t.match(ok.json(), { ret: 0, data: { name: 'alice' } }, 'signed with the URL actually called');
  const stripped = await call('http://localhost:8080/api/user/info', '/open.t.qq.com/api/user/info');
  t.match(stripped.json(), { ret: 3, errcode: 9 }, 'signing the stripped URL is refused');
  const plain = await call('http://localhost:8080/api/user/info', '/api/user/info');
  t.match(plain.json(), { ret: 0 }, 'without prefix the plain URL signs');
});

t.test('signed POST with header auth through the prefix; picture links keep the prefix', async (t) => {
  const c = weiboCreds(app, 'bob');
  const url = 'http://localhost:8080/open.t.qq.com/api/t/add_pic';
  const params = { format: 'json', content: 'through the prefix', clientip: '10.0.0.1' };
  const oauth = oauthParams(c, {}, app.world.clock.now());
  const sig = sign('POST', url, { ...params, ...oauth }, c.consumerSecret, c.secret);
  const mp = multipart(params, { pic: { filename: 'a.png', contentType: 'image/png', data: PNG_1x1 } });
  const res = await app.inject({
    method: 'POST',
    url: '/open.t.qq.com/api/t/add_pic',
    headers: { ...mp.headers, host: 'localhost:8080', authorization: authHeader({ ...oauth, oauth_signature: sig }) },
    payload: mp.payload,
  });
  const body = res.json();
  t.equal(body.ret, 0, res.body);
  const id = body.data.id;
  // read it back through the prefix: image URL carries the prefix
  const o2 = oauthParams(c, {}, app.world.clock.now());
  const showUrl = 'http://localhost:8080/open.t.qq.com/api/t/show';
  const sp = { format: 'json', id: String(id) };
  const s2 = sign('GET', showUrl, { ...sp, ...o2 }, c.consumerSecret, c.secret);
  const show = await app.inject({ method: 'GET', url: `/open.t.qq.com/api/t/show?${qs({ ...sp, ...o2, oauth_signature: s2 })}`, headers: { host: 'localhost:8080' } });
  const tw = show.json();
  t.equal(tw.ret, 0, show.body);
  t.match(tw.data.image[0], /^http:\/\/localhost:8080\/open\.t\.qq\.com\//);
  t.match(tw.data.head, /^http:\/\/localhost:8080\/open\.t\.qq\.com\/|^$/);
  const img = await app.inject({ method: 'GET', url: new URL(tw.data.image[0]).pathname + '/160' });
  t.equal(img.statusCode, 200, 'the prefixed picture URL is served');
});

t.test('configured public base URL is followed by the prefix the client used', async (t) => {
  const pub = await build({ baseUrl: 'https://emu.example/' });
  t.teardown(() => pub.close());
  const c = graphCreds(pub, 'alice');
  const b = (await pub.inject({ method: 'GET', url: `/graph.qq.com/user/get_user_info?${qs(c)}` })).json();
  t.match(b.figureurl, /^https:\/\/emu\.example\/graph\.qq\.com\/qzapp\//);
  const w = weiboCreds(pub, 'alice');
  const oauth = oauthParams(w, {}, pub.world.clock.now());
  const sig = sign('GET', 'https://emu.example/open.t.qq.com/api/user/info', { format: 'json', ...oauth }, w.consumerSecret, w.secret);
  const r = await pub.inject({ method: 'GET', url: `/open.t.qq.com/api/user/info?${qs({ format: 'json', ...oauth, oauth_signature: sig })}` });
  t.match(r.json(), { ret: 0 });
});

t.test('Host-header routing: both hosts on one port (real HTTP)', async (t) => {
  const srv = await build();
  t.teardown(() => srv.close());
  const address = await srv.listen({ host: '127.0.0.1', port: 0 });
  const port = new URL(address).port;
  const http = await import('node:http');
  const get = (host: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
  const c = graphCreds(srv, 'alice');
  const g = await get('graph.qq.com', `/user/get_user_info?${qs(c)}`);
  t.equal(g.status, 200);
  t.match(JSON.parse(g.body).figureurl, new RegExp(`^http://graph\\.qq\\.com:${port}/qzapp/`), 'links use the Host sent');
  const w = weiboCreds(srv, 'alice');
  const oauth = oauthParams(w, {}, srv.world.clock.now());
  const sig = sign('GET', `http://open.t.qq.com:${port}/api/user/info`, { format: 'json', ...oauth }, w.consumerSecret, w.secret);
  const o = await get('open.t.qq.com', `/api/user/info?${qs({ format: 'json', ...oauth, oauth_signature: sig })}`);
  t.match(JSON.parse(o.body), { ret: 0, data: { name: 'alice' } });
  // documented: routes do not look at Host, so a graph path with Host open.t.qq.com still answers
  const cross = await get('open.t.qq.com', `/user/get_user_info?${qs(c)}`);
  t.equal(cross.status, 200);
  t.equal(JSON.parse(cross.body).ret, 0);
  // and a prefix works whatever the Host
  const both = await get('localhost', `/graph.qq.com/oauth2.0/me?access_token=${c.access_token}`);
  t.match(both.body, new RegExp(c.openid));
});
