import type { World } from './world.js';
import { deriveOpenid } from './ids.js';
import { remember } from './store.js';

export interface AppRow {
  appid: string;
  secret: string;
  name: string;
  platform: 'graph' | 'weibo';
  redirect_uris: string;
  granted_apis: string;
  unionid: number;
  created_at: number;
}

export interface App extends Omit<AppRow, 'redirect_uris' | 'granted_apis' | 'unionid'> {
  redirectUris: string[];
  grantedApis: string[];
  unionid: boolean;
}

const toApp = (r: AppRow): App => ({
  appid: r.appid,
  secret: r.secret,
  name: r.name,
  platform: r.platform,
  created_at: r.created_at,
  redirectUris: JSON.parse(r.redirect_uris),
  grantedApis: JSON.parse(r.granted_apis),
  unionid: r.unionid === 1,
});

/** Connections the openid SQL function (materialiseOpenids) is registered on. */
const withOpenidFunction = new WeakSet<object>();

export class AppStore {
  constructor(private readonly w: World) {}

  get(appid: string): App | undefined {
    return remember(this.w.db, 'apps', appid, () => {
      const r = this.w.db.prepare('SELECT * FROM apps WHERE appid = ?').get(appid) as AppRow | undefined;
      return r && toApp(r);
    });
  }

  list(): App[] {
    return (this.w.db.prepare('SELECT * FROM apps ORDER BY appid').all() as AppRow[]).map(toApp);
  }

  create(a: { appid: string; secret: string; name: string; platform: 'graph' | 'weibo'; redirectUris?: string[]; grantedApis?: string[]; unionid?: boolean; createdAt?: number }): App {
    this.w.db
      .prepare(
        `INSERT INTO apps (appid, secret, name, platform, redirect_uris, granted_apis, unionid, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(a.appid, a.secret, a.name, a.platform, JSON.stringify(a.redirectUris ?? []), JSON.stringify(a.grantedApis ?? []), a.unionid ? 1 : 0, a.createdAt ?? this.w.now());
    this.materialiseOpenids(a.appid);
    return this.get(a.appid)!;
  }

  /** Changes an app's declared fields (fixtures reloaded with new values). */
  update(appid: string, a: { secret: string; name: string; platform: 'graph' | 'weibo'; redirectUris: string[]; grantedApis: string[]; unionid: boolean }): void {
    this.w.db
      .prepare('UPDATE apps SET secret = ?, name = ?, platform = ?, redirect_uris = ?, granted_apis = ?, unionid = ? WHERE appid = ?')
      .run(a.secret, a.name, a.platform, JSON.stringify(a.redirectUris), JSON.stringify(a.grantedApis), a.unionid ? 1 : 0, appid);
  }

  /** The user's openid within this app (stable, created on first use). */
  openidFor(appid: string, userId: number): string {
    return remember(this.w.db, 'openids', `${appid}\n${userId}`, () => this.openidOf(appid, userId));
  }

  private openidOf(appid: string, userId: number): string {
    const row = this.w.db.prepare('SELECT openid FROM openids WHERE appid = ? AND user_id = ?').get(appid, userId) as { openid: string } | undefined;
    if (row) return row.openid;
    const u = this.w.db.prepare('SELECT unionid FROM users WHERE id = ?').get(userId) as { unionid: string } | undefined;
    if (!u) throw new Error(`no user ${userId}`);
    const openid = deriveOpenid(appid, u.unionid);
    this.w.db.prepare('INSERT OR IGNORE INTO openids (appid, user_id, openid) VALUES (?, ?, ?)').run(appid, userId, openid);
    return openid;
  }

  /** The user behind an openid of this app, or undefined. */
  userIdByOpenid(appid: string, openid: string): number | undefined {
    const row = this.w.db.prepare('SELECT user_id FROM openids WHERE appid = ? AND openid = ?').get(appid, openid) as { user_id: number } | undefined;
    return row?.user_id;
  }

  /**
   * Materialises openids so lookups by openid never scan users. One INSERT … SELECT computing each
   * openid by a SQL function: a statement run per (app, user) was two thirds of creating an
   * isolated world (80 runs for its two apps).
   */
  materialiseOpenids(appid?: string, userId?: number): void {
    const db = this.w.db;
    if (!withOpenidFunction.has(db)) {
      db.function('emu_openid', { deterministic: true }, (a: unknown, u: unknown) => deriveOpenid(String(a), String(u)));
      withOpenidFunction.add(db);
    }
    const where = [appid !== undefined ? 'a.appid = @appid' : '', userId !== undefined ? 'u.id = @userId' : ''].filter(Boolean);
    // CROSS JOIN keeps the order of the loops it replaced: apps outside, users inside
    db.prepare(
      `INSERT OR IGNORE INTO openids (appid, user_id, openid) SELECT a.appid, u.id, emu_openid(a.appid, u.unionid) FROM apps a CROSS JOIN users u${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
    ).run({ ...(appid !== undefined ? { appid } : {}), ...(userId !== undefined ? { userId } : {}) });
  }
}
