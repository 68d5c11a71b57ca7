// Test helpers: a fresh seeded app per test file, token minting, and OAuth 1.0a signed
// requests built like a real client (oauth-sign) so tests speak through HTTP.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/store.js';
import { World } from '../db/world.js';
// @ts-expect-error oauth-sign ships no types
import oauthSign from 'oauth-sign';
import { XMLParser } from 'fast-xml-parser';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type BuildOptions } from '../server/app.js';
import { FIXTURES } from '../seed/generate.js';
import { auditSerializers } from '../server/respond.js';
import { serializerStatus } from '../server/serialize.js';
import type { Test } from 'tap';

export { FIXTURES };

const { hmacsign } = oauthSign as { hmacsign: (m: string, u: string, p: Record<string, string | string[]>, cs: string, ts: string) => string };

export async function build(opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp({ db: ':memory:', seed: 1, size: 'small', ...opts });
  await app.ready();
  return app;
}

/** Listens on a free port of 127.0.0.1 (a real socket, for clients that speak HTTP themselves);
 * resolves the base URL, http://127.0.0.1:PORT. */
export async function listening(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return `http://127.0.0.1:${addr.port}`;
}

/**
 * An app on a store file in a scratch folder, and a second connection to the same file (another
 * process's view: its commits change the app's data version). Both closed and the folder removed
 * at teardown.
 */
export async function buildOnFileWithOther(t: Test, prefix: string): Promise<{ app: FastifyInstance; other: World; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'world.sqlite');
  const app = await build({ db: file });
  const other = new World(openDatabase(file));
  t.teardown(async () => {
    await app.close();
    other.db.close();
    app.world.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, other, file };
}

export const GRAPH = FIXTURES.graphApp;
export const GRAPH_PLAIN = FIXTURES.graphAppPlain;
export const WEIBO = FIXTURES.weiboApp;

export function userId(app: FastifyInstance, name: string): number {
  const u = app.world.users.byName(name);
  if (!u) throw new Error(`no user ${name}`);
  return u.id;
}

/** The three common parameters of a graph.qq.com OpenAPI call, minted without the browser flow. */
export function graphCreds(app: FastifyInstance, name = 'alice', scope = 'all', appid: string = GRAPH.appid) {
  const id = userId(app, name);
  const t = app.world.oauth2.issueToken(appid, id, scope);
  return { access_token: t.access_token, oauth_consumer_key: appid, openid: app.world.apps.openidFor(appid, id) };
}

export const qs = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

/** GET a graph.qq.com API with credentials and parameters. */
export function graphGet(app: FastifyInstance, path: string, creds: Record<string, string>, params: Record<string, string | number> = {}) {
  return app.inject({ method: 'GET', url: `${path}?${qs({ ...creds, ...params })}` });
}

/** POST a graph.qq.com API as a form. */
export function graphPost(app: FastifyInstance, path: string, creds: Record<string, string>, params: Record<string, string | number> = {}) {
  return app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs({ ...creds, ...params }) });
}

export interface WeiboCreds {
  token: string;
  secret: string;
  consumerKey: string;
  consumerSecret: string;
}

export function weiboCreds(app: FastifyInstance, name = 'alice'): WeiboCreds {
  const t = app.world.oauth1.createAccessToken(WEIBO.appid, userId(app, name));
  return { token: t.token, secret: t.secret, consumerKey: WEIBO.appid, consumerSecret: WEIBO.secret };
}

export interface SignedRequest {
  method: 'GET' | 'HEAD' | 'POST';
  path: string;
  params?: Record<string, string | number>;
  /** where the oauth_* parameters travel */
  via?: 'query' | 'body' | 'header';
  /** multipart file parts (not signed, as the real API required) */
  files?: Record<string, { filename: string; contentType: string; data: Buffer }>;
  /** override any oauth_* value (to test refusals) */
  oauth?: Record<string, string>;
  /** tamper: sign with this secret instead */
  signWithSecret?: string;
  host?: string;
}

