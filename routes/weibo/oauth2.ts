// open.t.qq.com OAuth 2.0 (2012 on): /cgi-bin/oauth2/authorize and /cgi-bin/oauth2/access_token.
// The wire as the era's SDKs used it (README "open.t.qq.com OAuth 2.0", docs/endpoints.md):
// - authorize: client_id, response_type=code|token, redirect_uri, optional state, wap, forcelogin,
//   scope. Code flow → redirect_uri?code=…&openid=…&openkey=…[&state=…]; token flow →
//   redirect_uri#access_token=…&expires_in=…&openid=…&openkey=…[&state=…].
// - access_token: grant_type=authorization_code (client_id, client_secret, code, redirect_uri) or
//   refresh_token (client_id, refresh_token); url-encoded answer
//   access_token=…&expires_in=…&refresh_token=…&openid=…&name=…&nick=… in that order (a 2013 Android
//   app cut the fields out of the string by position). Errors are url-encoded
//   errorCode=…&errorMsg=… (what Tencent SDKs test for) plus RFC 6749's error / error_description
//   (what pyqqweibo tests for).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readArgs } from '../../server/api.js';
import type { Args } from '../../server/args.js';
import { urlencoded } from '../../server/respond.js';
import { WEIBO_ACCESS_TTL, type TokenRow } from '../../db/oauth2.js';
import { hex32lower } from '../../db/ids.js';
import type { App } from '../../db/apps.js';
import type { World } from '../../db/world.js';
import type { UserRow } from '../../db/users.js';
import { requestPrefix } from '../../server/hosts.js';
import { pickUser, redirectAllowed, withFragment, withQuery } from '../graph/oauth2.js';
import { fail } from './oauth1.js';
import { carriedParams, decisionOf, namesUser, pickerUsers, postedUserName, renderAuthorizePage, sendPage, type AuthorizeRequest } from '../authorize_page.js';

/** A refusal of /cgi-bin/oauth2/access_token: Tencent's errorCode/errorMsg plus the RFC 6749 name. */
class TokenError extends Error {
  constructor(
    readonly code: number,
    readonly rfc: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type',
    message: string,
  ) {
    super(message);
  }
}

/** A refusal of /cgi-bin/oauth2/authorize: shown on the 400 page, never sent to redirect_uri. */
class AuthorizeError extends Error {}

/** The errorCode table of access_token (no public source gives Tencent's numbers: the emulator's own). */
export const TOKEN_ERRORS = {
  missing: 1,
  unknownClient: 2,
  badSecret: 3,
  grantType: 4,
  badCode: 5,
  usedCode: 6,
  redirectMismatch: 7,
  badRefresh: 8,
  usedRefresh: 9,
} as const;

/** redirect_uri: under a registered one (graph.qq.com's rule); an app that registered none takes any http(s) URL. */
function redirectOk(app: App, uri: string): boolean {
  if (app.redirectUris.length) return redirectAllowed(app, uri);
  try {
    return ['http:', 'https:'].includes(new URL(uri).protocol);
  } catch {
    return false;
  }
}

function validateAuthorize(world: World, args: Args): AuthorizeRequest {
  const clientId = args.str('client_id');
  if (!clientId) throw new AuthorizeError('client_id is missing');
  const client = world.apps.get(clientId);
  if (!client || client.platform !== 'weibo') throw new AuthorizeError('client_id (app key) does not exist');
  const responseType = args.str('response_type');
  if (responseType !== 'code' && responseType !== 'token') throw new AuthorizeError('response_type is missing or not code/token');
  const redirectUri = args.str('redirect_uri');
  if (!redirectUri || !redirectOk(client, redirectUri)) throw new AuthorizeError('redirect_uri is missing or not under the app\'s registered address');
  return { responseType, client, redirectUri, scope: args.str('scope') || 'all', state: args.str('state') };
}

function approve(world: World, reply: FastifyReply, a: AuthorizeRequest, user: UserRow): FastifyReply {
  const openid = world.apps.openidFor(a.client.appid, user.id);
  // openkey belongs to Tencent's openid&openkey scheme, which the emulator does not serve: sent, never checked
  const openkey = hex32lower();
  const state: [string, string][] = a.state !== undefined ? [['state', a.state]] : [];
  if (a.responseType === 'code') {
    const code = world.oauth2.createCode(a.client.appid, user.id, a.redirectUri, a.scope);
    return reply.redirect(withQuery(a.redirectUri, [['code', code], ['openid', openid], ['openkey', openkey], ...state]), 302);
  }
  const token = world.oauth2.issueToken(a.client.appid, user.id, a.scope, WEIBO_ACCESS_TTL);
  const pairs: [string, string][] = [
    ['access_token', token.access_token],
    ['expires_in', String(WEIBO_ACCESS_TTL)],
    ['openid', openid],
    ['openkey', openkey],
  ];
  return reply.redirect(withFragment(a.redirectUri, [...pairs, ...state]), 302);
}

/** The user refused: RFC 6749's error=access_denied (query for code, fragment for token), as graph.qq.com's pages here do. */
function deny(reply: FastifyReply, a: AuthorizeRequest): FastifyReply {
  const pairs: [string, string][] = [
    ['error', 'access_denied'],
    ['error_description', 'the user denied the authorization request'],
  ];
  if (a.state !== undefined) pairs.push(['state', a.state]);
  return reply.redirect(a.responseType === 'code' ? withQuery(a.redirectUri, pairs) : withFragment(a.redirectUri, pairs), 302);
}

