// The request journal: every API call's method, host, listener, path, parameters and headers
// (secrets masked), app, user, world and outcome (status, ret/errcode/msg, the answer's body),
// each world's in its own journal. GET /_emulator/journal filters it (since=<seq> for a cursor),
// DELETE clears it, GET /_emulator/journal/verify counts matching calls.
//
// Bounded by entries and by bytes: a call leaves a Trace as it is answered, references to its
// parsed URL and headers (bounded by Node's header limit) and bounded copies of its body's fields
// (a slice of a 4 MiB body would keep the whole body alive), so a flood of large bodies costs at
// most journalMaxBytes per world (test/control/journal_memory.test.ts measures it). The entry a
// read shows (parameters and headers masked and cut, the ISO time) is made from the trace when the
// journal is read: most calls' entries are never read, and making them on every answer cost a
// small answer a fifth of its time (issue 13).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { bodyParts, flatten } from '../args.js';
import { listenerOf } from '../listen.js';
import type { SignatureDiagnosis } from '../auth/oauth1_diagnosis.js';
import type { Rendered } from '../answers.js';
import { num, pathOf, PREFIX, Refusal, str, type Control, type ControlState, type WorldControl, type ControlDoc, WORLD_FIELD } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** name of the authenticated caller, set by server/api.ts for the journal */
    journalUser?: string;
    journalRet?: { ret?: number; errcode?: number; msg?: string };
    /** the kept answer (server/answers.ts) this request is sent, when it is one */
    keptAnswer?: Rendered;
    /** what the journal keeps of the answer, summarised as it is sent */
    journalAnswer?: AnswerSummary;
  }
}

export interface JournalEntry {
  seq: number;
  time: number;
  at: string;
  method: string;
  host: string;
  listener: string;
  path: string;
  params: Record<string, string>;
  headers: Record<string, string>;
  app: string | null;
  user: string | null;
  world: string;
  status: number;
  /** false for any refusal: an envelope error, an OAuth error answer, an HTTP error status */
  ok: boolean;
  ret: number | null;
  errcode: number | null;
  msg: string | null;
  ms: number;
  response: { type: string; bytes: number; body: string; truncated: boolean };
  /** an OAuth 1.0a signature refusal's base string and likely mistake (server/auth/oauth1_diagnosis.ts) */
  diagnosis?: SignatureDiagnosis;
}

/** Longest parameter or header value an entry keeps, and longest response body (characters). */
export const VALUE_MAX = 1024;
export const BODY_MAX = 4096;
const PARAMS_MAX = 64;

const SECRET_PARAMS = new Set(['oauth_signature', 'client_secret', 'oauth_token_secret', 'oauth_consumer_secret', 'password']);
/** Bearer credentials: shown by their first characters only, enough to tell two apart. */
const TOKEN_PARAMS = new Set(['access_token', 'oauth_token', 'refresh_token', 'openkey']);
const SECRET_HEADERS = new Set(['cookie', 'proxy-authorization']);

/** A bounded copy of `s`: at most `max` characters, its own memory (not a slice of its parent). */
/** `bytes`: the size of the whole of which `s` is the head (an answer sent as bytes, decoded only in part). */
export function cut(s: string, max = VALUE_MAX, bytes?: number): string {
  if (s.length <= max) return s.length > 12 ? Buffer.from(s).toString() : s;
  return Buffer.from(s.slice(0, max)).toString() + `…[${bytes ?? Buffer.byteLength(s)} bytes]`;
}

const maskToken = (v: string): string => (v.length > 8 ? `${v.slice(0, 6)}…***` : '***');

/** A body's fields as bounded copies (files by name), taken as the call is answered: the body itself is not kept. */
function bodyFields(body: unknown): [string, string][] | undefined {
  if (body == null) return undefined;
  const out: [string, string][] = [];
  try {
    if (typeof body === 'object' && !Buffer.isBuffer(body)) {
      for (const [k, part] of bodyParts(body)) {
        if (out.length >= PARAMS_MAX) break;
        out.push([cut(k, 64), part.type === 'file' ? `[file ${cut(part.filename)}]` : cut(part.value)]);
      }
    } else if (Buffer.isBuffer(body) && body.length) out.push(['[body]', `[${body.length} bytes, not parameters]`]);
  } catch {
    /* fields stay partial */
  }
  return out;
}

