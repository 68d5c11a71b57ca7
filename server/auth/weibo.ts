// open.t.qq.com /api/* authentication: the one place that decides which protocol a call
// uses. From 2012 apps called the same APIs with OAuth 2.0 parameters instead of a signature
// (`oauth_consumer_key`, `access_token`, `openid`, `clientip`, `oauth_version=2.a`, `scope`);
// a call is OAuth 2.0 when it carries no `oauth_signature` (query, body or Authorization
// header) but an `access_token` or `oauth_version=2.a`. Everything else is OAuth 1.0a as before.
//
// Refusals are ret 3 with the sub-codes of the OAuth 1.0a table (README "open.t.qq.com"):
// 102 "missing parameter" for a missing oauth_version (a 2014 capture) and for any other
// missing OAuth 2.0 parameter, 5 oauth_version not 2.a, 7 unknown oauth_consumer_key or an
// openid that is not the token's, 3 unknown / other app's token, 1 revoked, 4 expired.
import type { FastifyRequest } from 'fastify';
import type { World } from '../../db/world.js';
import type { App } from '../../db/apps.js';
import type { UserRow } from '../../db/users.js';
import type { TokenRow } from '../../db/oauth2.js';
import type { OAuth1Token } from '../../db/oauth1.js';
import type { Args } from '../args.js';
import { authFailed } from '../errors.js';
import { authenticateWeibo as authenticateOAuth1 } from './oauth1.js';

export type WeiboAuth =
  | { flavour: 'oauth1'; app: App; user: UserRow; token: OAuth1Token }
  | { flavour: 'oauth2'; app: App; user: UserRow; token: TokenRow; openid: string };

/** The OAuth 2.0 parameters an /api/* call carries (every SDK sends all of them). */
export const OAUTH2_PARAMS = ['oauth_consumer_key', 'access_token', 'openid', 'oauth_version'] as const;

/** Does this call use the OAuth 2.0 flavour (no signature; an access_token or oauth_version=2.a)? */
export function isOAuth2Call(req: FastifyRequest, args: Args): boolean {
  if (args.str('oauth_signature') !== undefined || /^OAuth\s/i.test(String(req.headers.authorization ?? ''))) return false;
  return args.str('access_token') !== undefined || args.str('oauth_version') === '2.a';
}

/** Checks an OAuth 2.0 call: version, parameters, app, token (owner app, revoked, expiry), openid. */
export function verifyWeiboOAuth2(world: World, args: Args): Extract<WeiboAuth, { flavour: 'oauth2' }> {
  const version = args.str('oauth_version');
  if (version === undefined || version === '') throw authFailed(102, 'missing parameter oauth_version (2.a for OAuth 2.0 calls)');
  if (version !== '2.a') throw authFailed(5, `check sign error: unsupported oauth_version ${version} (2.a for OAuth 2.0 calls)`);
  for (const k of OAUTH2_PARAMS) if (!args.str(k)) throw authFailed(102, `missing parameter ${k}`);

  const app = world.apps.get(args.str('oauth_consumer_key')!);
  if (!app || app.platform !== 'weibo') throw authFailed(7, 'check sign error: unknown oauth_consumer_key');
  const token = world.oauth2.getToken(args.str('access_token')!);
  if (!token || token.appid !== app.appid) throw authFailed(3, 'check sign error: access_token does not exist');
  if (token.revoked) throw authFailed(1, 'check sign error: access_token has been revoked');
  if (token.expires_at <= world.now()) throw authFailed(4, 'check sign error: access_token has expired (refresh it at /cgi-bin/oauth2/access_token)');

  const openid = world.apps.openidFor(app.appid, token.user_id);
  // a 2013 capture shows the openid in lower case: compared without regard to case
  if (args.str('openid')!.toUpperCase() !== openid.toUpperCase()) throw authFailed(7, 'check sign error: openid is not the openid of this access_token');
  const user = world.users.byId(token.user_id);
  if (!user) throw authFailed(3, 'check sign error: access_token does not exist');
  return { flavour: 'oauth2', app, user, token, openid };
}

export function authenticateWeibo(world: World, req: FastifyRequest, args: Args, publicBase?: string): WeiboAuth {
  if (isOAuth2Call(req, args)) return verifyWeiboOAuth2(world, args);
  return { flavour: 'oauth1', ...authenticateOAuth1(world, req, publicBase) };
}
