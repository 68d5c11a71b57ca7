// Why an OAuth 1.0a signature was refused, for the request journal: the base string the server
// computed, the normalised parameters, and which common client mistake reproduces the client's
// signature (each candidate re-signed with the real secrets, which never leave this module).
// Runs only on a refusal (errcode 9) and only over bounded input.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { hmacSha1, percentEncode, signatureBase, signingKey, type ParamBag } from './oauth1_signature.js';

export interface SignatureDiagnosis {
  /** the signature base string the server computed (RFC 5849 §3.4.1) */
  baseString?: string;
  baseUri?: string;
  /** the normalised parameters, encoded and sorted as they enter the base string */
  normalizedParams?: string[];
  /** oauth_timestamp minus the server clock, in seconds */
  timestampSkewSeconds?: number;
  /** the mistake whose base string gives the client's signature, when one does */
  likelyMistake?: string;
  /** what to check next */
  hint: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** why a signed call was refused, shown in its journal entry (server/control/journal.ts) */
    journalDiagnosis?: SignatureDiagnosis;
  }
}

/** Input above this size is shown but not re-signed in variants (a flood of bad signatures must stay cheap). */
const TRY_MAX_BYTES = 64 * 1024;
const SHOW_MAX = 4096;

const copy = (bag: ParamBag): ParamBag => {
  const out = Object.create(null) as ParamBag;
  for (const [k, vs] of Object.entries(bag)) if (k !== 'oauth_signature') out[k] = [...vs];
  return out;
};
const cutCopy = (s: string) => (s.length > SHOW_MAX ? Buffer.from(s.slice(0, SHOW_MAX)).toString() + `…[${s.length} chars]` : s);

/** Body parameters of the request (form fields, multipart text parts): the ones a client most often leaves out. */
function bodyParamNames(req: FastifyRequest): string[] {
  const body = req.body;
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return [];
  return Object.entries(body as Record<string, unknown>)
    .filter(([, v]) => {
      const p = Array.isArray(v) ? v[0] : v;
      return typeof p === 'string' || (p && typeof p === 'object' && (p as { type?: string }).type === 'field');
    })
    .map(([k]) => k);
}

export interface SignedCall {
  req: FastifyRequest;
  /** the signature the client sent */
  signature: string;
  method: string;
  /** the base string URI the server used */
  uri: string;
  /** every parameter the server counted (oauth_signature included or not) */
  bag: ParamBag;
  consumerSecret: string;
  tokenSecret: string;
  /** the server clock, seconds */
  now: number;
}

export function diagnoseSignature(c: SignedCall): SignatureDiagnosis {
  const signed = copy(c.bag);
  const base = signatureBase(c.method, c.uri, signed);
  const normalized = decodeURIComponent(base.split('&')[2] ?? '');
  const ts = Number(signed.oauth_timestamp?.[0]);
  const out: SignatureDiagnosis = {
    baseString: cutCopy(base),
    baseUri: c.uri,
    normalizedParams: normalized ? normalized.split('&').slice(0, 64).map(cutCopy) : [],
    ...(Number.isFinite(ts) ? { timestampSkewSeconds: ts - c.now } : {}),
    hint: '',
  };
  if (base.length > TRY_MAX_BYTES) {
    out.hint = 'parameters too large to try common mistakes; compare your base string with baseString';
    return out;
  }
  const key = signingKey(c.consumerSecret, c.tokenSecret);
  const theirs = Buffer.from(c.signature);
  const matches = (method: string, uri: string, bag: ParamBag, k = key) => {
    const mine = Buffer.from(hmacSha1(k, signatureBase(method, uri, bag)));
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  };
  const found = firstMistake(c, signed, matches);
  if (found) {
    out.likelyMistake = found;
    out.hint = `${found}. The server signs exactly baseString.`;
  } else {
    out.hint =
      'no common mistake reproduces your signature: check the consumer secret and the token secret (the key is rfc3986(consumer_secret)&rfc3986(token_secret)), then compare your base string with baseString';
  }
  return out;
}

type Matches = (method: string, uri: string, bag: ParamBag, key?: string) => boolean;

