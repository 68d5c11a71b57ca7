// The request journal: every API call's method, host, path, parameters (secrets masked), user,
// world and outcome; GET /_emulator/journal filters it, DELETE clears it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { flatten } from '../args.js';
import { num, pathOf, PREFIX, str, type Control, type ControlState, type ControlDoc, WORLD_FIELD } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** name of the authenticated caller, set by server/api.ts for the journal */
    journalUser?: string;
    journalRet?: { ret?: number; errcode?: number };
  }
}

export interface JournalEntry {
  seq: number;
  time: number;
  at: string;
  method: string;
  host: string;
  path: string;
  params: Record<string, string>;
  user: string | null;
  world: string;
  status: number;
  ret: number | null;
  errcode: number | null;
  ms: number;
}

const SECRET_PARAMS = new Set(['oauth_signature', 'client_secret', 'oauth_token_secret', 'oauth_consumer_secret', 'password']);

/** Index of the oldest entry the journal shows (those before it wait for the next trim). */
export const journalStart = (state: ControlState): number => Math.max(0, state.journal.length - state.journalMax);

/** A request's parameters as the journal shows them: query, form or multipart fields (files by
 * name), OAuth header parameters; secrets masked. */
function journalParams(query: unknown, body: unknown, auth: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  try {
    flatten(query, params);
    if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
      for (const [k, raw] of Object.entries(body)) {
        const part = (Array.isArray(raw) ? raw[0] : raw) as unknown;
        if (part && typeof part === 'object' && (part as { type?: string }).type === 'file') params[k] = `[file ${(part as { filename?: string }).filename ?? ''}]`;
        else if (part && typeof part === 'object' && (part as { type?: string }).type === 'field') params[k] = String((part as { value?: unknown }).value ?? '');
        else if (typeof part === 'string') params[k] = part;
      }
    }
  } catch {
    /* params stay partial */
  }
  if (typeof auth === 'string' && /^OAuth\s/i.test(auth)) {
    for (const m of auth.matchAll(/(oauth_[a-z_]+)="([^"]*)"/g)) {
      try {
        params[m[1]] = decodeURIComponent(m[2]);
      } catch {
        params[m[1]] = m[2];
      }
    }
  }
  for (const k of Object.keys(params)) if (SECRET_PARAMS.has(k)) params[k] = '***';
  return params;
}

/** Parses ret/errcode from a rendered API body (JSON, JSONP or XML). */
function retOf(payload: unknown): { ret?: number; errcode?: number } {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return {};
  const s = payload.toString().slice(0, 4096);
  const num = (re: RegExp) => {
    const m = re.exec(s);
    return m ? Number(m[1]) : undefined;
  };
  if (s.trimStart().startsWith('<')) return { ret: num(/<ret>\s*(-?\d+)\s*<\/ret>/), errcode: num(/<errcode>\s*(-?\d+)\s*<\/errcode>/) };
  return { ret: num(/"ret"\s*:\s*(-?\d+)/), errcode: num(/"errcode"\s*:\s*(-?\d+)/) };
}

const JOURNAL_DOC: ControlDoc = {
  summary: 'the request journal, newest first',
  query: {
    path: { type: 'string', description: 'an API path; a trailing * matches a prefix' },
    user: { type: 'string', description: 'account name of the caller' },
    method: { type: 'string' },
    world: WORLD_FIELD,
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
  },
  example: { path: '/api/*', limit: 10 },
  answer: {
    type: 'object',
    required: ['total', 'entries'],
    properties: {
      total: { type: 'integer' },
      entries: {
        type: 'array',
        items: {
          type: 'object',
          required: ['seq', 'time', 'at', 'method', 'path', 'status'],
          properties: {
            seq: { type: 'integer' },
            time: { type: 'integer' },
            at: { type: 'string' },
            method: { type: 'string' },
            host: { type: 'string' },
            path: { type: 'string' },
            params: { type: 'object', additionalProperties: true },
            user: { type: 'string', nullable: true },
            world: { type: 'string', nullable: true },
            status: { type: 'integer' },
            ret: { type: 'integer', nullable: true },
            errcode: { type: 'integer', nullable: true },
            ms: { type: 'number' },
          },
        },
      },
    },
  },
};
const JOURNAL_CLEAR_DOC: ControlDoc = { summary: 'clear the request journal', answer: { type: 'object', required: ['cleared'], properties: { cleared: { type: 'integer' } } } };

export function registerJournal({ app, state, route }: Control): void {
  app.addHook('onSend', (req, _reply, payload, done) => {
    if (!req.url.startsWith(PREFIX) && !req.journalRet) req.journalRet = retOf(payload);
    done(null, payload);
  });

  app.addHook('onResponse', (req, reply, done) => {
    try {
      journal(req, reply);
    } finally {
      done();
    }
  });
  const journal = (req: FastifyRequest, reply: FastifyReply): void => {
    if (req.url.startsWith(PREFIX)) return;
    const w = req.world ?? app.world;
    let worldId = 'default';
    if (state.worlds.size) for (const iso of state.worlds.values()) if (iso.world === w) worldId = iso.id;
    const r = req.journalRet ?? {};
    const nowMs = w.clock.nowMs();
    // parameters are flattened and masked when the journal is read (most entries never are);
    // a multipart body is summarised now so its file bytes are not kept
    const query = req.query;
    const body = req.isMultipart() ? journalParams(undefined, req.body, undefined) : req.body;
    const auth = req.headers.authorization;
    state.journal.push({
      seq: ++state.journalSeq,
      time: Math.floor(nowMs / 1000),
      get at() {
        return new Date(nowMs).toISOString();
      },
      method: req.method,
      host: String(req.headers.host ?? ''),
      path: pathOf(req.url),
      get params() {
        return journalParams(query, body, auth);
      },
      user: req.journalUser ?? null,
      world: worldId,
      status: reply.statusCode,
      ret: r.ret ?? null,
      errcode: r.errcode ?? null,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    });
    // trimmed in batches: a splice per request once full costs a copy of the whole journal
    if (state.journal.length > state.journalMax + 1024) state.journal.splice(0, journalStart(state));
  };

  route('GET', 'journal', (_req, _reply, o) => {
    const path = str(o.path, 'path');
    const user = str(o.user, 'user');
    const method = str(o.method, 'method')?.toUpperCase();
    const world = str(o.world, 'world');
    const limit = num(o.limit, 'limit', { int: true, min: 1, max: 10000 }) ?? 100;
    const out: JournalEntry[] = [];
    const first = journalStart(state);
    for (let i = state.journal.length - 1; i >= first && out.length < limit; i--) {
      const e = state.journal[i];
      if (path && e.path !== path && !(path.endsWith('*') && e.path.startsWith(path.slice(0, -1)))) continue;
      if (user && e.user !== user) continue;
      if (method && e.method !== method) continue;
      if (world && e.world !== world) continue;
      out.push(e);
    }
    return { total: state.journal.length - first, entries: out.map((e) => ({ ...e, at: e.at, params: e.params })) };
  }, JOURNAL_DOC);
  route('DELETE', 'journal', () => {
    const n = state.journal.length - journalStart(state);
    state.journal.length = 0;
    return { cleared: n };
  }, JOURNAL_CLEAR_DOC);
}
