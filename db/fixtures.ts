// Fixtures: a team's known test accounts declared in a file (--fixtures) or a control call
// (POST /_emulator/fixtures) — apps, users, relations, tweets, private messages and tokens with
// fixed values — loaded into a world through the store's own create methods. Loading is
// idempotent (upsert by natural keys: appid, user name, fan+idol, tweet id or author+text,
// sender+recipient+text, token value) and all-or-nothing (one transaction). Every refusal names
// the source, the entry and the field: `fixtures.json: users[2].name: …`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { World } from './world.js';
import type { UserRow } from './users.js';
import { InvalidData, StoreError } from './errors.js';
import { TYPE } from './tweets.js';
import { sendPrivate } from './private.js';
import { ACCESS_TTL, WEIBO_ACCESS_TTL } from './oauth2.js';

/** yaml, loaded for a .yaml/.yml file only: evaluating it is ~1 % of a start's CPU profile (the one-file build loads it from node_modules) */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

export interface FixtureApp {
  appid: string;
  secret: string;
  name: string;
  platform: 'graph' | 'weibo';
  redirectUris: string[];
  grantedApis: string[];
  unionid: boolean;
}
export interface FixtureUser {
  name: string;
  nick: string;
  sex?: number;
  location?: string;
  introduction?: string;
  isvip?: number;
}
export interface Fixtures {
  apps: FixtureApp[];
  users: FixtureUser[];
  relations: { fan: string; idol: string; special?: boolean }[];
  tweets: { id?: number; author: string; text: string }[];
  privateMessages: { from: string; to: string; text: string }[];
  tokens: (
    | { platform: 'graph'; appid: string; user: string; access_token: string; refresh_token?: string; scope?: string }
    | { platform: 'weibo'; appid: string; user: string; oauth_token: string; oauth_token_secret: string }
    /** open.t.qq.com's OAuth 2.0 flavour (used unsigned with oauth_version=2.a) */
    | { platform: 'weibo'; flavour: 'oauth2'; appid: string; user: string; access_token: string; refresh_token?: string }
  )[];
}

/** The sections a fixtures document may hold (also the control call's parameters). */
export const FIXTURE_SECTIONS = ['apps', 'users', 'relations', 'tweets', 'privateMessages', 'tokens'] as const;

/** A fixtures document refused: the message names the source, entry and field. */
export class FixtureError extends InvalidData {}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,19}$/;
const TOKEN = /^[A-Za-z0-9._~-]{8,128}$/;
const TEXT_MAX = 2000;