/** A request's parameters as the journal shows them: query, form or multipart fields (files by
 * name), OAuth header parameters; secrets masked, tokens shortened, values cut. */
function paramsShown(query: unknown, body: [string, string][] | undefined, auth: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  let n = 0;
  // body fields come already cut (bodyFields)
  const put = (k: string, v: string, isCut = false) => {
    if (params[k] !== undefined) return;
    if (n++ >= PARAMS_MAX) return;
    params[isCut ? k : cut(k, 64)] = isCut ? v : cut(v);
  };
  try {
    const q: Record<string, string> = {};
    flatten(query, q);
    for (const [k, v] of Object.entries(q)) put(k, v);
  } catch {
    /* params stay partial */
  }
  if (body) for (const [k, v] of body) put(k, v, true);
  if (typeof auth === 'string' && /^OAuth\s/i.test(auth)) {
    for (const m of auth.matchAll(/(oauth_[a-z_]+)="([^"]*)"/g)) {
      try {
        params[m[1]] = cut(decodeURIComponent(m[2]));
      } catch {
        params[m[1]] = cut(m[2]);
      }
    }
  }
  for (const k of Object.keys(params)) {
    if (SECRET_PARAMS.has(k)) params[k] = '***';
    else if (TOKEN_PARAMS.has(k)) params[k] = maskToken(params[k]);
  }
  return params;
}

/** Request headers as the journal shows them: credentials masked, values cut. */
function journalHeaders(h: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || n++ >= PARAMS_MAX) continue;
    const s = Array.isArray(v) ? v.join(', ') : String(v);
    if (SECRET_HEADERS.has(k)) out[k] = '***';
    else if (k === 'authorization') out[k] = maskAuthorization(s);
    else out[cut(k, 64)] = cut(s);
  }
  return out;
}

/** `OAuth k="v", …` with the signature masked and the token shortened; any other scheme's credentials masked. */
function maskAuthorization(s: string): string {
  if (!/^OAuth\s/i.test(s)) return s.replace(/^(\S+)\s.*$/s, '$1 ***');
  return cut(
    s.replace(/(oauth_[a-z_]+)="([^"]*)"/g, (all, k: string, v: string) => (SECRET_PARAMS.has(k) ? `${k}="***"` : TOKEN_PARAMS.has(k) ? `${k}="${maskToken(v)}"` : all)),
  );
}

/** Outcome read from a rendered answer (JSON, JSONP, XML, url-encoded): envelope ret/errcode/msg or
 * an OAuth 2.0 error/error_description. Only the head of the body is looked at. */
export function outcomeOf(payload: string): { ret?: number; errcode?: number; msg?: string; oauthError?: boolean } {
  const s = payload.slice(0, 4096);
  const numOf = (re: RegExp) => {
    const m = re.exec(s);
    return m ? Number(m[1]) : undefined;
  };
  const strOf = (re: RegExp) => {
    const m = re.exec(s);
    if (!m) return undefined;
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return m[1];
    }
  };
  if (s.trimStart().startsWith('<')) {
    const msg = /<msg>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/msg>/.exec(s)?.[1];
    return { ret: numOf(/<ret>\s*(-?\d+)\s*<\/ret>/), errcode: numOf(/<errcode>\s*(-?\d+)\s*<\/errcode>/), msg };
  }
  const ret = numOf(/"ret"\s*:\s*(-?\d+)/);
  if (ret !== undefined) return { ret, errcode: numOf(/"errcode"\s*:\s*(-?\d+)/), msg: strOf(/"msg"\s*:\s*"((?:[^"\\]|\\.)*)"/) };
  // OAuth 2.0 endpoints: {"error":100019,"error_description":"…"} (JSON or JSONP)
  const error = numOf(/"error"\s*:\s*(-?\d+)/);
  if (error !== undefined) return { ret: error, msg: strOf(/"error_description"\s*:\s*"((?:[^"\\]|\\.)*)"/), oauthError: true };
  return {};
}

/**
 * What a call leaves in the journal as it is answered: numbers, references to its parsed URL,
 * query and headers (their strings are bounded by Node's header limit, and are the request's
 * own: nothing is copied), its body's fields as bounded copies and a summary of its answer. The
 * entry a read shows is made from it then (`entry`).
 */
