// open.t.qq.com OAuth 1.0a: every call is verified like the real server did, with an
// HMAC-SHA1 signature over the RFC 5849 base string (./oauth1_signature.ts), and the
// token, timestamp window and nonce checked. Refusals are ret 3 with the sub-codes of
// reference §7.2.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { World } from '../../db/world.js';
import type { App } from '../../db/apps.js';
import type { OAuth1Token } from '../../db/oauth1.js';
import type { UserRow } from '../../db/users.js';
import { authFailed } from '../errors.js';
import { clientPath, forwarded, requestOrigin } from '../hosts.js';
import { diagnoseSignature, skewDiagnosis } from './oauth1_diagnosis.js';
import { hmacSha1, signatureBase, signingKey, type ParamBag } from './oauth1_signature.js';

export const TIMESTAMP_WINDOW = 300; // seconds either side of the server clock

export type { ParamBag };

/** A bag without a prototype: parameters named `toString` or `__proto__` are ordinary names. */
const newBag = (): ParamBag => Object.create(null) as ParamBag;

const add = (bag: ParamBag, k: string, v: string) => {
  (bag[k] ??= []).push(v);
};

/** Parses `Authorization: OAuth k="v", …` (RFC 5849 §3.5.1). */
export function parseAuthHeader(h: string | undefined): ParamBag {
  const bag = newBag();
  if (!h || !/^OAuth\s/i.test(h)) return bag;
  const re = /([A-Za-z0-9_%.~-]+)\s*=\s*"([^"]*)"/g;
  for (const m of h.slice(6).matchAll(re)) {
    try {
      const k = decodeURIComponent(m[1]);
      if (k === 'realm') continue;
      add(bag, k, decodeURIComponent(m[2]));
    } catch {
      throw authFailed(7, 'check sign error: malformed Authorization header');
    }
  }
  return bag;
}

/** Query (form semantics: `+` is a space), form body, multipart text fields and header. */
export function collectSignedParams(req: FastifyRequest): ParamBag {
  return collect(req).bag;
}

/** The signed parameters, and (when any) the bag in which each name=value pair sent in both the
 * query and the body is counted once: the base string a 2011 Python SDK's POSTs were signed over
 * (every parameter in the query, the non-OAuth ones repeated in the body; see README). */
function collect(req: FastifyRequest): { bag: ParamBag; once?: ParamBag } {
  const bag = newBag();
  const q = req.url.indexOf('?');
  if (q >= 0) for (const [k, v] of new URLSearchParams(req.url.slice(q + 1))) add(bag, k, v);
  let repeated = 0;
  let query: ParamBag | undefined;
  let inBody: ParamBag | undefined;
  const body = req.body as Record<string, unknown> | undefined;
  // raw bodies of other content types (kept as a Buffer) are not parameters (RFC 5849 §3.4.1.3.1)
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [k, v] of Object.entries(body)) {
      const parts = Array.isArray(v) ? v : [v];
      for (const p of parts) {
        let value: string | undefined;
        if (typeof p === 'string') value = p;
        else if (p && typeof p === 'object' && (p as { type?: string }).type === 'field') value = String((p as { value: unknown }).value);
        // file parts (the `pic` field) are not signed
        if (value === undefined) continue;
        if (!query) {
          // the query's own values, before the body's join them in the bag
          query = newBag();
          for (const n in bag) query[n] = [...bag[n]];
          inBody = newBag();
        }
        add(bag, k, value);
        add(inBody!, k, value);
        if (query[k]?.includes(value)) repeated++;
      }
    }
  }
  const authorization = req.headers.authorization;
  if (authorization) for (const [k, vs] of Object.entries(parseAuthHeader(authorization))) for (const v of vs) add(bag, k, v);
  if (repeated === 0) return { bag };
  const once = newBag();
  for (const [k, vs] of Object.entries(bag)) {
    const left = [...vs];
    // each value as often as its larger side sent it: min(query, body) copies were repeats
    for (const v of new Set(inBody![k] ?? [])) {
      const twice = Math.min(query![k]?.filter((x) => x === v).length ?? 0, inBody![k].filter((x) => x === v).length);
      for (let i = 0; i < twice; i++) left.splice(left.indexOf(v), 1);
    }
    once[k] = left;
  }
  return { bag, once };
}

/** Whether `signature` is the HMAC-SHA1 of one of the accepted base strings (RFC 5849's, or the
 * one with query/body repeats counted once). */
function signatureMatches(signature: string, method: string, uri: string, bags: ParamBag[], consumerSecret: string, tokenSecret: string): boolean {
  const b = Buffer.from(signature);
  const key = signingKey(consumerSecret, tokenSecret);
  return bags.some((bag) => {
    const a = Buffer.from(hmacSha1(key, signatureBase(method, uri, bag, 'oauth_signature')));
    return a.length === b.length && timingSafeEqual(a, b);
  });
}

