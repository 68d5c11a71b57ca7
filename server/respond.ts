// The one response layer: renders route data and errors as each platform put them on the
// wire. Routes return plain data; nothing else in the code base writes a body.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';
import { ApiError } from './errors.js';
import type { DataSerializer } from './serialize.js';
import type { Rendered } from './answers.js';

/**
 * - `graph`: graph.qq.com QZone/user APIs: `{"ret":0,"msg":"",…fields}`, XML root `<data>`.
 * - `graph-weibo`: graph.qq.com's Weibo wrappers (t/*, get_info, relation/*):
 *   `{"ret":0,"errcode":0,"msg":"ok","data":…,"seqid":…}`, XML as seed 003.
 * - `weibo`: open.t.qq.com: keys sorted at every level, `{"data":…,"errcode":0,"msg":"ok","ret":0}`,
 *   XML root `<root>` with alphabetical children.
 */
export type Envelope = 'graph' | 'graph-weibo' | 'weibo';

export const JSON_TYPE = 'text/html; charset=utf-8'; // what graph.qq.com sent for JSON bodies
export const XML_TYPE = 'text/xml; charset=utf-8';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

const xml = new XMLBuilder({
  format: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
});

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Prepares data for XML: arrays become repeated elements (the builder's default), keys that
 * are not XML names (tweet ids in re_count, account names in friends/check) become
 * `<item name="key">`, booleans become 1/0 text. */
function toXmlTree(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return v.map(toXmlTree);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    const items: unknown[] = [];
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (XML_NAME.test(k) && k !== 'item') out[k] = toXmlTree(val);
      else {
        const t = toXmlTree(val);
        items.push(typeof t === 'object' && t !== null && !Array.isArray(t) ? { '@_name': k, ...(t as object) } : { '@_name': k, '#text': t });
      }
    }
    if (items.length) out.item = items;
    return out;
  }
  return v;
}

export const renderXml = (root: string, body: unknown): string => xml10(XML_DECL + xml.build({ [root]: toXmlTree(body) }));

/** Characters XML 1.0 (§2.2) forbids: C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Every XML answer passes here last: a forbidden character (stored text is kept as written and
 * JSON answers carry it escaped) becomes U+FFFD, so one user's tweet cannot make another user's
 * `format=xml` timeline unparseable. No markup contains such characters, so the whole document
 * is scanned once; the common case (none) costs one regex test.
 */
export function xml10(doc: string): string {
  XML_FORBIDDEN.lastIndex = 0;
  return XML_FORBIDDEN.test(doc) ? doc.replace(XML_FORBIDDEN, '\uFFFD') : doc;
}

/** Compact JSON with `/` escaped as `\/` (graph.qq.com's encoder) and the JS line separators escaped. */
export function graphJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u2028\u2029<>/]/g, (c) => ESCAPED[c]);
}

export function escapeJsonForScript(s: string): string {
  return s.replace(/[\u2028\u2029<>]/g, (c) => ESCAPED[c]);
}

const ESCAPED: Record<string, string> = { '\u2028': '\\u2028', '\u2029': '\\u2029', '<': '\\u003c', '>': '\\u003e', '/': '\\/' };

/** Deep copy with object keys in ASCII order, as open.t.qq.com's encoder wrote them. */
export function sortKeys(v: unknown): unknown {
  // only objects and arrays are visited: a call per leaf value was most of this function's time
  return typeof v === 'object' && v !== null ? sortedCopy(v) : v;
}

function sortedCopy(v: object): unknown {
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if (typeof e !== 'object' || e === null) continue;
      const s = sortedCopy(e);
      if (s !== e) (copy ??= v.slice())[i] = s;
    }
    return copy ?? v;
  }
  if (Buffer.isBuffer(v)) return v;
  // shapes are mostly written in order already: copy only what is not (a deep copy of every
  // answer was a tenth of a timeline read)
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      sorted = false;
      break;
    }
  }
  let out: Record<string, unknown> | undefined;
  if (!sorted) {
    out = {};
    for (const k of keys.slice().sort()) out[k] = o[k];
  }
  for (let i = 0; i < keys.length; i++) {
    const val = o[keys[i]];
    if (typeof val !== 'object' || val === null) continue;
    const s = sortedCopy(val);
    if (s !== val) (out ??= { ...o })[keys[i]] = s;
  }
  return out ?? o;
}