export class Trace {
  constructor(
    readonly seq: number,
    readonly nowMs: number,
    readonly method: string,
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
    readonly query: unknown,
    readonly body: [string, string][] | undefined,
    readonly listener: string,
    readonly user: string | null,
    readonly world: string,
    readonly status: number,
    readonly ms: number,
    /** the route's own outcome (server/api.ts), ahead of what the answer's body says */
    readonly own: FastifyRequest['journalRet'],
    readonly answer: AnswerSummary,
    readonly diagnosis: SignatureDiagnosis | undefined,
    /** estimated bytes held (see sizeOf) */
    readonly size: number,
  ) {}

  get path(): string {
    return cut(pathOf(this.url), 512);
  }

  get outcome(): { ret: number | null; errcode: number | null; msg: string | null; ok: boolean } {
    // the route's own fields win, even one it left undefined (graph answers have no errcode)
    const r = { ...outcomeOfSummary(this.answer), ...this.own };
    const ret = r.ret ?? null;
    return {
      ret,
      errcode: r.errcode ?? null,
      msg: r.msg !== undefined ? cut(r.msg, VALUE_MAX) : null,
      ok: this.status < 400 && (ret === null || ret === 0) && !(r as { oauthError?: boolean }).oauthError,
    };
  }

  get params(): Record<string, string> {
    return paramsShown(this.query, this.body, this.headers.authorization);
  }

  /** The entry as a read shows it. */
  entry(): JournalEntry {
    const params = this.params;
    const { ret, errcode, msg, ok } = this.outcome;
    const a = this.answer;
    return {
      seq: this.seq,
      time: Math.floor(this.nowMs / 1000),
      at: new Date(this.nowMs).toISOString(),
      method: this.method,
      host: cut(String(this.headers.host ?? ''), 256),
      listener: this.listener,
      path: this.path,
      params,
      headers: journalHeaders(this.headers),
      app: params.oauth_consumer_key ?? params.client_id ?? null,
      user: this.user,
      world: this.world,
      status: this.status,
      ok,
      ret,
      errcode,
      msg,
      ms: this.ms,
      response: { type: a.type, bytes: a.bytes, body: a.body, truncated: a.truncated },
      ...(this.diagnosis ? { diagnosis: this.diagnosis } : {}),
    };
  }
}

/** A summary's outcome, read from the head of its body (the head outcomeOf reads); a kept answer's once. */
const outcomes = new WeakMap<AnswerSummary, ReturnType<typeof outcomeOf>>();
function outcomeOfSummary(a: AnswerSummary): ReturnType<typeof outcomeOf> {
  if (!a.text) return {};
  let o = outcomes.get(a);
  if (!o) outcomes.set(a, (o = outcomeOf(a.body)));
  return o;
}

/**
 * Estimated bytes a trace holds: its URL (query strings are slices of it), the request's header
 * strings, its body fields and its answer's summary (JS strings of one-byte text: a byte a
 * character), plus a fixed overhead.
 */
function measureTrace(rawHeaders: readonly string[], url: string, body: [string, string][] | undefined, answer: AnswerSummary, diagnosis: SignatureDiagnosis | undefined): number {
  let n = 600 + 2 * url.length + answer.body.length;
  for (let i = 0; i < rawHeaders.length; i++) n += rawHeaders[i].length + 16;
  if (body) for (const [k, v] of body) n += k.length + v.length + 32;
  if (diagnosis) n += JSON.stringify(diagnosis).length;
  return n;
}

/** Entries kept once the journal is over its bounds; a batch goes at once (a splice per request copies the array). */
function trim(state: ControlState, ctl: WorldControl): void {
  const j = ctl.journal;
  if (j.length <= state.journalMax + 1024 && ctl.journalBytes <= state.journalMaxBytes) return;
  let drop = Math.max(0, j.length - state.journalMax);
  let bytes = ctl.journalBytes;
  for (let i = 0; i < drop; i++) bytes -= j[i].size;
  // over the byte bound: down to 90% of it, so the next entries do not trim again at once
  while (bytes > state.journalMaxBytes * 0.9 && drop < j.length) bytes -= j[drop++].size;
  j.splice(0, drop);
  ctl.journalBytes = bytes;
}

/** Index of the oldest entry the journal shows (those before it wait for the next trim). */
export const journalStart = (state: ControlState, ctl: WorldControl): number => Math.max(0, ctl.journal.length - state.journalMax);