/** Checks one document's shape; `source` names it in errors (a file path, or "body"). */
export function parseFixtures(doc: unknown, source: string): Fixtures {
  const fail = (at: string, msg: string): never => {
    throw new FixtureError(`${source}: ${at}: ${msg}`);
  };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('top level', 'must be an object');
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (!(FIXTURE_SECTIONS as readonly string[]).includes(k)) fail(k, `unknown section (known: ${FIXTURE_SECTIONS.join(', ')})`);
  const section = (k: (typeof FIXTURE_SECTIONS)[number]): Record<string, unknown>[] => {
    const v = top[k] ?? [];
    if (!Array.isArray(v)) fail(k, 'must be a list');
    if ((v as unknown[]).length > 10000) fail(k, 'holds at most 10000 entries');
    return (v as unknown[]).map((e, i) => (e && typeof e === 'object' && !Array.isArray(e) ? (e as Record<string, unknown>) : fail(`${k}[${i}]`, 'must be an object')));
  };
  /** a reader of entry `k[i]`: refuses fields it does not know, and names each field it checks */
  const entry = (k: string, i: number, e: Record<string, unknown>, known: string[]) => {
    const at = (f: string) => `${k}[${i}].${f}`;
    for (const f of Object.keys(e)) if (!known.includes(f)) fail(at(f), `unknown field (known: ${known.join(', ')})`);
    const s = (f: string, o: { required?: boolean; re?: RegExp; reDoc?: string; max?: number } = {}): string | undefined => {
      const v = e[f];
      if (v === undefined || v === null) return o.required ? fail(at(f), 'is required') : undefined;
      if (typeof v !== 'string') return fail(at(f), 'must be a string');
      if (o.required && v === '') return fail(at(f), 'must not be empty');
      if (v.length > (o.max ?? 200)) return fail(at(f), `is longer than ${o.max ?? 200} characters`);
      if (o.re && !o.re.test(v)) return fail(at(f), `must be ${o.reDoc}`);
      return v;
    };
    const list = (f: string): string[] => {
      const v = e[f] ?? [];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return fail(at(f), 'must be a list of strings');
      return v as string[];
    };
    const int = (f: string, min: number, max: number): number | undefined => {
      const v = e[f];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return fail(at(f), `must be an integer from ${min} to ${max}`);
      return v;
    };
    const bool = (f: string): boolean | undefined => {
      const v = e[f];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'boolean') return fail(at(f), 'must be true or false');
      return v;
    };
    return { s, list, int, bool, at };
  };
  const name = { required: true, re: NAME, reDoc: '1-20 of A-Z a-z 0-9 _ - starting with a letter' };
  const token = { required: true, re: TOKEN, reDoc: '8-128 of A-Z a-z 0-9 . _ ~ -' };
  return {
    apps: section('apps').map((e, i) => {
      const r = entry('apps', i, e, ['appid', 'secret', 'name', 'platform', 'redirectUris', 'grantedApis', 'unionid']);
      const platform = r.s('platform') ?? 'graph';
      if (platform !== 'graph' && platform !== 'weibo') fail(r.at('platform'), 'must be graph or weibo');
      const appid = r.s('appid', { required: true, re: /^\d{1,20}$/, reDoc: 'digits' })!;
      return { appid, secret: r.s('secret', token)!, name: r.s('name') ?? `App ${appid}`, platform: platform as 'graph' | 'weibo', redirectUris: r.list('redirectUris'), grantedApis: r.list('grantedApis'), unionid: r.bool('unionid') ?? false };
    }),
    users: section('users').map((e, i) => {
      const r = entry('users', i, e, ['name', 'nick', 'sex', 'location', 'introduction', 'isvip']);
      const n = r.s('name', name)!;
      const u: FixtureUser = { name: n, nick: r.s('nick', { max: 40 }) ?? n };
      const sex = r.int('sex', 0, 2);
      const isvip = r.int('isvip', 0, 1);
      const location = r.s('location');
      const introduction = r.s('introduction', { max: 140 });
      return { ...u, ...(sex !== undefined && { sex }), ...(isvip !== undefined && { isvip }), ...(location !== undefined && { location }), ...(introduction !== undefined && { introduction }) };
    }),
    relations: section('relations').map((e, i) => {
      const r = entry('relations', i, e, ['fan', 'idol', 'special']);
      const fan = r.s('fan', name)!;
      const idol = r.s('idol', name)!;
      if (fan === idol) fail(r.at('idol'), 'a user cannot follow themselves');
      const special = r.bool('special');
      return { fan, idol, ...(special !== undefined && { special }) };
    }),
    tweets: section('tweets').map((e, i) => {
      const r = entry('tweets', i, e, ['id', 'author', 'text']);
      const id = r.int('id', 1, Number.MAX_SAFE_INTEGER);
      return { ...(id !== undefined && { id }), author: r.s('author', name)!, text: r.s('text', { required: true, max: TEXT_MAX })! };
    }),
    privateMessages: section('privateMessages').map((e, i) => {
      const r = entry('privateMessages', i, e, ['from', 'to', 'text']);
      return { from: r.s('from', name)!, to: r.s('to', name)!, text: r.s('text', { required: true, max: TEXT_MAX })! };
    }),
    tokens: section('tokens').map((e, i) => {
      const platform = e.platform ?? 'graph';
      if (platform === 'weibo' && e.flavour !== undefined) {
        const r = entry('tokens', i, e, ['platform', 'flavour', 'appid', 'user', 'access_token', 'refresh_token']);
        if (e.flavour !== 'oauth2' && e.flavour !== 'oauth1') fail(r.at('flavour'), 'must be oauth1 (default) or oauth2');
        if (e.flavour === 'oauth2') {
          const refresh = r.s('refresh_token', { re: TOKEN, reDoc: token.reDoc });
          return { platform, flavour: 'oauth2' as const, appid: r.s('appid', { required: true })!, user: r.s('user', name)!, access_token: r.s('access_token', token)!, ...(refresh !== undefined && { refresh_token: refresh }) };
        }
      }
      if (platform === 'weibo') {
        const r = entry('tokens', i, e, ['platform', 'flavour', 'appid', 'user', 'oauth_token', 'oauth_token_secret']);
        return { platform, appid: r.s('appid', { required: true })!, user: r.s('user', name)!, oauth_token: r.s('oauth_token', token)!, oauth_token_secret: r.s('oauth_token_secret', token)! };
      }
      const r = entry('tokens', i, e, ['platform', 'appid', 'user', 'access_token', 'refresh_token', 'scope']);
      if (platform !== 'graph') fail(r.at('platform'), 'must be graph or weibo');
      const refresh = r.s('refresh_token', { re: TOKEN, reDoc: token.reDoc });
      const scope = r.s('scope');
      return { platform: 'graph' as const, appid: r.s('appid', { required: true })!, user: r.s('user', name)!, access_token: r.s('access_token', token)!, ...(refresh !== undefined && { refresh_token: refresh }), ...(scope !== undefined && { scope }) };
    }),
  };
}

