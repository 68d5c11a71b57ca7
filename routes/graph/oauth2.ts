// G1–G3: graph.qq.com OAuth 2.0 — /oauth2.0/authorize, /oauth2.0/token, /oauth2.0/me.
// These answer in their own formats (redirects, url-encoded, JSONP `callback( … );\n`),
// byte for byte as real clients parse them (reference graph-qq.md §2, §6).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readArgs } from '../../server/api.js';
import type { Args } from '../../server/args.js';
import { ApiError, oauth2Error } from '../../server/errors.js';
import { jsonp, SAFE_CALLBACK, urlencoded } from '../../server/respond.js';
import { parseScope } from '../../server/auth/oauth2.js';
import { ACCESS_TTL } from '../../db/oauth2.js';
import type { App } from '../../db/apps.js';
import type { World } from '../../db/world.js';
import type { UserRow } from '../../db/users.js';
import { requestPrefix } from '../../server/hosts.js';
import { carriedParams, decisionOf, escapeHtml, namesUser, pickerUsers, postedUserName, renderAuthorizePage, sendPage, type AuthorizeRequest } from '../authorize_page.js';

const TEXT_HTML = 'text/html';

/**
 * Is `uri` under one of the app's registered redirect URIs: same scheme and host, and a path equal
 * to the registered one or below it on a segment boundary (`/callback` allows `/callback` and
 * `/callback/x`, not `/callbackEVIL`). A fragment is refused (RFC 6749 §3.1.2): the implicit flow
 * appends its own.
 */
export function redirectAllowed(app: App, uri: string): boolean {
  if (uri.includes('#')) return false;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  return app.redirectUris.some((r) => {
    const reg = new URL(r);
    if (reg.protocol !== u.protocol || reg.host !== u.host) return false;
    const base = reg.pathname.endsWith('/') ? reg.pathname : `${reg.pathname}/`;
    return u.pathname === reg.pathname || u.pathname.startsWith(base);
  });
}

/** Appends query pairs to a redirect URI, keeping any query it has and dropping a fragment. */
export function withQuery(uri: string, pairs: [string, string][]): string {
  const [noFrag] = uri.split('#');
  const q = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return noFrag + (noFrag.includes('?') ? '&' : '?') + q;
}

export function withFragment(uri: string, pairs: [string, string][]): string {
  const f = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return uri + (uri.includes('#') ? '&' : '#') + f;
}