function firstMistake(c: SignedCall, signed: ParamBag, matches: Matches): string | undefined {
  const u = new URL(c.uri);
  const path = u.pathname;
  // 1. the URL: scheme, host, port, the real host name, a path prefix
  const uris = new Map<string, string>();
  const other = u.protocol === 'http:' ? 'https:' : 'http:';
  uris.set(`${other}//${u.host}${path}`, `wrong URL scheme: you signed ${other}//…, the server was called over ${u.protocol}//`);
  for (const host of new Set([u.hostname, 'open.t.qq.com', 'localhost', '127.0.0.1'])) {
    for (const port of ['', ':80', ':443', ':8080', u.port ? `:${u.port}` : '']) {
      for (const proto of ['http:', 'https:']) {
        const candidate = `${proto}//${host}${port}${path}`;
        if (candidate !== c.uri && !uris.has(candidate)) uris.set(candidate, `wrong host or port in the signed URL: you signed ${candidate}, the server computed ${c.uri} (behind a proxy or port mapping, start the emulator with --base-url set to the URL you sign)`);
      }
    }
  }
  if (path.startsWith('/open.t.qq.com/')) uris.set(`${u.protocol}//${u.host}${path.slice('/open.t.qq.com'.length)}`, 'the signed URL left out the /open.t.qq.com path prefix you called');
  else uris.set(`${u.protocol}//${u.host}/open.t.qq.com${path}`, 'the signed URL has a /open.t.qq.com path prefix the call did not');
  uris.set(c.uri.replace(/\/?$/, '/'), 'the signed URL has a trailing slash the call did not');
  for (const [uri, what] of uris) if (matches(c.method, uri, signed)) return what;
  // 2. the method
  const otherMethod = c.method === 'GET' ? 'POST' : 'GET';
  if (matches(otherMethod, c.uri, signed)) return `signed as ${otherMethod}, sent as ${c.method}`;
  // 3. body parameters left out of the signature
  const body = bodyParamNames(c.req).filter((k) => !k.startsWith('oauth_'));
  if (body.length) {
    const without = copy(signed);
    for (const k of body) delete without[k];
    if (matches(c.method, c.uri, without)) return `body parameter${body.length > 1 ? 's' : ''} left out of the signature: ${body.join(', ')} (form fields and multipart text parts are signed)`;
  }
  // 4. one parameter sent but not signed
  const names = Object.keys(signed).filter((k) => !k.startsWith('oauth_'));
  for (const k of names.slice(0, 64)) {
    const without = copy(signed);
    delete without[k];
    if (matches(c.method, c.uri, without)) return `parameter ${k} was sent but not signed (added after signing?)`;
  }
  // 5. a query parameter signed but not sent: the common ones
  for (const [k, vs] of [['format', ['json', 'xml']], ['clientip', ['127.0.0.1']]] as const) {
    if (signed[k]) continue;
    for (const v of vs) {
      const withIt = copy(signed);
      withIt[k] = [v];
      if (matches(c.method, c.uri, withIt)) return `parameter ${k}=${v} was signed but not sent`;
    }
  }
  // 6. encoding: values encoded before signing (double encoding), or sent encoded twice
  const encoded = copy(signed);
  const decoded = copy(signed);
  let decodable = false;
  for (const k of names) {
    encoded[k] = encoded[k].map(percentEncode);
    decoded[k] = decoded[k].map((v) => {
      try {
        const d = decodeURIComponent(v);
        if (d !== v) decodable = true;
        return d;
      } catch {
        return v;
      }
    });
  }
  if (matches(c.method, c.uri, encoded)) return 'double encoding: parameter values were percent-encoded before they were signed';
  if (decodable && matches(c.method, c.uri, decoded)) return 'double encoding: the values arrived percent-encoded twice (signed once-encoded, sent encoded again)';
  // 7. the key: the token secret left out
  if (c.tokenSecret && matches(c.method, c.uri, signed, signingKey(c.consumerSecret, ''))) return 'the token secret was left out of the signing key (key = consumer_secret&token_secret)';
  return undefined;
}

/** A timestamp outside the window (errcode 4): by how much. */
export function skewDiagnosis(timestamp: number, now: number, window: number): SignatureDiagnosis {
  const skew = timestamp - now;
  return { timestampSkewSeconds: skew, hint: `timestamp skew: oauth_timestamp is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} the server clock (accepted: ±${window} s); check the client's clock, or the emulator's (GET /_emulator/clock)` };
}
