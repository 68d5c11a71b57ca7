// Direct issuance: POST /_emulator/apps, users, relations, tokens/graph, tokens/weibo (OAuth 1.0a, or flavour=oauth2).
import { randomBytes, randomInt } from 'node:crypto';
import { hex32, hex32lower } from '../../db/ids.js';
import { ACCESS_TTL, WEIBO_ACCESS_TTL } from '../../db/oauth2.js';
import { FIXTURES } from '../../seed/generate.js';
import { bool, num, Refusal, str, type Control } from './context.js';

/** A free id: `prefix` and five random digits. */
export function uniqueDigits(prefix: string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = prefix + String(randomInt(0, 100000)).padStart(5, '0');
    if (!taken(id)) return id;
  }
}

export function registerIssuance({ state, route, targetWorld, userOf, appOf }: Control): void {
  route('POST', 'apps', ['world', 'platform', 'appid', 'secret', 'name', 'redirectUris', 'redirect_uris', 'grantedApis', 'granted_apis', 'unionid'], (_req, _reply, o) => {
    const w = targetWorld(o);
    const platform = str(o.platform, 'platform') ?? 'graph';
    if (platform !== 'graph' && platform !== 'weibo') throw new Refusal(400, 'platform must be graph or weibo');
    const appid = str(o.appid, 'appid') ?? uniqueDigits(platform === 'graph' ? '1019' : '8019', (id) => !!w.apps.get(id) || state.registry.has(id));
    if (w.apps.get(appid)) throw new Refusal(409, `app ${appid} exists`);
    const list = (v: unknown, name: string): string[] | undefined => {
      if (v === undefined) return undefined;
      if (typeof v === 'string') return v.split(',').filter(Boolean);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      throw new Refusal(400, `${name} must be a list of strings`);
    };
    const a = w.tx(() =>
      w.apps.create({
        appid,
        secret: str(o.secret, 'secret') ?? (platform === 'graph' ? hex32() : hex32lower()),
        name: str(o.name, 'name') ?? `App ${appid}`,
        platform,
        redirectUris: list(o.redirectUris ?? o.redirect_uris, 'redirectUris') ?? ['http://localhost:3000/callback'],
        grantedApis: list(o.grantedApis ?? o.granted_apis, 'grantedApis') ?? [],
        unionid: bool(o.unionid, 'unionid') ?? false,
      }),
    );
    return { appid: a.appid, secret: a.secret, name: a.name, platform: a.platform, redirectUris: a.redirectUris, grantedApis: a.grantedApis, unionid: a.unionid };
  });

  route('POST', 'users', ['world', 'name', 'nick', 'sex', 'location', 'introduction'], (_req, _reply, o) => {
    const w = targetWorld(o);
    const name = str(o.name, 'name', true)!;
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,19}$/.test(name)) throw new Refusal(400, 'name must be 1-20 of A-Z a-z 0-9 _ - starting with a letter');
    if (w.users.byName(name)) throw new Refusal(409, `user ${name} exists`);
    const sex = num(o.sex, 'sex', { int: true, min: 0, max: 2 });
    const u = w.tx(() =>
      w.users.create({
        name,
        nick: str(o.nick, 'nick') ?? name,
        unionid: 'UID_' + hex32(),
        qq_avatar_key: randomBytes(11).toString('hex'),
        ...(sex !== undefined ? { sex } : {}),
        ...(str(o.location, 'location') !== undefined ? { location: str(o.location, 'location')! } : {}),
        ...(str(o.introduction, 'introduction') !== undefined ? { introduction: str(o.introduction, 'introduction')! } : {}),
      }),
    );
    const openids: Record<string, string> = {};
    for (const a of w.apps.list()) if (a.platform === 'graph') openids[a.appid] = w.apps.openidFor(a.appid, u.id);
    return { id: u.id, name: u.name, nick: u.nick, openids };
  });

  route('POST', 'relations', ['world', 'fan', 'from', 'idol', 'to', 'special'], (_req, _reply, o) => {
    const w = targetWorld(o);
    const fan = userOf(w, o.fan ?? o.from, 'fan');
    const idol = userOf(w, o.idol ?? o.to, 'idol');
    if (fan.id === idol.id) throw new Refusal(400, 'a user cannot follow themselves');
    const special = bool(o.special, 'special');
    const created = w.tx(() => {
      const c = w.relations.follow(fan.id, idol.id);
      if (special !== undefined) w.relations.setSpecial(fan.id, idol.id, special);
      return c;
    });
    return { fan: fan.name, idol: idol.name, created, special: w.relations.isSpecial(fan.id, idol.id) };
  });

  route('POST', 'tokens/graph', ['world', 'user', 'appid', 'scope'], (_req, _reply, o) => {
    const w = targetWorld(o);
    const u = userOf(w, o.user);
    const a = appOf(w, o.appid, FIXTURES.graphApp.appid, 'graph');
    const scope = str(o.scope, 'scope') ?? 'all';
    const t = w.tx(() => w.oauth2.issueToken(a.appid, u.id, scope));
    return { access_token: t.access_token, openid: w.apps.openidFor(a.appid, u.id), oauth_consumer_key: a.appid, expires_in: ACCESS_TTL, refresh_token: t.refresh_token };
  });

  route('POST', 'tokens/weibo', ['world', 'user', 'appid', 'flavour'], (_req, _reply, o) => {
    const w = targetWorld(o);
    const u = userOf(w, o.user);
    const a = appOf(w, o.appid, FIXTURES.weiboApp.appid, 'weibo');
    // flavour=oauth2: the 2012+ OAuth 2.0 token (/cgi-bin/oauth2/access_token without the browser), used unsigned with oauth_version=2.a
    const flavour = str(o.flavour, 'flavour') ?? 'oauth1';
    if (flavour === 'oauth2') {
      const t = w.tx(() => w.oauth2.issueToken(a.appid, u.id, 'all', WEIBO_ACCESS_TTL));
      return { access_token: t.access_token, expires_in: WEIBO_ACCESS_TTL, refresh_token: t.refresh_token, openid: w.apps.openidFor(a.appid, u.id), oauth_consumer_key: a.appid, oauth_version: '2.a', name: u.name, nick: u.nick };
    }
    if (flavour !== 'oauth1') throw new Refusal(400, 'flavour must be oauth1 (default) or oauth2');
    const t = w.tx(() => w.oauth1.createAccessToken(a.appid, u.id));
    return { oauth_token: t.token, oauth_token_secret: t.secret, oauth_consumer_key: a.appid, oauth_consumer_secret: a.secret, name: u.name };
  });
}