/** Reads and checks a fixtures file: JSON, or YAML when it ends in .yaml / .yml. */
export function readFixturesFile(path: string): Fixtures {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FixtureError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new FixtureError(`${path}: not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseFixtures(doc, path);
}

/** A stable 32-hex value from a name: a declared user keeps its unionid (and so its openids) across reloads and resets. */
const derived = (kind: string, name: string, len: number) => createHash('sha256').update(`fixture:${kind}:${name}`).digest('hex').slice(0, len);

export interface FixtureCounts {
  apps: number;
  users: number;
  relations: number;
  tweets: number;
  privateMessages: number;
  tokens: number;
}

/** Loads checked fixtures into `w` in one transaction; answers how many rows each section created (0s on a reload). */
export function applyFixtures(w: World, f: Fixtures, source: string): FixtureCounts {
  const created: FixtureCounts = { apps: 0, users: 0, relations: 0, tweets: 0, privateMessages: 0, tokens: 0 };
  const fail = (at: string, msg: string): never => {
    throw new FixtureError(`${source}: ${at}: ${msg}`);
  };
  const user = (n: string, at: string): UserRow => w.users.byName(n) ?? fail(at, `no user ${n} (declare it under users or use a seeded one)`);
  const app = (appid: string, platform: 'graph' | 'weibo', at: string) => {
    const a = w.apps.get(appid) ?? fail(at, `no app ${appid}`);
    if (a.platform !== platform) fail(at, `app ${appid} is a ${a.platform} app`);
    return a;
  };
  // a store refusal (a rule, a missing row) inside an entry is reported as that entry's
  const guard = <T>(at: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof StoreError) return fail(at, e.message);
      throw e;
    }
  };
  w.tx(() => {
    f.apps.forEach((a, i) => {
      const old = w.apps.get(a.appid);
      if (!old) {
        w.apps.create(a);
        created.apps++;
      } else if (JSON.stringify([old.secret, old.name, old.platform, old.redirectUris, old.grantedApis, old.unionid]) !== JSON.stringify([a.secret, a.name, a.platform, a.redirectUris, a.grantedApis, a.unionid])) {
        if (old.platform !== a.platform) fail(`apps[${i}].platform`, `app ${a.appid} exists as a ${old.platform} app`);
        w.apps.update(a.appid, a);
      }
    });
    f.users.forEach((u) => {
      const { name, ...profile } = u;
      const old = w.users.byName(name);
      if (old) w.users.update(old.id, profile);
      else {
        w.users.create({ name, ...profile, unionid: 'UID_' + derived('unionid', name, 32).toUpperCase(), qq_avatar_key: derived('avatar', name, 22) });
        created.users++;
      }
    });
    f.relations.forEach((r, i) => {
      const fan = user(r.fan, `relations[${i}].fan`);
      const idol = user(r.idol, `relations[${i}].idol`);
      guard(`relations[${i}]`, () => {
        if (w.relations.follow(fan.id, idol.id)) created.relations++;
        if (r.special !== undefined) w.relations.setSpecial(fan.id, idol.id, r.special);
      });
    });
    f.tweets.forEach((t, i) => {
      const author = user(t.author, `tweets[${i}].author`);
      if (t.id !== undefined) {
        const old = w.tweets.get(t.id);
        if (old) {
          if (old.user_id !== author.id || old.origtext !== t.text) fail(`tweets[${i}].id`, `tweet ${t.id} exists with another author or text`);
          return;
        }
      } else if (w.db.prepare('SELECT 1 FROM tweets WHERE user_id = ? AND type = ? AND origtext = ?').get(author.id, TYPE.original, t.text)) return;
      guard(`tweets[${i}]`, () => w.tweets.post({ ...(t.id !== undefined && { id: t.id }), userId: author.id, type: TYPE.original, content: t.text, skipRules: true }));
      created.tweets++;
    });
    f.privateMessages.forEach((m, i) => {
      const from = user(m.from, `privateMessages[${i}].from`);
      const to = user(m.to, `privateMessages[${i}].to`);
      if (w.db.prepare('SELECT 1 FROM private_messages WHERE from_id = ? AND to_id = ? AND origtext = ?').get(from.id, to.id, m.text)) return;
      guard(`privateMessages[${i}]`, () => sendPrivate(w, { fromId: from.id, toName: to.name, content: m.text }));
      created.privateMessages++;
    });
    f.tokens.forEach((t, i) => {
      const at = `tokens[${i}]`;
      const u = user(t.user, `${at}.user`);
      const a = app(t.appid, t.platform, `${at}.appid`);
      if (t.platform === 'graph' || 'flavour' in t) {
        const old = w.oauth2.getToken(t.access_token);
        if (old) {
          if (old.appid !== a.appid || old.user_id !== u.id) fail(`${at}.access_token`, 'is already issued to another app or user');
          return;
        }
        const refresh = t.refresh_token ?? derived('refresh', t.access_token, 32).toUpperCase();
        if (w.oauth2.getByRefresh(refresh)) fail(`${at}.refresh_token`, 'is already in use');
        const graph = t.platform === 'graph';
        w.oauth2.issueToken(a.appid, u.id, (graph && t.scope) || 'all', graph ? ACCESS_TTL : WEIBO_ACCESS_TTL, { access_token: t.access_token, refresh_token: refresh });
      } else {
        const old = w.oauth1.get(t.oauth_token);
        if (old) {
          if (old.appid !== a.appid || old.user_id !== u.id || old.secret !== t.oauth_token_secret) fail(`${at}.oauth_token`, 'is already issued to another app or user, or with another secret');
          return;
        }
        w.oauth1.createAccessToken(a.appid, u.id, { token: t.oauth_token, secret: t.oauth_token_secret });
      }
      created.tokens++;
    });
  });
  return created;
}