/** Authorize errors are shown on QQ's own page, never sent to the redirect_uri. */
function errorPage(reply: FastifyReply, e: ApiError): FastifyReply {
  const code = e.oauthError ?? e.ret;
  // the journal's outcome: the page itself is a 200 (server/control/journal.ts)
  reply.request.journalRet = { ret: code, msg: e.message };
  return reply
    .code(200)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>QQ互联 - error ${code}</title></head>` +
        `<body><h1>error: ${code}</h1><p id="error" data-error="${code}">error=${code}&amp;error_description=${escapeHtml(e.message)}</p></body></html>\n`,
    );
}

/** The user the emulator logs in as: ?emu_user=name, header x-emulator-user, or the configured default. */
export function pickUser(world: World, req: FastifyRequest, args: Args, fallback: string) {
  const name = args.str('emu_user') ?? (req.headers['x-emulator-user'] as string | undefined) ?? fallback;
  return world.users.byName(name);
}

/** Checks response_type, client_id and redirect_uri as QQ's page did; refusals show the error page. */
function validateAuthorize(world: World, args: Args): AuthorizeRequest {
  const responseType = args.str('response_type');
  if (responseType !== 'code' && responseType !== 'token') throw oauth2Error(100000, 'response_type is missing or not code/token');
  const clientId = args.str('client_id');
  if (!clientId) throw oauth2Error(100001, 'client_id is missing');
  const client = world.apps.get(clientId);
  if (!client || client.platform !== 'graph') throw oauth2Error(100008, 'client_id (appid) does not exist');
  const redirectUri = args.str('redirect_uri');
  if (!redirectUri || !redirectAllowed(client, redirectUri)) throw oauth2Error(100010, 'redirect uri is illegal');
  return { responseType, client, redirectUri, scope: parseScope(args.str('scope')).join(','), state: args.str('state') };
}

/** The user approved: a code in the query (response_type=code) or a token in the fragment. */
function approve(world: World, reply: FastifyReply, a: AuthorizeRequest, user: UserRow): FastifyReply {
  if (a.responseType === 'code') {
    const code = world.oauth2.createCode(a.client.appid, user.id, a.redirectUri, a.scope);
    // code before state: the official Java SDK matches `code=(\w+)&state=(\w+)`
    const pairs: [string, string][] = [['code', code]];
    if (a.state !== undefined) pairs.push(['state', a.state]);
    return reply.redirect(withQuery(a.redirectUri, pairs), 302);
  }
  const token = world.oauth2.issueToken(a.client.appid, user.id, a.scope);
  const pairs: [string, string][] = [
    ['access_token', token.access_token],
    ['expires_in', String(ACCESS_TTL)],
  ];
  if (a.state !== undefined) pairs.push(['state', a.state]);
  return reply.redirect(withFragment(a.redirectUri, pairs), 302);
}

/**
 * The user refused. QQ's PC page only closed the window; the emulator answers as RFC 6749 §4.1.2.1
 * / §4.2.2.1 do, so clients can test their refusal path: error=access_denied, a description and the
 * state, in the query for response_type=code and in the fragment for response_type=token.
 */
function deny(reply: FastifyReply, a: AuthorizeRequest): FastifyReply {
  const pairs: [string, string][] = [
    ['error', 'access_denied'],
    ['error_description', 'the user denied the authorization request'],
  ];
  if (a.state !== undefined) pairs.push(['state', a.state]);
  return reply.redirect(a.responseType === 'code' ? withQuery(a.redirectUri, pairs) : withFragment(a.redirectUri, pairs), 302);
}

function authorize(app: FastifyInstance) {
  app.get('/oauth2.0/authorize', async (req, reply) => {
    const args = await readArgs(req);
    const world = req.world;
    try {
      const a = validateAuthorize(world, args);
      if (app.emulatorConfig.interactive && !namesUser(req, args)) {
        return sendPage(
          reply,
          renderAuthorizePage({
            title: 'QQ互联 - 授权',
            action: `${requestPrefix(req)}/oauth2.0/authorize`,
            appName: a.client.name,
            scope: a.scope.split(','),
            hidden: carriedParams(args),
            users: pickerUsers(world),
            selected: app.emulatorConfig.autoApproveUser,
          }),
        );
      }
      const user = pickUser(world, req, args, app.emulatorConfig.autoApproveUser);
      if (!user) throw oauth2Error(100035, 'user not logged in: no such emulated user');
      return approve(world, reply, a, user);
    } catch (e) {
      if (e instanceof ApiError) return errorPage(reply, e);
      throw e;
    }
  });

  // the interactive page's form (any client may post it: everything is validated again)
  app.post('/oauth2.0/authorize', async (req, reply) => {
    const args = await readArgs(req);
    const world = req.world;
    try {
      const a = validateAuthorize(world, args);
      const decision = decisionOf(args);
      if (!decision) throw new ApiError(1, 'decision is missing or not approve/deny');
      if (decision === 'deny') return deny(reply, a);
      const name = postedUserName(req, args, app.emulatorConfig.interactive ? undefined : app.emulatorConfig.autoApproveUser);
      const user = name === undefined ? undefined : world.users.byName(name);
      if (!user) throw oauth2Error(100035, 'user not logged in: no such emulated user');
      return approve(world, reply, a, user);
    } catch (e) {
      if (e instanceof ApiError) return errorPage(reply, e);
      throw e;
    }
  });
}

function token(app: FastifyInstance) {
  app.route({
    method: ['GET', 'POST'],
    url: '/oauth2.0/token',
    handler: async (req, reply) => {
      const args = await readArgs(req);
      const world = req.world;
      const asJson = args.str('fmt') === 'json';
      const answer = (body: string) => reply.code(200).header('content-type', TEXT_HTML).send(body);
      try {
        const grant = args.str('grant_type');
        if (grant !== 'authorization_code' && grant !== 'refresh_token') throw oauth2Error(100004, 'grant_type is missing or not authorization_code/refresh_token');
        const clientId = args.str('client_id');
        if (!clientId) throw oauth2Error(100001, 'client_id is missing');
        const client = world.apps.get(clientId);
        if (!client || client.platform !== 'graph') throw oauth2Error(100008, 'client_id (appid) does not exist');
        const secret = args.str('client_secret');
        if (!secret) throw oauth2Error(100002, 'client_secret is missing');
        if (secret !== client.secret) throw oauth2Error(100009, 'client_secret is wrong');

        let issued;
        if (grant === 'authorization_code') {
          const code = args.str('code');
          if (!code) throw oauth2Error(100005, 'code is missing');
          const row = world.oauth2.getCode(code);
          if (!row || row.appid !== client.appid || row.expires_at <= world.now()) throw oauth2Error(100019, 'code to access token error');
          if (row.used) throw oauth2Error(100020, 'code is reused error');
          if (args.str('redirect_uri') !== row.redirect_uri) throw oauth2Error(100010, 'redirect uri is illegal');
          issued = world.tx(() => {
            if (!world.oauth2.useCode(code)) throw oauth2Error(100020, 'code is reused error');
            return world.oauth2.issueToken(client.appid, row.user_id, row.scope);
          });
        } else {
          const refresh = args.str('refresh_token');
          if (!refresh) throw oauth2Error(100006, 'refresh_token is missing');
          const old = world.oauth2.getByRefresh(refresh);
          if (!old) throw oauth2Error(100036, 'refresh token is invalid');
          if (old.appid !== client.appid) throw oauth2Error(100041, 'refresh token was issued to another appid');
          if (old.revoked) throw oauth2Error(100038, 'refresh token has been revoked');
          if (old.refresh_expires_at <= world.now()) throw oauth2Error(100037, 'refresh token has expired');
          if (old.refresh_used) throw oauth2Error(100021, 'get access token error');
          issued = world.oauth2.refresh(old);
          if (!issued) throw oauth2Error(100021, 'get access token error');
        }
        const withOpenid = args.str('need_openid') === '1';
        const openid = withOpenid ? world.apps.openidFor(client.appid, issued.user_id) : undefined;
        if (asJson) {
          const body: Record<string, string> = { access_token: issued.access_token, expires_in: String(ACCESS_TTL), refresh_token: issued.refresh_token };
          if (openid) body.openid = openid;
          return answer(JSON.stringify(body));
        }
        const fields: [string, string | number][] = [
          ['access_token', issued.access_token],
          ['expires_in', ACCESS_TTL],
          ['refresh_token', issued.refresh_token],
        ];
        if (openid) fields.push(['openid', openid]);
        return answer(urlencoded(fields));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        const err = { error: e.oauthError ?? e.ret, error_description: e.message };
        return answer(asJson ? JSON.stringify(err) : jsonp('callback', err));
      }
    },
  });
}

function me(app: FastifyInstance) {
  app.route({
    method: ['GET', 'POST'],
    url: '/oauth2.0/me',
    handler: async (req, reply) => {
      const args = await readArgs(req);
      const world = req.world;
      const asJson = args.str('fmt') === 'json';
      const cbParam = args.str('callback');
      const callback = cbParam && SAFE_CALLBACK.test(cbParam) ? cbParam : 'callback';
      const answer = (v: unknown) => reply.code(200).header('content-type', TEXT_HTML).header('cache-control', 'no-cache').send(asJson ? JSON.stringify(v) : jsonp(callback, v));
      try {
        const accessToken = args.str('access_token');
        if (!accessToken) throw oauth2Error(100007, 'access token is missing');
        const found = world.oauth2.getToken(accessToken);
        // open.t.qq.com OAuth 2.0 tokens share the table: they are not graph.qq.com tokens
        const t = found && world.apps.get(found.appid)?.platform === 'graph' ? found : undefined;
        if (!t) throw asJson ? oauth2Error(100013, 'access token is illegal') : oauth2Error(100016, 'access token check failed');
        if (t.revoked) throw oauth2Error(100015, 'access token has been revoked');
        if (t.expires_at <= world.now()) throw oauth2Error(100014, 'access token has expired');
        const body: Record<string, string> = { client_id: t.appid, openid: world.apps.openidFor(t.appid, t.user_id) };
        if (args.str('unionid') === '1') {
          const client = world.apps.get(t.appid)!;
          if (!client.unionid) throw oauth2Error(100048, 'companyid not set: this app may not read unionid');
          body.unionid = world.users.byId(t.user_id)!.unionid;
        }
        return answer(body);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return answer({ error: e.oauthError ?? e.ret, error_description: e.message });
      }
    },
  });
}

export default function register(app: FastifyInstance): void {
  authorize(app);
  token(app);
  me(app);
}
