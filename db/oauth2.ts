import type { World } from './world.js';
import { hex32 } from './ids.js';
import { remember } from './store.js';

export interface CodeRow {
  code: string;
  appid: string;
  user_id: number;
  redirect_uri: string;
  scope: string;
  expires_at: number;
  used: number;
}

export interface TokenRow {
  access_token: string;
  refresh_token: string;
  appid: string;
  user_id: number;
  scope: string;
  created_at: number;
  expires_at: number;
  refresh_expires_at: number;
  refresh_used: number;
  revoked: number;
}

export const CODE_TTL = 600; // authorization codes live 10 minutes (wiki)
export const ACCESS_TTL = 7776000; // 90 days, expires_in of every capture
export const REFRESH_TTL = 15552000; // refresh chain: 6 months
/** open.t.qq.com OAuth 2.0 access tokens: expires_in=604800 in a 2013 capture (reference: JSDK 37174582166). */
export const WEIBO_ACCESS_TTL = 604800;

export class OAuth2Store {
  constructor(private readonly w: World) {}

  createCode(appid: string, userId: number, redirectUri: string, scope: string): string {
    const code = hex32();
    this.w.db
      .prepare('INSERT INTO oauth2_codes (code, appid, user_id, redirect_uri, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(code, appid, userId, redirectUri, scope, this.w.now() + CODE_TTL);
    return code;
  }

  getCode(code: string): CodeRow | undefined {
    return this.w.db.prepare('SELECT * FROM oauth2_codes WHERE code = ?').get(code) as CodeRow | undefined;
  }

  /** Marks a code used; false when another request used it first. */
  useCode(code: string): boolean {
    return this.w.db.prepare('UPDATE oauth2_codes SET used = 1 WHERE code = ? AND used = 0').run(code).changes === 1;
  }

  /** `fixed`: declared values (db/fixtures.ts) instead of fresh random ones. */
  issueToken(appid: string, userId: number, scope: string, ttl = ACCESS_TTL, fixed?: { access_token: string; refresh_token: string }): TokenRow {
    const now = this.w.now();
    const row: TokenRow = {
      access_token: fixed?.access_token ?? hex32(),
      refresh_token: fixed?.refresh_token ?? hex32(),
      appid,
      user_id: userId,
      scope,
      created_at: now,
      expires_at: now + ttl,
      refresh_expires_at: now + REFRESH_TTL,
      refresh_used: 0,
      revoked: 0,
    };
    this.w.db
      .prepare(
        `INSERT INTO oauth2_tokens (access_token, refresh_token, appid, user_id, scope, created_at, expires_at, refresh_expires_at)
         VALUES (@access_token, @refresh_token, @appid, @user_id, @scope, @created_at, @expires_at, @refresh_expires_at)`,
      )
      .run(row);
    return row;
  }

  getToken(accessToken: string): TokenRow | undefined {
    return remember(this.w.db, 'oauth2_tokens', accessToken, () => this.w.db.prepare('SELECT * FROM oauth2_tokens WHERE access_token = ?').get(accessToken) as TokenRow | undefined);
  }

  getByRefresh(refreshToken: string): TokenRow | undefined {
    return this.w.db.prepare('SELECT * FROM oauth2_tokens WHERE refresh_token = ?').get(refreshToken) as TokenRow | undefined;
  }

  /** Rotates: the old refresh token is spent, a new access/refresh pair continues the chain. */
  refresh(old: TokenRow, ttl = ACCESS_TTL): TokenRow | undefined {
    return this.w.tx(() => {
      const spent = this.w.db.prepare('UPDATE oauth2_tokens SET refresh_used = 1 WHERE refresh_token = ? AND refresh_used = 0').run(old.refresh_token);
      if (spent.changes !== 1) return undefined;
      const next = this.issueToken(old.appid, old.user_id, old.scope, ttl);
      // the chain keeps its original end
      this.w.db.prepare('UPDATE oauth2_tokens SET refresh_expires_at = ? WHERE access_token = ?').run(old.refresh_expires_at, next.access_token);
      return { ...next, refresh_expires_at: old.refresh_expires_at };
    });
  }

  revoke(accessToken: string): boolean {
    return this.w.db.prepare('UPDATE oauth2_tokens SET revoked = 1 WHERE access_token = ?').run(accessToken).changes > 0;
  }
}
