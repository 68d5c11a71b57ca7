// T2 with --interactive: the authorize page (app name, user picker, Approve / Deny), its form
// posted back as a browser would, every value HTML-escaped; approve → callback or PIN page, deny →
// oauth_problem=user_refused (or an "access denied" page) with the request token spent; the POST
// checked again; emu_user / X-Emulator-User still auto-approving (headless CI).
import t from 'tap';
import { build, signed, userId, WEIBO, type WeiboCreds, parseAuthorizeForm, submitAuthorizeForm, type AuthorizeForm } from '../helpers.js';

const app = await build({ interactive: true });
t.teardown(() => app.close());

const CALLBACK = 'http://localhost:3000/weibo/callback?from=t';
const consumer: WeiboCreds = { consumerKey: WEIBO.appid, consumerSecret: WEIBO.secret, token: '', secret: '' };
const form = (s: string) => Object.fromEntries(new URLSearchParams(s));


/** T1: a fresh request token for `callback`. */
async function requestToken(callback = CALLBACK) {
  const r = await signed(app, consumer, { method: 'GET', path: '/cgi-bin/request_token', params: { oauth_callback: callback } });
  if (r.statusCode !== 200) throw new Error(r.body);
  return form(r.body) as { oauth_token: string; oauth_token_secret: string };
}

const submit = (f: AuthorizeForm, extra: [string, string][]) => submitAuthorizeForm(app, f, extra);

/** T3: exchange the request token; the parsed answer and status. */
async function accessToken(rt: { oauth_token: string; oauth_token_secret: string }, verifier: string) {
  const creds: WeiboCreds = { consumerKey: WEIBO.appid, consumerSecret: WEIBO.secret, token: rt.oauth_token, secret: rt.oauth_token_secret };
  return signed(app, creds, { method: 'GET', path: '/cgi-bin/access_token', oauth: { oauth_verifier: verifier } });
}

t.test('T2 interactive: the page shows the app name, the user picker and both buttons', async (t) => {
  const rt = await requestToken();
  const res = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}&extra=1` });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  t.match(res.body, /<span id="app_name">Demo Weibo Client<\/span>/);
  t.notMatch(res.body, /<ul id="scope">/, 'no scope list on open.t.qq.com');
  const f = parseAuthorizeForm(res.body);
  t.equal(f.method, 'post');
  t.equal(f.action, '/cgi-bin/authorize');
  t.same(f.hidden, [['oauth_token', rt.oauth_token], ['extra', '1']], 'original parameters carried as hidden fields');
  t.equal(f.options.length, Math.min(50, app.world.users.count()));
  t.same(f.options.slice(0, 5), ['alice', 'bob', 'carol', 'dave', 'erin'], 'ordered by id');
  t.ok(f.hasTextInput);
  t.same(f.decisions, ['approve', 'deny']);
  t.equal(app.world.oauth1.get(rt.oauth_token)!.user_id, null, 'not authorised by showing the page');
});

t.test('T2 interactive: values are HTML-escaped (erin, carried parameters)', async (t) => {
  const rt = await requestToken();
  const res = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}&x=${encodeURIComponent('"><script>alert(1)</script>')}` });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /<script>/, 'no raw script tag anywhere');
  const f = parseAuthorizeForm(res.body);
  t.equal(f.optionLabels[f.options.indexOf('erin')], 'erin (Erin &#60;script&#62;)', "erin's nick is escaped");
  t.equal(Object.fromEntries(f.hidden).x, '"><script>alert(1)</script>', 'round-trips through the hidden field');
});

