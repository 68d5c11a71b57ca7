#!/usr/bin/env node
// An unmodified-app stand-in (docker-compose.yml's example-app, and test/hosting/namespace.test.ts):
// it calls the real, hard-coded URLs — https://graph.qq.com/oauth2.0/... and
// https://open.t.qq.com/cgi-bin/... for the logins, http://open.t.qq.com/api/... for Weibo's API,
// exactly as the era's SDKs did — and trusts the emulator's CA only through the environment
// (NODE_EXTRA_CA_CERTS=/ca/ca.pem). Node built-ins only: fetch and an HMAC-SHA1 OAuth 1.0a signer.
// Prints one JSON line per step and exits 0 when the QQ login + get_user_info and the Weibo
// login + signed t/add + read-back all worked.
import { createHmac, randomBytes } from 'node:crypto';

// the seeded fixture apps (seed/generate.ts FIXTURES); a real app has its own ids
const QQ = { appid: '101000001', secret: '8B1A9953C4611296A827ABF8C47804D7', redirect: 'http://localhost:3000/callback' };
const WEIBO = { key: '801000001', secret: 'a63f4a0e1242462fb8c11e53159ba294', callback: 'http://localhost:3000/weibo/callback' };
const USER = process.env.EMU_USER || 'bob';

const step = (name, data) => process.stdout.write(JSON.stringify({ step: name, ...data }) + '\n');
const fail = (why) => {
  step('failed', { why });
  process.exit(1);
};

// ---- QQ Connect (OAuth 2.0), https://graph.qq.com -------------------------------------------
async function qqLogin() {
  const auth = new URL('https://graph.qq.com/oauth2.0/authorize');
  auth.search = new URLSearchParams({ response_type: 'code', client_id: QQ.appid, redirect_uri: QQ.redirect, state: 'st8', scope: 'get_user_info', emu_user: USER });
  // the browser's part: the emulator approves as emu_user and redirects back with the code
  const r = await fetch(auth, { redirect: 'manual' });
  const code = new URL(r.headers.get('location') ?? 'x:/').searchParams.get('code');
  if (r.status !== 302 || !code) fail(`authorize: HTTP ${r.status} ${r.headers.get('location')}`);
  const tok = new URL('https://graph.qq.com/oauth2.0/token');
  tok.search = new URLSearchParams({ grant_type: 'authorization_code', client_id: QQ.appid, client_secret: QQ.secret, redirect_uri: QQ.redirect, code });
  const answer = new URLSearchParams(await (await fetch(tok)).text());
  const accessToken = answer.get('access_token');
  if (!accessToken) fail(`token: ${answer}`);
  const me = await (await fetch(`https://graph.qq.com/oauth2.0/me?access_token=${accessToken}`)).text();
  const openid = /"openid":"([0-9A-F]{32})"/.exec(me)?.[1];
  if (!openid) fail(`me: ${me}`);
  const info = await (await fetch(`https://graph.qq.com/user/get_user_info?${new URLSearchParams({ access_token: accessToken, oauth_consumer_key: QQ.appid, openid })}`)).json();
  if (info.ret !== 0) fail(`get_user_info: ${JSON.stringify(info)}`);
  step('qq', { openid, nickname: info.nickname, figureurl: info.figureurl });
}

// ---- Tencent Weibo (OAuth 1.0a, HMAC-SHA1) ------------------------------------------------------
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** The URL with every parameter and the oauth_* ones in the query, signed over RFC 5849's base string. */
function signedUrl(method, url, params, token = '', tokenSecret = '') {
  const all = {
    ...params,
    oauth_consumer_key: WEIBO.key,
    oauth_nonce: randomBytes(12).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_version: '1.0',
    ...(token ? { oauth_token: token } : {}),
  };
  const norm = Object.entries(all).map(([k, v]) => [enc(k), enc(v)]).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
  const base = [method, enc(url), enc(norm)].join('&');
  all.oauth_signature = createHmac('sha1', `${enc(WEIBO.secret)}&${enc(tokenSecret)}`).update(base).digest('base64');
  return `${url}?${new URLSearchParams(all)}`;
}

async function weibo() {
  const rt = new URLSearchParams(await (await fetch(signedUrl('GET', 'https://open.t.qq.com/cgi-bin/request_token', { oauth_callback: WEIBO.callback }))).text());
  if (!rt.get('oauth_token')) fail(`request_token: ${rt}`);
  const a = await fetch(`https://open.t.qq.com/cgi-bin/authorize?oauth_token=${rt.get('oauth_token')}&emu_user=${USER}`, { redirect: 'manual' });
  const verifier = new URL(a.headers.get('location') ?? 'x:/').searchParams.get('oauth_verifier');
  if (!verifier) fail(`authorize: HTTP ${a.status} ${a.headers.get('location')}`);
  const at = new URLSearchParams(
    await (await fetch(signedUrl('GET', 'https://open.t.qq.com/cgi-bin/access_token', { oauth_verifier: verifier }, rt.get('oauth_token'), rt.get('oauth_token_secret')))).text(),
  );
  const [token, secret] = [at.get('oauth_token'), at.get('oauth_token_secret')];
  if (!token) fail(`access_token: ${at}`);
  step('weibo-login', { name: at.get('name') });
  // the APIs over plain http://open.t.qq.com, as the SDKs had them
  const content = `hello from an unmodified app ${Date.now()}`;
  const add = await (await fetch(signedUrl('POST', 'http://open.t.qq.com/api/t/add', { format: 'json', content, clientip: '127.0.0.1' }, token, secret), { method: 'POST' })).json();
  if (add.ret !== 0) fail(`t/add: ${JSON.stringify(add)}`);
  const show = await (await fetch(signedUrl('GET', 'http://open.t.qq.com/api/t/show', { format: 'json', id: add.data.id }, token, secret))).json();
  if (show.ret !== 0 || show.data.origtext !== content) fail(`t/show: ${JSON.stringify(show)}`);
  step('weibo', { id: add.data.id, name: show.data.name, origtext: show.data.origtext });
}

try {
  await qqLogin();
  await weibo();
  step('done', {});
} catch (e) {
  fail(`${e.message}${e.cause ? `: ${e.cause.message ?? e.cause}` : ''}`);
}