/** Which platform's envelope a path belongs to (for answers made before a route runs). */
export function envelopeForPath(url: string): Envelope {
  // open.t.qq.com's OAuth paths (/cgi-bin/*) answer in its envelope too
  return url.startsWith('/api/') || url.startsWith('/cgi-bin/') ? 'weibo' : 'graph';
}

/** The envelope of the route a request matched, else of its path. */
export function envelopeOf(req: FastifyRequest): Envelope {
  return (req.routeOptions?.config as { envelope?: Envelope } | undefined)?.envelope ?? envelopeForPath(req.url);
}

/** `format` from the query, or from a form / multipart body when the route never ran. */
export function requestFormat(req: FastifyRequest): 'json' | 'xml' {
  const fromQuery = (req.query as Record<string, unknown> | undefined)?.format;
  const body = req.body as Record<string, unknown> | undefined;
  let fromBody: unknown = body && typeof body === 'object' && !Buffer.isBuffer(body) ? body.format : undefined;
  if (fromBody && typeof fromBody === 'object') fromBody = (fromBody as { value?: unknown }).value;
  return (fromQuery ?? fromBody) === 'xml' ? 'xml' : 'json';
}

export interface RenderOptions {
  format: 'json' | 'xml';
  /** graph.qq.com get_user_info's pretty layout (reference §5.1). */
  pretty?: boolean;
  /** weibo: the route's compiled data serializer (server/serialize.ts), for JSON */
  serializer?: DataSerializer;
}

let seq = 5782353821101409088n;
const nextSeqid = () => (seq += 7919n).toString();

/**
 * A graph-weibo JSON answer with a seqid of its own: a kept answer (server/answers.ts) is sent
 * many times, and each answer the real service sent had a new one. XML answers carry none.
 */
export function withFreshSeqid(r: Rendered): Rendered {
  const i = r.body.lastIndexOf('"seqid":');
  if (r.type !== JSON_TYPE || i < 0 || !r.body.endsWith('}')) return r;
  const tail = `"seqid":${nextSeqid()}}`;
  const body = r.body.slice(0, i) + tail;
  if (!r.bytes) return { type: r.type, body };
  // the kept bytes up to the old seqid (ASCII, so found in the bytes as in the text) and the
  // new tail: copying them is cheaper than encoding the whole text again at each send
  const at = r.bytes.lastIndexOf('"seqid":');
  return { type: r.type, body, bytes: Buffer.concat([r.bytes.subarray(0, at), Buffer.from(tail)]), spliced: { of: r, at: i } };
}

/** Renders a success answer. For `graph` the data is the member list after ret/msg. */
export function renderOk(env: Envelope, data: unknown, o: RenderOptions): { type: string; body: string } {
  switch (env) {
    case 'graph': {
      const body = { ret: 0, msg: '', ...(data as object) };
      if (o.format === 'xml') return { type: XML_TYPE, body: renderXml('data', body) };
      return { type: JSON_TYPE, body: o.pretty ? prettyGraphJson(body) : graphJson(body) };
    }
    case 'graph-weibo': {
      if (o.format === 'xml') return { type: XML_TYPE, body: renderXml('data', { ret: 0, errcode: 0, msg: 'ok', data: data ?? null }) };
      // seqid is a 19-digit number on the wire: spliced in as raw digits
      const json = graphJson({ ret: 0, errcode: 0, msg: 'ok', data: data ?? null, seqid: 0 });
      return { type: JSON_TYPE, body: json.replace(/"seqid":0}$/, `"seqid":${nextSeqid()}}`) };
    }
    case 'weibo': {
      if (o.format === 'json' && o.serializer) {
        const compiled = compiledWeiboJson(data, o.serializer);
        if (audit) audit({ route: o.serializer.route, data, compiled, reference: weiboJson(data) });
        if (compiled !== undefined) return { type: JSON_TYPE, body: compiled };
      }
      if (o.format === 'xml') return { type: XML_TYPE, body: renderXml('root', sortKeys({ data: data ?? null, errcode: 0, msg: 'ok', ret: 0 })) };
      return { type: JSON_TYPE, body: weiboJson(data) };
    }
  }
}

