// G1 with --interactive: the authorize page (app name, scope, user picker, Approve / Deny),
// its form posted back as a browser would, every value HTML-escaped, the deny redirects, the
// POST validated again, and emu_user / X-Emulator-User still auto-approving (headless CI).
import t from 'tap';
import { build, GRAPH, qs, userId, parseAuthorizeForm, submitAuthorizeForm, type AuthorizeForm } from '../helpers.js';
import { loadConfig } from '../../server/config.js';

const app = await build({ interactive: true });
t.teardown(() => app.close());

const REDIRECT = 'http://localhost:3000/callback';
const base = { response_type: 'code', client_id: GRAPH.appid, redirect_uri: REDIRECT, state: 'st1', scope: 'get_user_info,add_t' };

const getPage = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/oauth2.0/authorize?${qs(params)}`, headers });

const submit = (f: AuthorizeForm, extra: [string, string][]) => submitAuthorizeForm(app, f, extra);

t.test('config: --interactive / EMU_INTERACTIVE=1, off by default', async (t) => {
  t.equal(loadConfig([], {}).interactive, false);
  t.equal(loadConfig(['--interactive'], {}).interactive, true);
  t.equal(loadConfig([], { EMU_INTERACTIVE: '1' }).interactive, true);
  t.equal(loadConfig([], { EMU_INTERACTIVE: '0' }).interactive, false);
  const plain = await build();
  t.teardown(() => plain.close());
  const res = await plain.inject({ method: 'GET', url: `/oauth2.0/authorize?${qs(base)}` });
  t.equal(res.statusCode, 302, 'without --interactive the request auto-approves as today');
});

t.test('G1 interactive: the page shows the app, the scope, the user picker and both buttons', async (t) => {
  const res = await getPage(base);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  t.match(res.body, /<span id="app_name">Demo Site<\/span>/);
  const scope = [...res.body.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
  t.same(scope, ['get_user_info', 'add_t'], 'requested scope listed');
  const f = parseAuthorizeForm(res.body);
  t.equal(f.method, 'post');
  t.equal(f.action, '/oauth2.0/authorize');
  t.same(Object.fromEntries(f.hidden), base, 'original parameters carried as hidden fields');
  t.equal(f.options.length, Math.min(50, app.world.users.count()), 'every user of the small world (at most 50)');
  t.same(f.options.slice(0, 5), ['alice', 'bob', 'carol', 'dave', 'erin'], 'ordered by id');
  t.ok(f.hasTextInput, 'a text input to type any user');
  t.same(f.decisions, ['approve', 'deny']);
  t.notOk(res.headers.location, 'no redirect yet');
});

t.test('G1 interactive: every value is HTML-escaped (erin, state, scope)', async (t) => {
  const res = await getPage({ ...base, state: '"><script>alert(1)</script>', scope: 'get_user_info,<b>x</b>' });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /<script>/, 'no raw script tag anywhere');
  t.notMatch(res.body, /<b>x<\/b>/);
  const f = parseAuthorizeForm(res.body);
  const erin = f.options.indexOf('erin');
  t.equal(f.optionLabels[erin], 'erin (Erin &#60;script&#62;)', "erin's nick is escaped");
  t.equal(Object.fromEntries(f.hidden).state, '"><script>alert(1)</script>', 'the state round-trips through the hidden field');
  t.match(res.body, /<li>&#60;b&#62;x&#60;\/b&#62;<\/li>/);
});

t.test('G1 interactive approve (code): the picked user, code before state, exchangeable', async (t) => {
  const f = parseAuthorizeForm((await getPage(base)).body);
  const res = await submit(f, [['user', 'carol'], ['user_name', ''], ['decision', 'approve']]);
  t.equal(res.statusCode, 302);
  const loc = res.headers.location as string;
  t.match(loc, /^http:\/\/localhost:3000\/callback\?code=[0-9A-F]{32}&state=st1$/);
  const code = new URL(loc).searchParams.get('code')!;
  const tok = await app.inject({
    method: 'GET',
    url: `/oauth2.0/token?${qs({ grant_type: 'authorization_code', client_id: GRAPH.appid, client_secret: GRAPH.secret, code, redirect_uri: REDIRECT, fmt: 'json' })}`,
  });
  const at = tok.json().access_token as string;
  t.match(at, /^[0-9A-F]{32}$/);
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}&fmt=json` });
  t.equal(me.json().openid, app.world.apps.openidFor(GRAPH.appid, userId(app, 'carol')), 'token is for the selected user');
  t.equal(app.world.oauth2.getToken(at)!.scope, 'get_user_info,add_t', 'the requested scope is granted');
});

