// Direct issuance: POST /_emulator/apps, users, relations, tokens/graph, tokens/weibo (OAuth 1.0a, or flavour=oauth2).
import { randomBytes, randomInt } from 'node:crypto';
import { hex32, hex32lower } from '../../db/ids.js';
import { ACCESS_TTL, WEIBO_ACCESS_TTL } from '../../db/oauth2.js';
import { FIXTURES } from '../../seed/generate.js';
import { bool, num, Refusal, str, type Control, type ControlDoc, WORLD_FIELD } from './context.js';

/** A free id: `prefix` and five random digits. */
export function uniqueDigits(prefix: string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = prefix + String(randomInt(0, 100000)).padStart(5, '0');
    if (!taken(id)) return id;
  }
}

const S = { type: 'string' } as const;
const APPS_DOC: ControlDoc = {
  summary: 'issue an app (graph or weibo): appid and secret are generated unless given',
  body: {
    platform: { type: 'string', enum: ['graph', 'weibo'], default: 'graph' },
    appid: S,
    secret: S,
    name: S,
    redirectUris: { type: 'array', items: S, description: 'a list, or a comma-separated string' },
    grantedApis: { type: 'array', items: S, description: 'graph APIs that need approval (get_vip_info, list_album …)' },
    unionid: { type: 'boolean' },
    world: WORLD_FIELD,
  },
  example: { platform: 'graph', name: 'Docs Site', redirectUris: ['http://localhost:3000/callback'], grantedApis: ['get_vip_info'] },
  answer: { type: 'object', required: ['appid', 'secret', 'platform'], properties: { appid: S, secret: S, name: S, platform: S, redirectUris: { type: 'array', items: S }, grantedApis: { type: 'array', items: S }, unionid: { type: 'boolean' } } },
};
const USERS_DOC: ControlDoc = {
  summary: 'create a user; answers its openid for every graph app',
  body: { name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]{0,19}$' }, nick: S, sex: { type: 'integer', enum: [0, 1, 2] }, location: S, introduction: S, world: WORLD_FIELD },
  required: ['name'],
  example: { name: 'docsuser', nick: 'Docs User', sex: 1 },
  answer: { type: 'object', required: ['id', 'name', 'openids'], properties: { id: { type: 'integer' }, name: S, nick: S, openids: { type: 'object', additionalProperties: S } } },
};
const RELATIONS_DOC: ControlDoc = {
  summary: 'make fan follow idol (special: a special follow)',
  body: { fan: { ...S, description: 'account name or user id (alias from)' }, idol: { ...S, description: 'account name or user id (alias to)' }, special: { type: 'boolean' }, world: WORLD_FIELD },
  required: ['fan', 'idol'],
  example: { fan: 'carol', idol: 'dave', special: true },
  answer: { type: 'object', required: ['fan', 'idol', 'created', 'special'], properties: { fan: S, idol: S, created: { type: 'boolean' }, special: { type: 'boolean' } } },
};
const GRAPH_TOKEN_DOC: ControlDoc = {
  summary: 'mint a graph.qq.com access token without the browser flow',
  body: { user: { ...S, description: 'account name or user id' }, appid: { ...S, description: 'a graph app (the seeded 101000001 when absent)' }, scope: { ...S, default: 'all' }, world: WORLD_FIELD },
  required: ['user'],
  example: { user: 'alice', scope: 'all' },
  answer: { type: 'object', required: ['access_token', 'openid', 'oauth_consumer_key'], properties: { access_token: S, openid: S, oauth_consumer_key: S, expires_in: { type: 'integer' }, refresh_token: S } },
};
const WEIBO_TOKEN_DOC: ControlDoc = {
  summary: 'mint an open.t.qq.com access token without the dance: OAuth 1.0a (token and secret, the default) or flavour=oauth2 (access_token and openid for oauth_version=2.a calls)',
  body: {
    user: { ...S, description: 'account name or user id' },
    appid: { ...S, description: 'a weibo app (the seeded 801000001 when absent)' },
    flavour: { type: 'string', enum: ['oauth1', 'oauth2'], default: 'oauth1' },
    world: WORLD_FIELD,
  },
  required: ['user'],
  example: { user: 'alice' },
  answer: {
    anyOf: [
      { type: 'object', required: ['oauth_token', 'oauth_token_secret', 'oauth_consumer_key', 'oauth_consumer_secret', 'name'], properties: { oauth_token: S, oauth_token_secret: S, oauth_consumer_key: S, oauth_consumer_secret: S, name: S } },
      {
        type: 'object',
        required: ['access_token', 'openid', 'oauth_consumer_key', 'oauth_version'],
        properties: { access_token: S, expires_in: { type: 'integer' }, refresh_token: S, openid: S, oauth_consumer_key: S, oauth_version: { type: 'string', enum: ['2.a'] }, name: S, nick: S },
      },
    ],
  },
};

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
  }, APPS_DOC);

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
  }, USERS_DOC);

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
  }, RELATIONS_DOC);

  route('POST', 'tokens/graph', ['world', 'user', 'appid', 'scope'], (_req, _reply, o) => {
    const w = targetWorld(o);
    const u = userOf(w, o.user);
    const a = appOf(w, o.appid, FIXTURES.graphApp.appid, 'graph');
    const scope = str(o.scope, 'scope') ?? 'all';
    const t = w.tx(() => w.oauth2.issueToken(a.appid, u.id, scope));
    return { access_token: t.access_token, openid: w.apps.openidFor(a.appid, u.id), oauth_consumer_key: a.appid, expires_in: ACCESS_TTL, refresh_token: t.refresh_token };
  }, GRAPH_TOKEN_DOC);

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
  }, WEIBO_TOKEN_DOC);
}
