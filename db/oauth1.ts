import type { World } from './world.js';
import { hex32lower } from './ids.js';
import { BOOKKEEPING, remember } from './store.js';

export interface OAuth1Token {
  token: string;
  secret: string;
  kind: 'request' | 'access';
  appid: string;
  user_id: number | null;
  callback: string;
  verifier: string | null;
  used: number;
  revoked: number;
  created_at: number;
}

/** Request tokens must be authorised and exchanged within this window. */
export const REQUEST_TOKEN_TTL = 3600;

export class OAuth1Store {
  constructor(private readonly w: World) {}

  get(token: string): OAuth1Token | undefined {
    return remember(this.w.db, 'oauth1_tokens', token, () => this.w.db.prepare('SELECT * FROM oauth1_tokens WHERE token = ?').get(token) as OAuth1Token | undefined);
  }

  createRequestToken(appid: string, callback: string): OAuth1Token {
    const t = { token: hex32lower(), secret: hex32lower(), appid, callback, created_at: this.w.now() };
    this.w.db
      .prepare(`INSERT INTO oauth1_tokens (token, secret, kind, appid, callback, created_at) VALUES (@token, @secret, 'request', @appid, @callback, @created_at)`)
      .run(t);
    return this.get(t.token)!;
  }

  /** The user approved: bind the request token to the user and set a verifier. */
  authorise(token: string, userId: number): string {
    const verifier = String(Math.floor(100000 + Math.random() * 900000));
    this.w.db.prepare(`UPDATE oauth1_tokens SET user_id = ?, verifier = ? WHERE token = ? AND kind = 'request'`).run(userId, verifier, token);
    return verifier;
  }

  /** Exchanges an authorised request token for an access token, once. */
  exchange(request: OAuth1Token): OAuth1Token | undefined {
    return this.w.tx(() => {
      const spent = this.w.db.prepare(`UPDATE oauth1_tokens SET used = 1 WHERE token = ? AND kind = 'request' AND used = 0`).run(request.token);
      if (spent.changes !== 1 || request.user_id === null) return undefined;
      return this.createAccessToken(request.appid, request.user_id);
    });
  }

  /** `fixed`: a declared token and secret (db/fixtures.ts) instead of fresh random ones. */
  createAccessToken(appid: string, userId: number, fixed?: { token: string; secret: string }): OAuth1Token {
    const t = { token: fixed?.token ?? hex32lower(), secret: fixed?.secret ?? hex32lower(), appid, user_id: userId, created_at: this.w.now() };
    this.w.db
      .prepare(`INSERT INTO oauth1_tokens (token, secret, kind, appid, user_id, created_at) VALUES (@token, @secret, 'access', @appid, @user_id, @created_at)`)
      .run(t);
    return this.get(t.token)!;
  }

  /** The user refused at authorize: the request token is spent and can never be exchanged. */
  refuse(token: string): void {
    this.w.db.prepare(`UPDATE oauth1_tokens SET used = 1 WHERE token = ? AND kind = 'request'`).run(token);
  }

  revoke(token: string): boolean {
    return this.w.db.prepare('UPDATE oauth1_tokens SET revoked = 1 WHERE token = ?').run(token).changes > 0;
  }

  /** Records a nonce; false when (app, nonce, timestamp) was already seen (a replay). */
  private prunedAt = -1;

  useNonce(appid: string, nonce: string, timestamp: number, windowSeconds: number): boolean {
    // expired nonces go at most once a second: pruning on every call was a tenth of a signed read
    const now = this.w.now();
    if (now !== this.prunedAt) {
      this.prunedAt = now;
      this.w.db.prepare(`${BOOKKEEPING}DELETE FROM oauth1_nonces WHERE timestamp < ?`).run(now - 2 * windowSeconds);
    }
    // bookkeeping: a signed read must not change the data version its kept answer is filed under
    return this.w.db.prepare(`${BOOKKEEPING}INSERT OR IGNORE INTO oauth1_nonces (appid, nonce, timestamp) VALUES (?, ?, ?)`).run(appid, nonce, timestamp).changes === 1;
  }
}