export function oauthParams(c: Pick<WeiboCreds, 'consumerKey'> & { token?: string }, extra: Record<string, string> = {}, now = Math.floor(Date.now() / 1000)) {
  const p: Record<string, string> = {
    oauth_consumer_key: c.consumerKey,
    oauth_nonce: randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(now),
    oauth_version: '1.0',
  };
  if (c.token) p.oauth_token = c.token;
  return { ...p, ...extra };
}

export function sign(method: string, url: string, params: Record<string, string>, consumerSecret: string, tokenSecret: string): string {
  return hmacsign(method, url, params, consumerSecret, tokenSecret);
}

/** Builds and injects a signed open.t.qq.com request. */
export function signed(app: FastifyInstance, c: WeiboCreds, r: SignedRequest): Promise<LightMyRequestResponse> {
  const host = r.host ?? 'open.t.qq.com';
  const via = r.via ?? (r.method === 'POST' ? 'body' : 'query');
  const params: Record<string, string> = Object.fromEntries(Object.entries(r.params ?? {}).map(([k, v]) => [k, String(v)]));
  const oauth = oauthParams(c, r.oauth ?? {}, app.world.clock.now());
  const all = { ...params, ...oauth };
  const sig = sign(r.method, `http://${host}${r.path}`, all, r.signWithSecret ?? c.consumerSecret, c.secret);
  const oauthSigned = { ...oauth, oauth_signature: r.oauth?.oauth_signature ?? sig };
  const headers: Record<string, string> = { host };
  if (r.files) {
    const boundary = '----emu' + randomBytes(8).toString('hex');
    const parts: Buffer[] = [];
    const fields = via === 'header' ? params : { ...params, ...oauthSigned };
    for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    for (const [k, f] of Object.entries(r.files)) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`), f.data, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
    if (via === 'header') headers.authorization = authHeader(oauthSigned);
    return app.inject({ method: r.method, url: r.path, headers, payload: Buffer.concat(parts) });
  }
  if (via === 'header') {
    headers.authorization = authHeader(oauthSigned);
    if (r.method !== 'POST') return app.inject({ method: r.method, url: `${r.path}${Object.keys(params).length ? '?' + qs(params) : ''}`, headers });
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return app.inject({ method: 'POST', url: r.path, headers, payload: qs(params) });
  }
  if (via === 'query') return app.inject({ method: r.method, url: `${r.path}?${qs({ ...params, ...oauthSigned })}`, headers });
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return app.inject({ method: r.method, url: r.path, headers, payload: qs({ ...params, ...oauthSigned }) });
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
export const authHeader = (o: Record<string, string>) => 'OAuth ' + Object.entries(o).map(([k, v]) => `${enc(k)}="${enc(v)}"`).join(', ');

/** Parses an XML answer the way XML clients did (arrays = repeated elements). */
export function parseXml(body: string): Record<string, unknown> {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false }).parse(body);
}

/** A tiny valid PNG for uploads. */
export const PNG_1x1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db40000000049454e44ae426082',
  'hex',
);

export function multipart(fields: Record<string, string>, files: Record<string, { filename: string; contentType: string; data: Buffer }>) {
  const boundary = '----emu' + randomBytes(8).toString('hex');
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const [k, f] of Object.entries(files)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(parts) };
}

/** An open.t.qq.com answer as tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WeiboBody = { ret: number; errcode: number; msg: string; data: any };

/** Signed JSON GET / POST and XML GET against one app, the way the weibo tests call the API. */
export function weiboClient(app: FastifyInstance) {
  return {
    async get(c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<WeiboBody> {
      const res = await signed(app, c, { method: 'GET', path, params: { format: 'json', ...params } });
      if (res.statusCode !== 200) throw new Error(`${path} answered HTTP ${res.statusCode}`);
      return res.json();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async xml(c: WeiboCreds, path: string, params: Record<string, string | number> = {}): Promise<any> {
      const res = await signed(app, c, { method: 'GET', path, params: { ...params, format: 'xml' } });
      if (!/xml/.test(String(res.headers['content-type']))) throw new Error(`${path} answered ${res.headers['content-type']}, not XML`);
      return (parseXml(res.body) as { root: unknown }).root;
    },
    async post(c: WeiboCreds, path: string, params: Record<string, string | number>): Promise<WeiboBody> {
      return (await signed(app, c, { method: 'POST', path, params: { format: 'json', clientip: '10.0.0.1', ...params } })).json();
    },
  };
}

/** HTML entity decoding for values read back out of the emulator's pages. */
export const decodeHtml = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** An authorize page's form (both OAuth flows, routes/authorize_page.ts). */
export interface AuthorizeForm {
  action: string;
  method: string;
  hidden: [string, string][];
  options: string[];
  optionLabels: string[];
  decisions: string[];
  hasTextInput: boolean;
}

/** The authorize form as a browser sees it, parsed from the page with regular expressions. */
export function parseAuthorizeForm(html: string): AuthorizeForm {
  const form = /<form\b[^>]*\bmethod="([^"]*)"[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in ${html.slice(0, 300)}`);
  const inner = form[3];
  const select = /<select name="user">([\s\S]*?)<\/select>/.exec(inner)?.[1] ?? '';
  const opts = [...select.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)];
  return {
    method: form[1],
    action: decodeHtml(form[2]),
    hidden: [...inner.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [decodeHtml(m[1]), decodeHtml(m[2])] as [string, string]),
    options: opts.map((m) => decodeHtml(m[1])),
    optionLabels: opts.map((m) => m[2]),
    decisions: [...inner.matchAll(/<button type="submit" name="decision" value="([^"]*)"/g)].map((m) => m[1]),
    hasTextInput: /<input type="text" name="user_name"/.test(inner),
  };
}