function authorize(app: FastifyInstance) {
  const handle = (fn: (req: FastifyRequest, reply: FastifyReply, args: Args, a: AuthorizeRequest) => FastifyReply) => async (req: FastifyRequest, reply: FastifyReply) => {
    const args = await readArgs(req);
    try {
      return fn(req, reply, args, validateAuthorize(req.world, args));
    } catch (e) {
      if (e instanceof AuthorizeError) return fail(reply, e.message);
      throw e;
    }
  };

  app.get(
    '/cgi-bin/oauth2/authorize',
    handle((req, reply, args, a) => {
      const world = req.world;
      if (app.emulatorConfig.interactive && !namesUser(req, args)) {
        return sendPage(
          reply,
          renderAuthorizePage({
            title: '腾讯微博 - 授权',
            action: `${requestPrefix(req)}/cgi-bin/oauth2/authorize`,
            appName: a.client.name,
            scope: a.scope.split(','),
            hidden: carriedParams(args),
            users: pickerUsers(world),
            selected: app.emulatorConfig.autoApproveUser,
          }),
        );
      }
      const user = pickUser(world, req, args, app.emulatorConfig.autoApproveUser);
      if (!user) return fail(reply, 'no such emulated user');
      return approve(world, reply, a, user);
    }),
  );

  // the interactive page's form (any client may post it: everything is validated again)
  app.post(
    '/cgi-bin/oauth2/authorize',
    handle((req, reply, args, a) => {
      const decision = decisionOf(args);
      if (!decision) return fail(reply, 'decision is missing or not approve/deny');
      if (decision === 'deny') return deny(reply, a);
      const name = postedUserName(req, args, app.emulatorConfig.interactive ? undefined : app.emulatorConfig.autoApproveUser);
      const user = name === undefined ? undefined : req.world.users.byName(name);
      if (!user) return fail(reply, 'no such emulated user');
      return approve(req.world, reply, a, user);
    }),
  );
}

/** Exchanges a code (once, same redirect_uri, within 10 minutes) or a refresh token (once; the chain keeps its end). */
function grant(world: World, args: Args): TokenRow {
  const E = TOKEN_ERRORS;
  const need = (k: string) => {
    const v = args.str(k);
    if (!v) throw new TokenError(E.missing, 'invalid_request', `missing parameter ${k}`);
    return v;
  };
  const grantType = args.str('grant_type');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw new TokenError(E.grantType, 'unsupported_grant_type', 'grant_type is missing or not authorization_code/refresh_token');
  }
  const client = world.apps.get(need('client_id'));
  if (!client || client.platform !== 'weibo') throw new TokenError(E.unknownClient, 'invalid_client', 'client_id (app key) does not exist');
  const secret = args.str('client_secret');

  if (grantType === 'authorization_code') {
    if (need('client_secret') !== client.secret) throw new TokenError(E.badSecret, 'invalid_client', 'client_secret is wrong');
    const code = need('code');
    const redirectUri = need('redirect_uri');
    const row = world.oauth2.getCode(code);
    if (!row || row.appid !== client.appid || row.expires_at <= world.now()) throw new TokenError(E.badCode, 'invalid_grant', 'code is invalid or has expired');
    if (row.used) throw new TokenError(E.usedCode, 'invalid_grant', 'code has already been used');
    if (redirectUri !== row.redirect_uri) throw new TokenError(E.redirectMismatch, 'invalid_grant', 'redirect_uri is not the one the code was issued for');
    return world.tx(() => {
      if (!world.oauth2.useCode(code)) throw new TokenError(E.usedCode, 'invalid_grant', 'code has already been used');
      return world.oauth2.issueToken(client.appid, row.user_id, row.scope, WEIBO_ACCESS_TTL);
    });
  }
  // the documented refresh call sends no client_secret; one that is sent must be right
  if (secret !== undefined && secret !== client.secret) throw new TokenError(E.badSecret, 'invalid_client', 'client_secret is wrong');
  const old = world.oauth2.getByRefresh(need('refresh_token'));
  if (!old || old.appid !== client.appid || old.revoked || old.refresh_expires_at <= world.now()) {
    throw new TokenError(E.badRefresh, 'invalid_grant', 'refresh_token is invalid, revoked, expired or of another app');
  }
  if (old.refresh_used) throw new TokenError(E.usedRefresh, 'invalid_grant', 'refresh_token has already been used');
  const next = world.oauth2.refresh(old, WEIBO_ACCESS_TTL);
  if (!next) throw new TokenError(E.usedRefresh, 'invalid_grant', 'refresh_token has already been used');
  return next;
}

function accessToken(app: FastifyInstance) {
  app.route({
    method: ['GET', 'POST'],
    url: '/cgi-bin/oauth2/access_token',
    handler: async (req, reply) => {
      const args = await readArgs(req);
      const world = req.world;
      const answer = (status: number, fields: [string, string | number][]) =>
        reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(urlencoded(fields));
      try {
        const t = grant(world, args);
        const user = world.users.byId(t.user_id)!;
        return answer(200, [
          ['access_token', t.access_token],
          ['expires_in', t.expires_at - world.now()],
          ['refresh_token', t.refresh_token],
          ['openid', world.apps.openidFor(t.appid, t.user_id)],
          ['name', user.name],
          ['nick', user.nick],
        ]);
      } catch (e) {
        if (!(e instanceof TokenError)) throw e;
        // 401 for client errors and 400 otherwise (RFC 6749 §5.2), so clients that only look at the status see a failure too
        return answer(e.rfc === 'invalid_client' ? 401 : 400, [
          ['errorCode', e.code],
          ['errorMsg', e.message],
          ['error', e.rfc],
          ['error_description', e.message],
        ]);
      }
    },
  });
}

export default function register(app: FastifyInstance): void {
  authorize(app);
  accessToken(app);
}