t.test('T2 interactive approve: callback with oauth_token and oauth_verifier, exchangeable for the chosen user', async (t) => {
  const rt = await requestToken();
  const f = parseAuthorizeForm((await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}` })).body);
  const res = await submit(f, [['user', 'carol'], ['user_name', ''], ['decision', 'approve']]);
  t.equal(res.statusCode, 302);
  const loc = res.headers.location as string;
  t.match(loc, new RegExp(`^http://localhost:3000/weibo/callback\\?from=t&oauth_token=${rt.oauth_token}&oauth_verifier=\\d{6}$`));
  const verifier = new URL(loc).searchParams.get('oauth_verifier')!;
  const at = await accessToken(rt, verifier);
  t.equal(at.statusCode, 200, at.body);
  const ans = form(at.body);
  t.equal(ans.name, 'carol', 'the access token is for the selected user');
  t.equal(app.world.oauth1.get(ans.oauth_token)!.user_id, userId(app, 'carol'));
  const info = await signed(app, { consumerKey: WEIBO.appid, consumerSecret: WEIBO.secret, token: ans.oauth_token, secret: ans.oauth_token_secret }, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.equal(info.json().data.name, 'carol', 'the API answers as carol');
});

t.test('T2 interactive approve out-of-band: a typed user, the PIN page', async (t) => {
  const rt = await requestToken('oob');
  const f = parseAuthorizeForm((await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}` })).body);
  const res = await submit(f, [['user', 'alice'], ['user_name', 'erin'], ['decision', 'approve']]);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  const v = /<span id="oauth_verifier">(\d{6})<\/span>/.exec(res.body)?.[1];
  t.ok(v, 'the verifier is on the page');
  const at = await accessToken(rt, v ?? '');
  t.equal(form(at.body).name, 'erin', 'the typed name wins over the select');
});

t.test('T2 interactive deny: oauth_problem=user_refused and the request token is spent', async (t) => {
  const rt = await requestToken();
  const f = parseAuthorizeForm((await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}` })).body);
  const res = await submit(f, [['user', 'alice'], ['decision', 'deny']]);
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, `http://localhost:3000/weibo/callback?from=t&oauth_token=${rt.oauth_token}&oauth_problem=user_refused`);
  const tok = app.world.oauth1.get(rt.oauth_token)!;
  t.equal(tok.used, 1, 'marked used');
  t.equal(tok.user_id, null, 'never bound to a user');

  // the token can no longer be exchanged, authorised or shown
  const at = await accessToken(rt, '123456');
  t.equal(at.statusCode, 401);
  t.match(at.json(), { ret: 3, errcode: 1, msg: /already been exchanged/ });
  const again = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}` });
  t.equal(again.statusCode, 400);
  t.match(again.body, /<p id="error">oauth_token has already been used<\/p>/);
  const approveLater = await submit(f, [['user', 'alice'], ['decision', 'approve']]);
  t.equal(approveLater.statusCode, 400, 'a later approve of the same form is refused');
  t.equal(app.world.oauth1.get(rt.oauth_token)!.user_id, null);
});

t.test('T2 interactive deny out-of-band: an access-denied page', async (t) => {
  const rt = await requestToken('null');
  const f = parseAuthorizeForm((await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}` })).body);
  const res = await submit(f, [['decision', 'deny']]);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  t.match(res.body, /<p id="denied">[^<]*access denied<\/p>/);
  t.notMatch(res.body, /oauth_verifier/);
  t.equal(app.world.oauth1.get(rt.oauth_token)!.used, 1);
});

t.test('T2 interactive POST is checked again: token, decision, user', async (t) => {
  const rt = await requestToken();
  const f = parseAuthorizeForm((await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}` })).body);
  const withToken = (tok: string) => ({ ...f, hidden: [['oauth_token', tok]] as [string, string][] });
  const refused = async (res: Awaited<ReturnType<typeof submit>>, msg: RegExp) => {
    t.equal(res.statusCode, 400);
    t.match(res.headers['content-type'], /^text\/html/);
    t.match(res.body, msg);
    t.notOk(res.headers.location);
  };
  await refused(await submit(withToken('0123456789abcdef0123456789abcdef'), [['user', 'alice'], ['decision', 'approve']]), /invalid oauth_token/);
  await refused(await submit(withToken(''), [['user', 'alice'], ['decision', 'deny']]), /invalid oauth_token/);
  await refused(await submit(f, [['user', 'alice']]), /decision is missing/);
  await refused(await submit(f, [['user', 'alice'], ['decision', 'yes']]), /decision is missing or not approve\/deny/);
  await refused(await submit(f, [['user_name', 'nobody_here'], ['decision', 'approve']]), /no such emulated user/);
  await refused(await submit(f, [['decision', 'approve']]), /no such emulated user/);
  t.equal(app.world.oauth1.get(rt.oauth_token)!.used, 0, 'refused posts leave the token usable');

  // an expired token is refused on POST too
  const old = await requestToken();
  const f2 = parseAuthorizeForm((await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${old.oauth_token}` })).body);
  app.world.clock.advance(3601);
  await refused(await submit(f2, [['user', 'alice'], ['decision', 'approve']]), /oauth_token has expired/);
});

t.test('T2 interactive: emu_user or X-Emulator-User still auto-approves (headless CI)', async (t) => {
  const rt = await requestToken();
  let res = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt.oauth_token}&emu_user=bob` });
  t.equal(res.statusCode, 302);
  t.equal(app.world.oauth1.get(rt.oauth_token)!.user_id, userId(app, 'bob'));

  const rt2 = await requestToken();
  res = await app.inject({ method: 'GET', url: `/cgi-bin/authorize?oauth_token=${rt2.oauth_token}`, headers: { 'x-emulator-user': 'dave' } });
  t.equal(res.statusCode, 302);
  t.match(res.headers.location, /oauth_verifier=\d{6}$/);
  t.equal(app.world.oauth1.get(rt2.oauth_token)!.user_id, userId(app, 'dave'));
});

t.test('T2 interactive: the form posts back under the /open.t.qq.com prefix the client used', async (t) => {
  const rt = await requestToken();
  const res = await app.inject({ method: 'GET', url: `/open.t.qq.com/cgi-bin/authorize?oauth_token=${rt.oauth_token}` });
  t.equal(res.statusCode, 200);
  const f = parseAuthorizeForm(res.body);
  t.equal(f.action, '/open.t.qq.com/cgi-bin/authorize');
  const post = await submit(f, [['user', 'alice'], ['decision', 'approve']]);
  t.equal(post.statusCode, 302);
  t.equal(app.world.oauth1.get(rt.oauth_token)!.user_id, userId(app, 'alice'));
});