/** Submits an authorize form: its hidden fields plus the given choices, url-encoded like a browser. */
export const submitAuthorizeForm = (app: FastifyInstance, f: AuthorizeForm, extra: [string, string][]) =>
  app.inject({
    method: 'POST',
    url: f.action,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams([...f.hidden, ...extra]).toString(),
  });

/**
 * Renders every weibo JSON success answer of this process both ways from now on (server/respond.ts
 * auditSerializers): the route's compiled serializer and the reference renderer. check() then
 * requires the same bytes for each answer the serializer wrote and no answer its guard handed to
 * the reference renderer (the tests' data is all exact), and names the routes not compiled.
 */
export function serializerAudit() {
  const written = new Map<string, number>();
  const refused = new Map<string, number>();
  const mismatches: string[] = [];
  auditSerializers((e) => {
    if (e.compiled === undefined) {
      refused.set(e.route, (refused.get(e.route) ?? 0) + 1);
      return;
    }
    written.set(e.route, (written.get(e.route) ?? 0) + 1);
    if (e.compiled !== e.reference) {
      let i = 0;
      while (e.compiled[i] === e.reference[i]) i++;
      mismatches.push(`${e.route} at char ${i}: compiled …${e.compiled.slice(Math.max(0, i - 40), i + 40)}… reference …${e.reference.slice(Math.max(0, i - 40), i + 40)}…`);
    }
  });
  return {
    counts: () => ({ written: new Map(written), refused: new Map(refused) }),
    /** `refusals`: the test gave some routes inexact data on purpose */
    check(t: Test, o: { refusals?: boolean } = {}) {
      auditSerializers(undefined);
      const status = serializerStatus();
      const total = [...written.values()].reduce((a, b) => a + b, 0);
      t.same(mismatches.slice(0, 10), [], `${total} weibo success answers of ${written.size} routes written by their compiled serializer: ${mismatches.length} differ from the reference renderer`);
      t.ok(total > 0, 'the compiled serializers wrote answers');
      const guarded = [...refused].filter(([k]) => status.get(k) === 'compiled').map(([k, n]) => `${k} ×${n}`);
      if (!o.refusals) t.same(guarded, [], 'no answer refused by a guard');
      const notCompiled = [...status].filter(([, s]) => s !== 'compiled');
      t.comment(`not compiled: ${notCompiled.map(([k, s]) => `${k} (${s})`).join('; ') || 'none'}`);
    },
  };
}