/** The filters of journal reads and verify. */
const FILTERS = ['world', 'path', 'user', 'app', 'method', 'status', 'ret', 'errcode', 'ok', 'param', 'since'] as const;
function matcher(o: Record<string, unknown>): (t: Trace) => boolean {
  const path = str(o.path, 'path');
  const user = str(o.user, 'user');
  const app = str(o.app, 'app');
  const method = str(o.method, 'method')?.toUpperCase();
  const status = num(o.status, 'status', { int: true });
  const ret = num(o.ret, 'ret', { int: true });
  const errcode = num(o.errcode, 'errcode', { int: true });
  const okRaw = str(o.ok, 'ok');
  if (okRaw !== undefined && !['true', 'false', '1', '0'].includes(okRaw)) throw new Refusal(400, 'ok must be a boolean');
  const ok = okRaw === undefined ? undefined : okRaw === 'true' || okRaw === '1';
  const since = num(o.since, 'since', { int: true, min: 0 }) ?? 0;
  // param=k=v (repeatable, or an object in a JSON body): the call carried that parameter value
  const params: [string, string][] = [];
  const rawParams = o.param === undefined ? [] : Array.isArray(o.param) ? o.param : typeof o.param === 'object' && o.param ? Object.entries(o.param).map(([k, v]) => `${k}=${String(v)}`) : [o.param];
  for (const p of rawParams) {
    const s = String(p);
    const i = s.indexOf('=');
    if (i <= 0) throw new Refusal(400, 'param must be name=value');
    params.push([s.slice(0, i), s.slice(i + 1)]);
  }
  const byOutcome = ret !== undefined || errcode !== undefined || ok !== undefined;
  // the cheap tests first: params and outcome are made from the trace only for what passes them
  return (t) => {
    if (t.seq <= since || (user && t.user !== user) || (method && t.method !== method) || (status !== undefined && t.status !== status)) return false;
    if (path) {
      const p = t.path;
      if (p !== path && !(path.endsWith('*') && p.startsWith(path.slice(0, -1)))) return false;
    }
    if (byOutcome) {
      const r = t.outcome;
      if ((ret !== undefined && r.ret !== ret) || (errcode !== undefined && r.errcode !== errcode) || (ok !== undefined && r.ok !== ok)) return false;
    }
    if (app || params.length) {
      const shown = t.params;
      if (app && (shown.oauth_consumer_key ?? shown.client_id ?? null) !== app) return false;
      if (!params.every(([k, v]) => shown[k] === v)) return false;
    }
    return true;
  };
}

