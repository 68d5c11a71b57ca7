// T1–T3: open.t.qq.com OAuth 1.0a — request_token, authorize, access_token.
// Token answers are url-encoded; refusals are HTTP 401 with the API's ret 3 envelope, so
// node-oauth style clients (non-2xx = error) and Tencent SDKs (no oauth_token = error)
// both fail cleanly (reference open-t-qq.md §2.6: the real body is unconfirmed).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readArgs } from '../../server/api.js';
import { ApiError, authFailed } from '../../server/errors.js';
import { renderError, send, urlencoded } from '../../server/respond.js';
import { verifyOAuth1 } from '../../server/auth/oauth1.js';
import { REQUEST_TOKEN_TTL } from '../../db/oauth1.js';
import { pickUser } from '../graph/oauth2.js';
import type { Args } from '../../server/args.js';
import { requestPrefix } from '../../server/hosts.js';
import type { OAuth1Token } from '../../db/oauth1.js';
import type { UserRow } from '../../db/users.js';
import { carriedParams, decisionOf, escapeHtml, namesUser, pickerUsers, postedUserName, renderAuthorizePage, sendPage } from '../authorize_page.js';

const OOB = new Set(['', 'null', 'oob']);

async function answer(req: FastifyRequest, reply: FastifyReply, fn: () => [string, string | number][]) {
  const args = req.args ?? (await readArgs(req));
  try {
    return reply.code(200).header('content-type', 'text/html; charset=utf-8').send(urlencoded(fn()));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return send(reply, renderError('weibo', e, { format: args.format() }), 401);
  }
}

/**
 * The callback with `pairs` added to its query (before any fragment); characters a Location
 * header cannot carry (non-ASCII, spaces) are percent-encoded.
 */
function callbackWith(callback: string, pairs: [string, string][]): string {
  const safe = callback.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
  const hash = safe.indexOf('#');
  const base = hash >= 0 ? safe.slice(0, hash) : safe;
  const fragment = hash >= 0 ? safe.slice(hash) : '';
  const sep = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  return `${base}${sep}${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}${fragment}`;
}

/** The callback with `oauth_token` and `oauth_verifier` added to its query (before any fragment). */
export function callbackWithVerifier(callback: string, token: string, verifier: string): string {
  return callbackWith(callback, [
    ['oauth_token', token],
    ['oauth_verifier', verifier],
  ]);
}

/** The 400 page of an authorize request that cannot go on. */
export function fail(reply: FastifyReply, msg: string): FastifyReply {
  reply.request.journalRet = { msg };
  return reply
    .code(400)
    .header('content-type', 'text/html; charset=utf-8')
    .send(`<!doctype html><html><head><meta charset="utf-8"><title>腾讯微博 - 授权失败</title></head><body><p id="error">${escapeHtml(msg)}</p></body></html>\n`);
}