/** The reference renderer of open.t.qq.com's JSON: a copy with keys sorted at every level, stringified, escaped. */
const weiboJson = (data: unknown): string => escapeJsonForScript(JSON.stringify(sortKeys({ data: data ?? null, errcode: 0, msg: 'ok', ret: 0 })));

/**
 * The same text from the route's compiled serializer (keys in order by construction), or
 * undefined where its guard refuses the data: server/serialize.ts. The envelope's own members
 * hold none of the characters escapeJsonForScript replaces, so escaping the whole text is
 * escaping the reference's.
 */
function compiledWeiboJson(data: unknown, s: DataSerializer): string | undefined {
  const d = s(data ?? null);
  return d === undefined ? undefined : escapeJsonForScript(`{"data":${d},"errcode":0,"msg":"ok","ret":0}`);
}

/** One weibo success answer rendered both ways (tests: test/helpers.ts serializerAudit). */
export interface AuditEntry {
  route: string;
  /** what the route's handler answered */
  data: unknown;
  /** undefined: not compiled, or the serializer's guard refused the data */
  compiled: string | undefined;
  reference: string;
}
let audit: ((e: AuditEntry) => void) | undefined;

/** Tests: while set, every JSON success answer of a route with a serializer is also rendered by the reference renderer and reported. */
export function auditSerializers(on: ((e: AuditEntry) => void) | undefined): void {
  audit = on;
}

export function renderError(env: Envelope, e: ApiError, o: RenderOptions): { type: string; body: string } {
  switch (env) {
    case 'graph':
    case 'graph-weibo': {
      const body: Record<string, unknown> = { ret: e.ret, msg: e.message };
      if (env === 'graph-weibo') Object.assign(body, { errcode: e.errcode, data: null });
      if (o.format === 'xml') {
        // seed 003: <root><data><ret>…</ret><msg><![CDATA[…]]></msg></data></root>
        const inner = Object.entries(body)
          .map(([k, v]) => (k === 'msg' ? `<msg><![CDATA[${String(v).replace(/]]>/g, ']]]]><![CDATA[>')}]]></msg>` : v === null ? `<${k}/>` : `<${k}>${v}</${k}>`))
          .join('');
        return { type: XML_TYPE, body: xml10(`${XML_DECL}<root><data>${inner}</data></root>`) };
      }
      return { type: JSON_TYPE, body: graphJson(body) };
    }
    case 'weibo': {
      const body = { data: null, errcode: e.errcode, msg: e.message, ret: e.ret };
      if (o.format === 'xml') return { type: XML_TYPE, body: renderXml('root', body) };
      return { type: JSON_TYPE, body: escapeJsonForScript(JSON.stringify(body)) };
    }
  }
}

/** `{`, members on their own 4-space-indented lines with `": "`, except `"is_lost":0`. */
export function prettyGraphJson(body: Record<string, unknown>): string {
  const members = Object.entries(body).map(([k, v]) => {
    const value = graphJson(v);
    return k === 'is_lost' ? `    "${k}":${value}` : `    "${k}": ${value}`;
  });
  return `{\n${members.join(',\n')}\n}\n`;
}

export function send(reply: FastifyReply, r: { type: string; body: string; bytes?: Buffer }, status = 200): FastifyReply {
  return reply.code(status).header('content-type', r.type).header('cache-control', 'no-cache').send(r.bytes ?? r.body);
}

/** The OAuth 2.0 endpoints' JSONP wrapper: exactly `callback( {…} );\n`. */
export const jsonp = (callback: string, v: unknown): string => `${callback}( ${escapeJsonForScript(JSON.stringify(v))} );\n`;

/** JSONP callback names a client may choose: plain dotted identifiers only. */
export const SAFE_CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}(?:\.[A-Za-z_$][A-Za-z0-9_$]{0,63}){0,3}$/;

/** application/x-www-form-urlencoded answer with fields in the given order. */
export const urlencoded = (fields: [string, string | number][]): string =>
  fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