/** The journal filters (FILTERS) as query parameters. */
const FILTER_QUERY: Record<string, Record<string, unknown>> = {
  world: WORLD_FIELD,
  path: { type: 'string', description: 'an API path; a trailing * matches a prefix' },
  user: { type: 'string', description: 'account name of the caller' },
  app: { type: 'string', description: 'appid / consumer key of the caller' },
  method: { type: 'string' },
  status: { type: 'integer' },
  ret: { type: 'integer' },
  errcode: { type: 'integer' },
  ok: { type: 'boolean', description: 'false: refusals only' },
  param: { type: 'string', description: 'name=value: the call carried that parameter value' },
  since: { type: 'integer', minimum: 0, description: 'only entries after this seq (the last of an earlier answer)' },
};
const JOURNAL_DOC: ControlDoc = {
  summary: 'the request journal, newest first, filtered',
  query: { ...FILTER_QUERY, limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 } },
  example: { path: '/api/*', limit: 10 },
  answer: {
    type: 'object',
    required: ['total', 'last', 'entries'],
    properties: {
      total: { type: 'integer' },
      last: { type: 'integer' },
      entries: {
        type: 'array',
        items: {
          type: 'object',
          required: ['seq', 'time', 'at', 'method', 'path', 'status', 'ok'],
          properties: {
            seq: { type: 'integer' },
            time: { type: 'integer' },
            at: { type: 'string' },
            method: { type: 'string' },
            host: { type: 'string' },
            listener: { type: 'string' },
            path: { type: 'string' },
            params: { type: 'object', additionalProperties: { type: 'string' } },
            headers: { type: 'object', additionalProperties: { type: 'string' } },
            app: { type: 'string', nullable: true },
            user: { type: 'string', nullable: true },
            world: { type: 'string' },
            status: { type: 'integer' },
            ok: { type: 'boolean' },
            ret: { type: 'integer', nullable: true },
            errcode: { type: 'integer', nullable: true },
            msg: { type: 'string', nullable: true },
            ms: { type: 'number' },
            response: { type: 'object', properties: { type: { type: 'string' }, bytes: { type: 'integer' }, body: { type: 'string' }, truncated: { type: 'boolean' } } },
            diagnosis: { type: 'object', additionalProperties: true },
            nearMisses: { type: 'array', items: { type: 'string' }, description: 'for "api does not exist": the closest routes' },
          },
        },
      },
    },
  },
};
const VERIFY_DOC: ControlDoc = {
  summary: 'count the journaled calls matching the filters (since a seq): a test asserts what its app sent',
  query: FILTER_QUERY,
  example: { path: '/api/t/add', ok: true },
  answer: { type: 'object', required: ['count', 'last'], properties: { count: { type: 'integer' }, last: { type: 'integer', nullable: true } } },
};
const JOURNAL_CLEAR_DOC: ControlDoc = { summary: 'clear the request journal', answer: { type: 'object', required: ['cleared'], properties: { cleared: { type: 'integer' } } } };
/** Edit distance of two short strings (route paths), bounded work: both are cut to 200 characters. */
function distance(a: string, b: string): number {
  a = a.slice(0, 200);
  b = b.slice(0, 200);
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The closest existing API routes to a path that got "api does not exist" (case and a host prefix ignored). */
export function nearMisses(path: string, routes: readonly string[], n = 3): string[] {
  const p = path.toLowerCase().replace(/^\/(graph\.qq\.com|open\.t\.qq\.com)(?=\/)/, '');
  return routes
    .map((r) => ({ r, d: distance(p, r.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(x.r.length / 3)))
    .sort((a, b) => a.d - b.d || a.r.localeCompare(b.r))
    .slice(0, n)
    .map((x) => x.r);
}

/** `text`: the body is the head of a text answer, whose outcome outcomeOf can read. */
type AnswerSummary = JournalEntry['response'] & { text: boolean };

// a kept answer (server/answers.ts) is sent many times: summarised once
const summaries = new WeakMap<object, AnswerSummary>();

/** What an entry keeps of an answer: type, size, the head of a text body and its outcome. */
const NO_ANSWER: AnswerSummary = Object.freeze({ type: '', bytes: 0, body: '', truncated: false, text: false });

function summarise(type: string, payload: unknown): AnswerSummary {
  let text: string | undefined;
  let bytes = 0;
  if (typeof payload === 'string') {
    text = payload;
    bytes = Buffer.byteLength(payload);
  } else if (Buffer.isBuffer(payload)) {
    bytes = payload.length;
    if (/^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded))/.test(type)) {
      // the head only: decoding the whole of a kept 15 KB answer at each send was a third of its
      // CPU (perf). A head of one byte per character is all there is to decode; otherwise
      // BODY_MAX characters may take up to four bytes each.
      const most = Math.min(payload.length, BODY_MAX * 4);
      const first = Math.min(most, BODY_MAX + 1);
      text = payload.toString('utf8', 0, first);
      if (first < most && text.length < first) text = payload.toString('utf8', 0, most);
    }
  }
  const body = text === undefined ? (payload == null ? '' : `[${bytes ? `${bytes} bytes ` : ''}${type || 'binary'}]`) : cut(text, BODY_MAX, bytes);
  return { type, bytes, body, truncated: text !== undefined && text.length > BODY_MAX, text: text !== undefined };
}

/**
 * The summary of an answer that repeats a kept one up to character `at`: the kept one's, with
 * this one's size, when its head ends before `at`. Decoding the head of each graph-weibo answer
 * (a new seqid per send) was a third of a kept 15 KB get_fanslist's CPU (perf).
 */
function splicedSummary(spliced: NonNullable<Rendered['spliced']>, type: string, payload: unknown): AnswerSummary | undefined {
  if (spliced.at <= BODY_MAX) return undefined;
  let base = summaries.get(spliced.of);
  if (!base || base.type !== type) summaries.set(spliced.of, (base = summarise(type, spliced.of.bytes ?? spliced.of.body)));
  const size = Buffer.isBuffer(payload) ? payload.length : typeof payload === 'string' ? Buffer.byteLength(payload) : undefined;
  const mark = base.body.lastIndexOf('…[');
  if (!base.truncated || size === undefined || mark < 0) return undefined;
  return { ...base, bytes: size, body: `${base.body.slice(0, mark)}…[${size} bytes]` };
}

export function registerJournal({ app, state, route, scope, scopeOfWorld }: Control): void {
  // API routes, for near misses: registered after the control plane (server/app.ts)
  const apiRoutes = new Set<string>();
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith(PREFIX) && !r.url.includes('*') && !r.url.includes(':')) apiRoutes.add(r.url.replace(/\/+$/, '') || '/');
  });
  const routeList = () => [...apiRoutes];
  /** An entry as a read shows it: "api does not exist" answers get the closest routes (computed on read, not per request). */
  const shown = (t: Trace): JournalEntry & { nearMisses?: string[] } => {
    const e = t.entry();
    return e.ret === -9 && e.status === 404 ? { ...e, nearMisses: nearMisses(e.path, routeList()) } : e;
  };
  // the answer's body is summarised as it is sent: the trace never holds the payload itself
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!req.url.startsWith(PREFIX)) {
      const type = String(reply.getHeader('content-type') ?? '');
      const kept = req.keptAnswer && (req.keptAnswer.bytes ?? req.keptAnswer.body) === payload ? req.keptAnswer : undefined;
      let summary = kept && summaries.get(kept);
      if (!summary || summary.type !== type) {
        summary = (kept?.spliced && splicedSummary(kept.spliced, type, payload)) || summarise(type, payload);
        if (kept) summaries.set(kept, summary);
      }
      req.journalAnswer = summary;
    }
    done(null, payload);
  });

  app.addHook('onResponse', (req, reply, done) => {
    try {
      if (!req.url.startsWith(PREFIX)) record(req, reply);
    } catch (e) {
      req.log.error(e, 'journal');
    } finally {
      done();
    }
  });
  const record = (req: FastifyRequest, reply: FastifyReply): void => {
    const s = scopeOfWorld(req.world ?? app.world);
    const answer = req.journalAnswer ?? NO_ANSWER;
    const body = bodyFields(req.body);
    const diagnosis = req.journalDiagnosis;
    const trace = new Trace(
      ++state.journalSeq,
      s.world.clock.nowMs(),
      req.method,
      req.url,
      req.headers,
      req.query,
      body,
      listenerOf(req),
      req.journalUser ?? null,
      s.id,
      reply.statusCode,
      Math.round(reply.elapsedTime * 100) / 100,
      req.journalRet,
      answer,
      diagnosis,
      measureTrace(req.raw.rawHeaders, req.url, body, answer, diagnosis),
    );
    s.ctl.journal.push(trace);
    s.ctl.journalBytes += trace.size;
    trim(state, s.ctl);
  };

  route('GET', 'journal', [...FILTERS, 'limit'], (_req, _reply, o) => {
    const { ctl } = scope(o);
    const match = matcher(o);
    const limit = num(o.limit, 'limit', { int: true, min: 1, max: 10000 }) ?? 100;
    const out: Trace[] = [];
    let total = 0;
    for (let i = ctl.journal.length - 1, first = journalStart(state, ctl); i >= first; i--) {
      const e = ctl.journal[i];
      if (!match(e)) continue;
      total++;
      if (out.length < limit) out.push(e);
    }
    // newest first; `last` is the cursor for the next since=
    return { total, last: state.journalSeq, entries: out.map(shown) };
  }, JOURNAL_DOC);
  // "how many calls matched … since seq N": a test's assertion without reading entries
  route('GET', 'journal/verify', FILTERS, (_req, _reply, o) => {
    const { ctl } = scope(o);
    const match = matcher(o);
    let count = 0;
    let lastSeq: number | null = null;
    for (let i = journalStart(state, ctl); i < ctl.journal.length; i++) {
      if (match(ctl.journal[i])) {
        count++;
        lastSeq = ctl.journal[i].seq;
      }
    }
    return { count, last: lastSeq };
  }, VERIFY_DOC);
  route('DELETE', 'journal', ['world'], (_req, _reply, o) => {
    const { ctl } = scope(o);
    const n = ctl.journal.length - journalStart(state, ctl);
    ctl.journal.length = 0;
    ctl.journalBytes = 0;
    return { cleared: n };
  }, JOURNAL_CLEAR_DOC);
}