t.test('G1 interactive approve: a typed name wins over the select; token flow in the fragment', async (t) => {
  const f = parseAuthorizeForm((await getPage({ ...base, response_type: 'token', state: 'tk' })).body);
  const res = await submit(f, [['user', 'carol'], ['user_name', 'erin'], ['decision', 'approve']]);
  t.equal(res.statusCode, 302);
  const loc = res.headers.location as string;
  t.match(loc, /^http:\/\/localhost:3000\/callback#access_token=[0-9A-F]{32}&expires_in=7776000&state=tk$/);
  const at = /access_token=(\w+)/.exec(loc)![1];
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${at}&fmt=json` });
  t.equal(me.json().openid, app.world.apps.openidFor(GRAPH.appid, userId(app, 'erin')));
});

t.test('G1 interactive deny: error=access_denied in the query (code) or the fragment (token)', async (t) => {
  const before = (app.world.db.prepare('SELECT COUNT(*) n FROM oauth2_codes').get() as { n: number }).n;
  const f = parseAuthorizeForm((await getPage({ ...base, state: 'a b' })).body);
  const res = await submit(f, [['user', 'alice'], ['decision', 'deny']]);
  t.equal(res.statusCode, 302);
  const loc = res.headers.location as string;
  t.match(loc, /^http:\/\/localhost:3000\/callback\?error=access_denied&error_description=[^&#]+&state=a%20b$/);
  const u = new URL(loc);
  t.equal(u.searchParams.get('error'), 'access_denied');
  t.ok(u.searchParams.get('error_description'));
  t.equal(u.searchParams.get('code'), null, 'no code');
  const after = (app.world.db.prepare('SELECT COUNT(*) n FROM oauth2_codes').get() as { n: number }).n;
  t.equal(after, before, 'deny issues no code');

  const f2 = parseAuthorizeForm((await getPage({ ...base, response_type: 'token', state: 's2' })).body);
  const res2 = await submit(f2, [['decision', 'deny']]);
  t.equal(res2.statusCode, 302);
  t.match(res2.headers.location, /^http:\/\/localhost:3000\/callback#error=access_denied&error_description=[^&]+&state=s2$/);
  t.notMatch(res2.headers.location, /access_token/);
});

t.test('G1 interactive POST is validated again: bad client_id, redirect_uri, decision, user', async (t) => {
  const f = parseAuthorizeForm((await getPage(base)).body);
  const tamper = (k: string, v: string) => ({ ...f, hidden: f.hidden.map(([hk, hv]) => [hk, hk === k ? v : hv] as [string, string]) });
  const errorOf = (body: string) => /data-error="(\d+)"/.exec(body)?.[1];

  let res = await submit(tamper('client_id', '999'), [['user', 'alice'], ['decision', 'approve']]);
  t.equal(res.statusCode, 200);
  t.equal(errorOf(res.body), '100008', 'unknown client_id → error page');
  t.notOk(res.headers.location);

  res = await submit(tamper('redirect_uri', 'http://evil.example/cb'), [['user', 'alice'], ['decision', 'deny']]);
  t.equal(errorOf(res.body), '100010', 'foreign redirect_uri → error page, even on deny');
  t.notOk(res.headers.location, 'never redirected to a foreign site');

  res = await submit(tamper('response_type', 'bogus'), [['user', 'alice'], ['decision', 'approve']]);
  t.equal(errorOf(res.body), '100000');

  res = await submit(f, [['user', 'alice']]);
  t.equal(res.statusCode, 200);
  t.equal(errorOf(res.body), '1', 'missing decision → error page');
  t.match(res.body, /decision/);
  res = await submit(f, [['user', 'alice'], ['decision', 'maybe']]);
  t.equal(errorOf(res.body), '1', 'unknown decision → error page');

  res = await submit(f, [['user_name', 'nobody_here'], ['decision', 'approve']]);
  t.equal(errorOf(res.body), '100035', 'unknown typed user');
  res = await submit(f, [['decision', 'approve']]);
  t.equal(errorOf(res.body), '100035', 'interactive: approve needs a user');

  // the GET validates before showing the page
  const bad = await getPage({ ...base, client_id: '999' });
  t.equal(errorOf(bad.body), '100008');
  t.notMatch(bad.body, /<form/);
});

t.test('G1 interactive: emu_user or X-Emulator-User still auto-approves (headless CI)', async (t) => {
  let res = await getPage({ ...base, emu_user: 'bob' });
  t.equal(res.statusCode, 302);
  const code = new URL(res.headers.location as string).searchParams.get('code')!;
  t.equal(app.world.oauth2.getCode(code)!.user_id, userId(app, 'bob'));

  res = await getPage(base, { 'x-emulator-user': 'dave' });
  t.equal(res.statusCode, 302);
  const code2 = new URL(res.headers.location as string).searchParams.get('code')!;
  t.equal(app.world.oauth2.getCode(code2)!.user_id, userId(app, 'dave'));

  res = await getPage({ ...base, emu_user: 'nobody_here' });
  t.equal(/data-error="(\d+)"/.exec(res.body)?.[1], '100035', 'an unknown emu_user is still refused');
});

t.test('G1 interactive: the form posts back under the /graph.qq.com prefix the client used', async (t) => {
  const res = await app.inject({ method: 'GET', url: `/graph.qq.com/oauth2.0/authorize?${qs(base)}` });
  t.equal(res.statusCode, 200);
  const f = parseAuthorizeForm(res.body);
  t.equal(f.action, '/graph.qq.com/oauth2.0/authorize');
  const post = await submit(f, [['user', 'alice'], ['decision', 'approve']]);
  t.equal(post.statusCode, 302);
  t.match(post.headers.location, /^http:\/\/localhost:3000\/callback\?code=[0-9A-F]{32}&state=st1$/);
});

t.test('G1 interactive: the select holds the first 50 users; anyone else can be typed in', async (t) => {
  app.world.tx(() => {
    for (let i = 0; i < 60 - app.world.users.count() + 1; i++) app.world.users.create({ name: `late${i}`, nick: `后来者${i}`, unionid: `UID_LATE${i}`, qq_avatar_key: `latekey${i}` });
  });
  t.ok(app.world.users.count() > 50);
  const f = parseAuthorizeForm((await getPage(base)).body);
  t.equal(f.options.length, 50, 'capped at 50');
  const firstIds = app.world.users.list(50, 0).map((u) => u.name);
  t.same(f.options, firstIds, 'the first 50 by id');
  const last = app.world.users.list(1, app.world.users.count() - 1)[0];
  t.notOk(f.options.includes(last.name), `${last.name} is not in the select`);
  const res = await submit(f, [['user', 'alice'], ['user_name', ` ${last.name} `], ['decision', 'approve']]);
  t.equal(res.statusCode, 302);
  const code = new URL(res.headers.location as string).searchParams.get('code')!;
  t.equal(app.world.oauth2.getCode(code)!.user_id, last.id, 'the typed user (trimmed) is the one approved');
});