/** scheme://host[:port]/path as the client addressed it (the signature's base URI). */
export function baseUri(req: FastifyRequest, publicBase?: string): string {
  // the path as called, a `/graph.qq.com` or `/open.t.qq.com` prefix included (server/hosts.ts)
  const path = clientPath(req);
  // an absolute-form request line names the URL the client signed
  const origin = requestOrigin(req);
  if (origin) return origin + path;
  if (publicBase) {
    // scheme and host are case-insensitive and a default port is dropped; a path prefix keeps its case
    try {
      const u = new URL(publicBase);
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}${path}`;
    } catch {
      return publicBase.replace(/\/$/, '') + path;
    }
  }
  const proto = String(forwarded(req, 'proto') ?? req.protocol).split(',')[0].trim().toLowerCase();
  let host = String(forwarded(req, 'host') ?? req.headers.host ?? 'localhost').split(',')[0].trim().toLowerCase();
  if ((proto === 'http' && host.endsWith(':80')) || (proto === 'https' && host.endsWith(':443'))) host = host.replace(/:\d+$/, '');
  return `${proto}://${host}${path}`;
}

const one = (bag: ParamBag, k: string): string | undefined => bag[k]?.[0];

export interface OAuth1Check {
  app: App;
  token?: OAuth1Token;
  params: ParamBag;
}

/**
 * Verifies a signed request. `tokenKind`: 'access' for API calls, 'request' for
 * access_token, 'none' for request_token.
 */
export function verifyOAuth1(world: World, req: FastifyRequest, tokenKind: 'access' | 'request' | 'none', publicBase?: string): OAuth1Check {
  const { bag: params, once } = collect(req);
  const consumerKey = one(params, 'oauth_consumer_key');
  const signature = one(params, 'oauth_signature');
  const method = one(params, 'oauth_signature_method');
  const version = one(params, 'oauth_version');
  const timestamp = one(params, 'oauth_timestamp');
  const nonce = one(params, 'oauth_nonce');
  const tokenValue = one(params, 'oauth_token');

  const missing = !consumerKey ? 'oauth_consumer_key' : !signature ? 'oauth_signature' : !method ? 'oauth_signature_method' : !timestamp ? 'oauth_timestamp' : !nonce ? 'oauth_nonce' : undefined;
  if (missing) throw authFailed(7, `check sign error: missing parameter ${missing}`);
  if (tokenKind !== 'none' && !tokenValue) throw authFailed(7, 'check sign error: missing parameter oauth_token');
  if (method !== 'HMAC-SHA1') throw authFailed(6, `check sign error: unsupported oauth_signature_method ${method}`);
  if (version !== undefined && version !== '1.0') throw authFailed(5, `check sign error: unsupported oauth_version ${version}`);
  if (!/^\d{1,12}$/.test(timestamp!)) throw authFailed(4, 'check sign error: oauth_timestamp is not a number');
  const ts = Number(timestamp);
  if (Math.abs(world.now() - ts) > TIMESTAMP_WINDOW) {
    req.journalDiagnosis = skewDiagnosis(ts, world.now(), TIMESTAMP_WINDOW);
    throw authFailed(4, 'check sign error: oauth_timestamp is outside the accepted window');
  }

  const app = world.apps.get(consumerKey!);
  if (!app || app.platform !== 'weibo') throw authFailed(7, 'check sign error: unknown oauth_consumer_key');

  let token: OAuth1Token | undefined;
  if (tokenKind !== 'none') {
    token = world.oauth1.get(tokenValue!);
    if (!token || token.appid !== app.appid) throw authFailed(3, 'check sign error: access_token does not exist');
    if (token.revoked) throw authFailed(1, 'check sign error: token has been revoked');
    if (token.kind !== tokenKind) {
      throw authFailed(3, tokenKind === 'access' ? 'check sign error: oauth_token is a request token, not an access token' : 'check sign error: oauth_token is not a request token');
    }
  }

  const bags = once ? [params, once] : [params];
  const uri = baseUri(req, publicBase);
  if (!signatureMatches(signature!, req.method, uri, bags, app.secret, token?.secret ?? '')) {
    // what the journal shows for this refusal (computed only here, never sent to the client)
    req.journalDiagnosis = diagnoseSignature({ req, signature: signature!, method: req.method, uri, bag: params, consumerSecret: app.secret, tokenSecret: token?.secret ?? '', now: world.now() });
    throw authFailed(9, 'check sign error');
  }

  // only a correctly signed request may spend a nonce
  if (!world.oauth1.useNonce(app.appid, nonce!, ts, TIMESTAMP_WINDOW)) throw authFailed(2, 'check sign error: request replay (oauth_nonce already used)');
  return { app, token, params };
}

export interface WeiboAuth {
  app: App;
  token: OAuth1Token;
  user: UserRow;
}

export function authenticateWeibo(world: World, req: FastifyRequest, publicBase?: string): WeiboAuth {
  const { app, token } = verifyOAuth1(world, req, 'access', publicBase);
  const user = token!.user_id !== null ? world.users.byId(token!.user_id) : undefined;
  if (!user) throw authFailed(3, 'check sign error: access_token does not exist');
  return { app, token: token!, user };
}