export default function register(app: FastifyInstance): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/cgi-bin/request_token',
    config: { envelope: 'weibo' },
    handler: (req, reply) =>
      answer(req, reply, () => {
        const { app: client, params } = verifyOAuth1(req.world, req, 'none', app.emulatorConfig.baseUrl);
        const callback = params.oauth_callback?.[0] ?? 'null';
        if (!OOB.has(callback)) {
          try {
            const u = new URL(callback);
            if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
          } catch {
            throw authFailed(7, 'check sign error: oauth_callback is not a URL, null or oob');
          }
        }
        const t = req.world.oauth1.createRequestToken(client.appid, callback);
        return [
          ['oauth_token', t.token],
          ['oauth_token_secret', t.secret],
          ['oauth_callback_confirmed', 'true'],
        ];
      }),
  });

  /** Checks the request token; undefined (after sending the 400 page) when it cannot be authorised. */
  const requestToken = (req: FastifyRequest, reply: FastifyReply, args: Args): OAuth1Token | undefined => {
    const world = req.world;
    const token = args.str('oauth_token');
    const t = token ? world.oauth1.get(token) : undefined;
    if (!t || t.kind !== 'request') return void fail(reply, 'invalid oauth_token');
    if (t.used) return void fail(reply, 'oauth_token has already been used');
    if (t.created_at + REQUEST_TOKEN_TTL <= world.now()) return void fail(reply, 'oauth_token has expired');
    return t;
  };

  /** The user approved: the callback with token and verifier, or the out-of-band PIN page. */
  const approve = (req: FastifyRequest, reply: FastifyReply, t: OAuth1Token, user: UserRow) => {
    const verifier = req.world.oauth1.authorise(t.token, user.id);
    if (OOB.has(t.callback)) {
      // out-of-band: the page shows the verifier for the user to type in ("Your PIN")
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .send(`<!doctype html><html><head><meta charset="utf-8"><title>腾讯微博 - 授权成功</title></head><body><p>授权码 / Your PIN: <span id="oauth_verifier">${verifier}</span></p></body></html>\n`);
    }
    return reply.redirect(callbackWithVerifier(t.callback, t.token, verifier), 302);
  };

  app.get('/cgi-bin/authorize', async (req, reply) => {
    const args = await readArgs(req);
    const world = req.world;
    const t = requestToken(req, reply, args);
    if (!t) return reply;
    if (app.emulatorConfig.interactive && !namesUser(req, args)) {
      return sendPage(
        reply,
        renderAuthorizePage({
          title: '腾讯微博 - 授权',
          action: `${requestPrefix(req)}/cgi-bin/authorize`,
          appName: world.apps.get(t.appid)?.name ?? t.appid,
          hidden: carriedParams(args),
          users: pickerUsers(world),
          selected: app.emulatorConfig.autoApproveUser,
        }),
      );
    }
    const user = pickUser(world, req, args, app.emulatorConfig.autoApproveUser);
    if (!user) return fail(reply, 'no such emulated user');
    return approve(req, reply, t, user);
  });

  // the interactive page's form (any client may post it: the token is checked again)
  app.post('/cgi-bin/authorize', async (req, reply) => {
    const args = await readArgs(req);
    const world = req.world;
    const t = requestToken(req, reply, args);
    if (!t) return reply;
    const decision = decisionOf(args);
    if (!decision) return fail(reply, 'decision is missing or not approve/deny');
    if (decision === 'deny') {
      // the request token is spent: access_token refuses it from now on
      world.oauth1.refuse(t.token);
      if (OOB.has(t.callback)) {
        return reply
          .header('content-type', 'text/html; charset=utf-8')
          .send(`<!doctype html><html><head><meta charset="utf-8"><title>腾讯微博 - 授权失败</title></head><body><p id="denied">拒绝授权 / access denied</p></body></html>\n`);
      }
      return reply.redirect(callbackWith(t.callback, [['oauth_token', t.token], ['oauth_problem', 'user_refused']]), 302);
    }
    const name = postedUserName(req, args, app.emulatorConfig.interactive ? undefined : app.emulatorConfig.autoApproveUser);
    const user = name === undefined ? undefined : world.users.byName(name);
    if (!user) return fail(reply, 'no such emulated user');
    return approve(req, reply, t, user);
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/cgi-bin/access_token',
    config: { envelope: 'weibo' },
    handler: (req, reply) =>
      answer(req, reply, () => {
        const world = req.world;
        const { token, params } = verifyOAuth1(world, req, 'request', app.emulatorConfig.baseUrl);
        const request = token!;
        if (request.used) throw authFailed(1, 'check sign error: request token has already been exchanged');
        if (request.created_at + REQUEST_TOKEN_TTL <= world.now()) throw authFailed(4, 'check sign error: request token has expired');
        const verifier = params.oauth_verifier?.[0];
        if (!verifier) throw authFailed(7, 'check sign error: missing parameter oauth_verifier');
        if (request.user_id === null || request.verifier !== verifier) throw authFailed(7, 'check sign error: oauth_verifier is wrong or the token was not authorised');
        const access = world.oauth1.exchange(request);
        if (!access) throw authFailed(1, 'check sign error: request token has already been exchanged');
        const user = world.users.byId(access.user_id!)!;
        return [
          ['oauth_token', access.token],
          ['oauth_token_secret', access.secret],
          ['name', user.name],
        ];
      }),
  });
}
