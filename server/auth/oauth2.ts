// graph.qq.com OpenAPI authentication: access_token + oauth_consumer_key + openid checked
// together, then the app's approval and the token's scope for the API being called.
import type { World } from '../../db/world.js';
import type { App } from '../../db/apps.js';
import type { UserRow } from '../../db/users.js';
import type { TokenRow } from '../../db/oauth2.js';
import type { Args } from '../args.js';
import { ApiError } from '../errors.js';

export interface GraphAuth {
  app: App;
  user: UserRow;
  openid: string;
  token: TokenRow;
}

/** APIs marked "需要申请" in seed 000: the app must be approved for them (else 100031). */
export const APPROVAL_REQUIRED = new Set([
  'get_vip_info',
  'get_vip_rich_info',
  'list_album',
  'upload_pic',
  'add_album',
  'list_photo',
  'get_tenpay_addr',
]);

/** Scope names clients send that mean another API (the PHP SDK's misspelling). */
const SCOPE_ALIASES: Record<string, string> = { get_idolist: 'get_idollist' };

export function parseScope(scope: string | undefined): string[] {
  const names = (scope ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => SCOPE_ALIASES[s] ?? s);
  return names.length ? [...new Set(names)] : ['get_user_info'];
}

export function scopeAllows(scope: string, api: string): boolean {
  const names = scope.split(',');
  if (names.includes('all') || names.includes(api)) return true;
  // get_user_info is granted with any login; get_simple_userinfo is its subset
  if (api === 'get_user_info' || api === 'get_simple_userinfo') return true;
  return false;
}

export function authenticateGraph(world: World, args: Args, api: string): GraphAuth {
  const accessToken = args.str('access_token');
  const appid = args.str('oauth_consumer_key') ?? args.str('appid');
  const openid = args.str('openid');
  if (!accessToken) throw new ApiError(100007, 'access token is missing');
  if (!appid) throw new ApiError(100001, 'oauth_consumer_key (appid) is missing');
  if (!openid) throw new ApiError(-1, "client request's parameters are invalid, invalid openid");

  const token = world.oauth2.getToken(accessToken);
  if (!token) throw new ApiError(100016, 'access token check failed');
  const app = world.apps.get(appid);
  if (!app || app.platform !== 'graph') throw new ApiError(100008, 'appid does not exist');
  if (token.appid !== appid) throw new ApiError(100013, 'access token is illegal: it was issued to another app');
  if (token.revoked) throw new ApiError(100015, 'access token has been revoked');
  if (token.expires_at <= world.now()) throw new ApiError(100014, 'access token has expired');

  const expected = world.apps.openidFor(appid, token.user_id);
  if (openid !== expected) throw new ApiError(-22, 'openid is invalid');
  const user = world.users.byId(token.user_id);
  if (!user) throw new ApiError(100016, 'access token check failed');

  if (APPROVAL_REQUIRED.has(api) && !app.grantedApis.includes(api) && !app.grantedApis.includes('all')) {
    throw new ApiError(100031, `app has no permission for ${api}: apply for it first`);
  }
  if (!scopeAllows(token.scope, api)) throw new ApiError(100030, `user has not authorised ${api}: ask for it in scope and log in again`);
  return { app, user, openid, token };
}
