// G22: share/add_share and blog/add_one_blog went offline on 2014-03-31 (seed 000). Any
// method, with or without credentials, answers the documented offline notice as a graph
// error (ret -9, HTTP 200) — not the 404 of an unknown path.
import t from 'tap';
import { build, graphCreds, multipart, parseXml, qs } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());

const RETIRED = [
  ['/share/add_share', 'add_share'],
  ['/blog/add_one_blog', 'add_one_blog'],
] as const;

/** A subtest's `t` (the last overload of t.test takes just the callback). */
type T = Parameters<Parameters<typeof t.test>[0]>[0];

function offline(t: T, res: { statusCode: number; headers: Record<string, unknown>; body: string }, api: string) {
  t.equal(res.statusCode, 200, 'HTTP 200, not 404');
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const j = JSON.parse(res.body);
  t.same(Object.keys(j), ['ret', 'msg']);
  t.equal(j.ret, -9);
  t.match(j.msg, `${api}接口已于2014.3.31正式下线`);
}

t.test('G22 every method, no credentials: the offline notice', async (t) => {
  for (const [path, api] of RETIRED) {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      const res = await app.inject({ method, url: path });
      offline(t, res, api);
    }
  }
});

t.test('G22 with the documented parameters and valid credentials, as a form', async (t) => {
  const creds = graphCreds(app, 'alice');
  const share = await app.inject({
    method: 'POST',
    url: '/share/add_share',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: qs({ ...creds, title: '标题', url: 'http://example.com/', site: 'example', fromurl: 'http://example.com/' }),
  });
  offline(t, share, 'add_share');
  const blog = await app.inject({ method: 'GET', url: `/blog/add_one_blog?${qs({ ...creds, title: 't', content: '<p>hi</p>' })}` });
  offline(t, blog, 'add_one_blog');
  const m = multipart({ ...creds, title: 't' }, {});
  offline(t, await app.inject({ method: 'POST', url: '/blog/add_one_blog', headers: m.headers, payload: m.payload }), 'add_one_blog');
  t.notOk(JSON.parse(share.body).msg.includes('<'), 'plain text message');
});

t.test('G22 format=xml (query or body): <root><data> with a CDATA msg', async (t) => {
  const q = await app.inject({ method: 'GET', url: '/share/add_share?format=xml' });
  const b = await app.inject({ method: 'POST', url: '/blog/add_one_blog', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'format=xml' });
  for (const [res, api] of [[q, 'add_share'], [b, 'add_one_blog']] as const) {
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/xml/);
    t.match(res.body, /<root><data><ret>-9<\/ret><msg><!\[CDATA\[/);
    const x = parseXml(res.body) as { root: { data: { ret: string; msg: string } } };
    t.equal(x.root.data.ret, '-9');
    t.match(x.root.data.msg, `${api}接口已于2014.3.31正式下线`);
  }
});

t.test('G22 a trailing slash is the same endpoint; an unknown neighbour is still a 404', async (t) => {
  offline(t, await app.inject({ method: 'GET', url: '/share/add_share/' }), 'add_share');
  const unknown = await app.inject({ method: 'GET', url: '/share/add_share_v2' });
  t.equal(unknown.statusCode, 404);
  t.notMatch(unknown.body, /下线/);
});
