// The emulator's control plane under the reserved prefix /_emulator/ (no API path starts with
// it): health and info, reset/snapshots/export/import, direct issuance of apps, users,
// relations and tokens, the clock, a request journal, fault injection and isolated worlds.
// Control answers are plain JSON (application/json); errors are {error} with a 4xx status.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import Database from 'better-sqlite3';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { World } from '../db/world.js';
import { Clock } from '../db/clock.js';
import { openDatabase, schemaVersion, type DB } from '../db/store.js';
import { rebuildCounters, withCountersSuspended } from '../db/counters.js';
import { dropImage, imageBytes, imageSize, restoreFile, saveImage, scratchDir, type Image } from '../db/images.js';
import { hex32, hex32lower } from '../db/ids.js';
import { ACCESS_TTL } from '../db/oauth2.js';
import { FIXTURES } from '../seed/generate.js';
import { flatten } from './args.js';
import { ApiError } from './errors.js';
import { envelopeOf, renderError, requestFormat, send } from './respond.js';
import { CONSOLE_PATH } from './console.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** name of the authenticated caller, set by server/api.ts for the journal */
    journalUser?: string;
    journalRet?: { ret?: number; errcode?: number };
  }
  interface FastifyInstance {
    control: ControlState;
  }
}

export const PREFIX = '/_emulator/';

/** The package version (from package.json, found from source or dist). */
export function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const p = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'tencent-open-emulator') return p.version ?? '0.0.0';
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}
const VERSION = readVersion();

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

export interface Fault {
  id: number;
  path: string;
  /** calls left (undefined: unlimited while rate applies) */
  remaining?: number;
  rate?: number;
  ret?: number;
  errcode?: number;
  msg?: string;
  httpStatus?: number;
  delayMs?: number;
  drop?: boolean;
  hits: number;
}

interface IsolatedWorld {
  id: string;
  world: World;
  created: number;
  graph: { appid: string; secret: string };
  weibo: { consumer_key: string; consumer_secret: string };
}

export interface ControlState {
  /** the world as it started: what reset returns to */
  template: Image;
  snapshots: Map<string, { image: Image; created: number }>;
  /** set while a file-backed store is being restored: requests wait for it (db/images.ts) */
  restoring?: Promise<void>;
  journal: JournalEntry[];
  journalMax: number;
  journalSeq: number;
  faults: Fault[];
  faultSeq: number;
  worlds: Map<string, IsolatedWorld>;
  /** credential (graph appid or weibo consumer key) → isolated world id */
  registry: Map<string, string>;
}

const SECRET_PARAMS = new Set(['oauth_signature', 'client_secret', 'oauth_token_secret', 'oauth_consumer_secret', 'password']);

/** Opens a world from a serialized database image. */
export function worldFromImage(bytes: Buffer, clock = new Clock()): World {
  const db = new Database(bytes);
  db.pragma('foreign_keys = ON');
  return new World(db, clock);
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    msg: string,
  ) {
    super(msg);
  }
}

/** Body of a control call: JSON (kept raw by the app's parser), a form, or nothing; query merged under it. */
function input(req: FastifyRequest): Record<string, unknown> {
  const out: Record<string, unknown> = { ...((req.query as Record<string, unknown>) ?? {}) };
  const b = req.body;
  if (Buffer.isBuffer(b)) {
    if (b.length) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(b.toString('utf8'));
      } catch {
        throw new Refusal(400, 'body is not valid JSON');
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Refusal(400, 'body must be a JSON object');
      Object.assign(out, parsed);
    }
  } else if (b && typeof b === 'object') Object.assign(out, b);
  return out;
}

const str = (v: unknown, name: string, required = false): string | undefined => {
  if (v === undefined || v === null || v === '') {
    if (required) throw new Refusal(400, `${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new Refusal(400, `${name} must be a string`);
  return String(v);
};
const num = (v: unknown, name: string, o: { min?: number; max?: number; int?: boolean } = {}): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || (o.int && !Number.isInteger(n)) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    throw new Refusal(400, `${name} must be a ${o.int ? 'integer' : 'number'}${o.min !== undefined ? ` >= ${o.min}` : ''}${o.max !== undefined ? ` <= ${o.max}` : ''}`);
  }
  return n;
};
const bool = (v: unknown, name: string): boolean | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  throw new Refusal(400, `${name} must be a boolean`);
};

function tableNames(db: DB): string[] {
  // counters are derived from the other tables (db/counters.ts): not exported, recounted after copies
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'counters' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
}

/** Every table's rows; BLOBs as {"$base64": "..."}. */
export function exportWorld(w: World): { schemaVersion: number; tables: Record<string, Record<string, unknown>[]> } {
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const t of tableNames(w.db)) {
    tables[t] = (w.db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).map((row) => {
      for (const [k, v] of Object.entries(row)) {
        if (Buffer.isBuffer(v)) row[k] = { $base64: v.toString('base64') };
        else if (typeof v === 'bigint') row[k] = Number(v);
      }
      return row;
    });
  }
  return { schemaVersion: schemaVersion(w.db), tables };
}

/** A new in-memory world holding exactly the exported rows. */
export function importWorld(data: unknown, clock: Clock): World {
  if (!data || typeof data !== 'object' || typeof (data as { tables?: unknown }).tables !== 'object' || !(data as { tables?: unknown }).tables) {
    throw new Refusal(400, 'body must be an export: {"schemaVersion": n, "tables": {...}}');
  }
  const { tables, schemaVersion: sv } = data as { tables: Record<string, unknown>; schemaVersion?: unknown };
  const db = openDatabase(':memory:');
  const current = schemaVersion(db);
  if (sv !== undefined && sv !== current) {
    db.close();
    throw new Refusal(400, `schemaVersion ${String(sv)} does not match this emulator's ${current}`);
  }
  const known = new Set(tableNames(db));
  try {
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      for (const t of known) db.prepare(`DELETE FROM "${t}"`).run();
      for (const [t, rows] of Object.entries(tables)) {
        if (!known.has(t)) throw new Refusal(400, `unknown table ${t}`);
        if (!Array.isArray(rows)) throw new Refusal(400, `tables.${t} must be an array`);
        const cols = new Set((db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => c.name));
        for (const row of rows) {
          if (!row || typeof row !== 'object') throw new Refusal(400, `tables.${t} holds a non-object row`);
          const entries = Object.entries(row as Record<string, unknown>);
          for (const [k] of entries) if (!cols.has(k)) throw new Refusal(400, `unknown column ${t}.${k}`);
          const values = entries.map(([, v]) => {
            if (v && typeof v === 'object' && typeof (v as { $base64?: unknown }).$base64 === 'string') return Buffer.from((v as { $base64: string }).$base64, 'base64');
            if (v !== null && typeof v === 'object') return JSON.stringify(v);
            if (typeof v === 'boolean') return v ? 1 : 0;
            return v;
          });
          db.prepare(`INSERT INTO "${t}" (${entries.map(([k]) => `"${k}"`).join(',')}) VALUES (${entries.map(() => '?').join(',')})`).run(...(values as unknown[]));
        }
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length) throw new Refusal(400, `the import breaks ${broken.length} foreign key reference(s)`);
      rebuildCounters(db);
    })();
    db.pragma('foreign_keys = ON');
  } catch (e) {
    db.close();
    if (e instanceof Refusal) throw e;
    throw new Refusal(400, `import failed: ${(e as Error).message}`);
  }
  return new World(db, clock);
}

/** Replaces every table's rows of `db` by those of a serialized image (same schema), in one transaction. */
export function copyInto(db: DB, image: Buffer): void {
  const dir = scratchDir(db);
  const file = join(dir, 'image.sqlite');
  writeFileSync(file, image);
  db.pragma('foreign_keys = OFF');
  try {
    db.prepare('ATTACH DATABASE ? AS src').run(file);
    try {
      // without the counting triggers (recounted once at the end) the deletes truncate and the
      // inserts copy whole b-trees: 28 s → 6.4 s for a 1 M-tweet image
      db.transaction(() =>
        withCountersSuspended(db, () => {
          for (const t of tableNames(db)) {
            db.prepare(`DELETE FROM main."${t}"`).run();
            db.prepare(`INSERT INTO main."${t}" SELECT * FROM src."${t}"`).run();
          }
          const hasSeq = (schema: string) => !!db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE name = 'sqlite_sequence'`).get();
          if (hasSeq('main')) {
            db.prepare('DELETE FROM main.sqlite_sequence').run();
            if (hasSeq('src')) db.prepare('INSERT INTO main.sqlite_sequence SELECT * FROM src.sqlite_sequence').run();
          }
        }),
      )();
    } finally {
      db.prepare('DETACH DATABASE src').run();
    }
  } finally {
    db.pragma('foreign_keys = ON');
    rmSync(dir, { recursive: true, force: true });
  }
}

function counts(w: World): Record<string, number> {
  const c = (sql: string) => (w.db.prepare(sql).get() as { n: number }).n;
  return {
    apps: c('SELECT COUNT(*) AS n FROM apps'),
    users: c('SELECT COUNT(*) AS n FROM users'),
    tweets: c('SELECT COUNT(*) AS n FROM tweets'),
    follows: c('SELECT COUNT(*) AS n FROM follows'),
    private_messages: c('SELECT COUNT(*) AS n FROM private_messages'),
    files: c('SELECT COUNT(*) AS n FROM files'),
    oauth2_tokens: c('SELECT COUNT(*) AS n FROM oauth2_tokens'),
    oauth1_tokens: c('SELECT COUNT(*) AS n FROM oauth1_tokens'),
  };
}

function clockState(clock: Clock) {
  const frozenAt = Reflect.get(clock, 'frozenAt') as number | null;
  const offsetMs = Reflect.get(clock, 'offsetMs') as number;
  return { now: clock.now(), nowMs: clock.nowMs(), iso: new Date(clock.nowMs()).toISOString(), frozen: frozenAt !== null, offsetSeconds: frozenAt !== null ? Math.round((frozenAt - Date.now()) / 1000) : Math.round(offsetMs / 1000) };
}

function uniqueDigits(prefix: string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = prefix + String(randomInt(0, 100000)).padStart(5, '0');
    if (!taken(id)) return id;
  }
}

/** Pulls the credentials that pick a world out of a request: query, body, OAuth Authorization header. */
function credentialsOf(req: FastifyRequest): { keys: string[]; accessToken?: string } {
  const v: Record<string, string> = {};
  flatten(req.query, v);
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [k, raw] of Object.entries(body)) {
      const part = Array.isArray(raw) ? raw[0] : raw;
      if (part && typeof part === 'object' && (part as { type?: string }).type === 'field') v[k] ??= String((part as { value?: unknown }).value ?? '');
      else if (typeof part === 'string') v[k] ??= part;
    }
  }
  const keys: string[] = [];
  if (v.client_id) keys.push(v.client_id);
  if (v.oauth_consumer_key) keys.push(v.oauth_consumer_key);
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^OAuth\s/i.test(auth)) {
    const m = /oauth_consumer_key="([^"]*)"/.exec(auth);
    if (m) keys.push(decodeURIComponent(m[1]));
  }
  return { keys, accessToken: v.access_token };
}

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

const pathOf = (url: string): string => {
  const p = url.split('?')[0];
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
};

/** Installs the control hooks and routes. Call before the API routes are registered. */
export function registerControl(app: FastifyInstance): void {
  const state: ControlState = {
    template: saveImage(app.world.db),
    snapshots: new Map(),
    journal: [],
    journalMax: 10000,
    journalSeq: 0,
    faults: [],
    faultSeq: 0,
    worlds: new Map(),
    registry: new Map(),
  };
  app.decorate('control', state);
  const config = app.emulatorConfig;

  const refuse = (reply: FastifyReply, status: number, error: string) => reply.code(status).type('application/json; charset=utf-8').send({ error });

  const targetWorld = (o: Record<string, unknown>): World => {
    const id = str(o.world, 'world');
    if (!id || id === 'default') return app.world;
    const iso = state.worlds.get(id);
    if (!iso) throw new Refusal(404, `no world ${id}`);
    return iso.world;
  };
  const userOf = (w: World, v: unknown, name = 'user') => {
    const s = str(v, name, true)!;
    const u = w.users.byName(s) ?? (/^\d+$/.test(s) ? w.users.byId(Number(s)) : undefined);
    if (!u) throw new Refusal(404, `no user ${s}`);
    return u;
  };
  const appOf = (w: World, v: unknown, def: string, platform: 'graph' | 'weibo') => {
    const appid = str(v, 'appid') ?? def;
    const a = w.apps.get(appid);
    if (!a) throw new Refusal(404, `no app ${appid}`);
    if (a.platform !== platform) throw new Refusal(400, `app ${appid} is a ${a.platform} app`);
    return a;
  };

  // --- hooks -------------------------------------------------------------------------------
  // callback style: API calls with no faults set pass without a promise; answering early means
  // not calling done
  app.addHook('onRequest', (req, reply, done) => {
    if (req.url.startsWith(PREFIX)) {
      // the console page's HTML holds no data and asks for the token itself (server/console.ts)
      const consolePage = req.routeOptions.url === CONSOLE_PATH && (req.method === 'GET' || req.method === 'HEAD');
      if (config.adminToken && !consolePage && req.headers.authorization !== `Bearer ${config.adminToken}`) {
        reply.header('www-authenticate', 'Bearer realm="emulator"');
        refuse(reply, 401, 'the control plane needs Authorization: Bearer <admin token>');
        return;
      }
      return done();
    }
    if (!state.faults.length) return done();
    injectFault(req, reply).then(
      (answered) => {
        if (!answered) done();
      },
      (e: Error) => done(e),
    );
  });
  /** Applies the fault set for this path, if any: true when it answered (or dropped) the request. */
  const injectFault = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const path = pathOf(req.url);
    const f = state.faults.find((x) => x.path === path);
    if (!f) return false;
    if (f.rate !== undefined && Math.random() >= f.rate) return false;
    f.hits++;
    if (f.remaining !== undefined && --f.remaining <= 0) state.faults.splice(state.faults.indexOf(f), 1);
    if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (f.drop) {
      reply.hijack();
      req.raw.socket?.destroy();
      return true;
    }
    if (f.ret !== undefined) {
      const err = new ApiError(f.ret, f.msg ?? 'injected fault', f.errcode ?? 0);
      send(reply, renderError(envelopeOf(req), err, { format: requestFormat(req) }), f.httpStatus ?? 200);
      return true;
    }
    if (f.httpStatus !== undefined) {
      reply.code(f.httpStatus).type('text/html; charset=utf-8').send(f.msg ?? `injected HTTP ${f.httpStatus}`);
      return true;
    }
    return false;
  };

  // callback style (nothing awaited): no promise per request on the hot path
  app.addHook('preHandler', (req, _reply, done) => {
    if (!state.restoring) return pickWorld(req, done);
    // a file store is being put back in place (db/images.ts): a write now would wait on the
    // backup's lock while blocking it; run on the restored world once it is done. Checked here,
    // after the body arrived, so a request still uploading when the restore began waits too.
    state.restoring.then(() => {
      req.world = app.world;
      pickWorld(req, done);
    });
  });
  const pickWorld = (req: FastifyRequest, done: (e?: Error) => void): void => {
    try {
      toIsolatedWorld(req);
      done();
    } catch (e) {
      done(e as Error);
    }
  };
  const toIsolatedWorld = (req: FastifyRequest): void => {
    if (!state.worlds.size || req.url.startsWith(PREFIX)) return;
    const { keys, accessToken } = credentialsOf(req);
    for (const k of keys) {
      const id = state.registry.get(k);
      if (id) {
        const iso = state.worlds.get(id);
        if (iso) req.world = iso.world;
        return;
      }
    }
    if (accessToken) {
      for (const iso of state.worlds.values()) {
        if (iso.world.oauth2.getToken(accessToken)) {
          req.world = iso.world;
          return;
        }
      }
    }
    // picture links carry no credentials: /qzonepic/:appid/... names the app, and a
    // content-addressed key the current world lacks is looked up in the isolated worlds
    const params = (req.params ?? {}) as { appid?: string; key?: string };
    const byApp = params.appid ? state.registry.get(params.appid) : undefined;
    if (byApp && state.worlds.has(byApp)) {
      req.world = state.worlds.get(byApp)!.world;
      return;
    }
    if (params.key && /^[0-9a-f]{32}$/.test(params.key) && !req.world.files.get(params.key)) {
      for (const iso of state.worlds.values()) {
        if (iso.world.files.get(params.key)) {
          req.world = iso.world;
          return;
        }
      }
    }
  };

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
    if (state.journal.length > state.journalMax + 1024) state.journal.splice(0, journalStart());
  };
  /** Index of the oldest entry the journal shows (those before it wait for the next trim). */
  const journalStart = (): number => Math.max(0, state.journal.length - state.journalMax);

  // --- routes ------------------------------------------------------------------------------
  type Handler = (req: FastifyRequest, reply: FastifyReply, o: Record<string, unknown>) => unknown;
  const route = (method: 'GET' | 'POST' | 'DELETE', url: string, h: Handler) =>
    app.route({
      method,
      url: PREFIX + url,
      handler: async (req, reply) => {
        try {
          const out = await h(req, reply, input(req));
          if (reply.sent) return reply;
          return reply.type('application/json; charset=utf-8').send(out);
        } catch (e) {
          if (e instanceof Refusal) return refuse(reply, e.status, e.message);
          req.log.error(e);
          return refuse(reply, 500, `control error: ${(e as Error).message}`);
        }
      },
    });
  // the old world is not closed: a request that started on it (e.g. awaiting a multipart body)
  // may still read it; it is freed once nothing references it
  // a file-backed store is rewritten in place (so the file keeps the state), an in-memory one swapped
  const swap = (w: World) => {
    const cur = app.world.db;
    if (cur.memory || cur === w.db) {
      app.world = w;
      return;
    }
    copyInto(cur, w.db.serialize());
    w.db.close();
    app.world = new World(cur, w.clock, w.rules);
  };
  /** Puts a saved state back as a fresh world (default rules) on `clock`. */
  const restore = async (image: Image, clock: Clock): Promise<void> => {
    const cur = app.world.db;
    if (cur.memory || image.kind === 'memory') return swap(worldFromImage(imageBytes(image), clock));
    const done = restoreFile(cur, image);
    // what waiting requests wait on: settles either way (a failure is this route's to report)
    state.restoring = done.catch(() => undefined);
    try {
      await done;
    } finally {
      state.restoring = undefined;
    }
    app.world = new World(cur, clock);
  };
  app.addHook('onClose', (_app, done) => {
    dropImage(state.template);
    for (const s of state.snapshots.values()) dropImage(s.image);
    state.snapshots.clear();
    done();
  });

  route('GET', 'health', () => ({ status: 'ok' }));

  route('GET', 'info', () => ({
    name: 'tencent-open-emulator',
    version: VERSION,
    schemaVersion: schemaVersion(app.world.db),
    config: {
      host: config.host,
      port: config.port,
      db: config.db,
      seed: config.seed,
      size: config.size,
      baseUrl: config.baseUrl,
      maxUpload: config.maxUpload,
      autoApproveUser: config.autoApproveUser,
      adminToken: config.adminToken ? true : false,
    },
    fixtures: {
      graphApp: { appid: FIXTURES.graphApp.appid, secret: FIXTURES.graphApp.secret },
      graphAppPlain: { appid: FIXTURES.graphAppPlain.appid, secret: FIXTURES.graphAppPlain.secret },
      weiboApp: { consumer_key: FIXTURES.weiboApp.appid, consumer_secret: FIXTURES.weiboApp.secret },
      users: FIXTURES.users.map((u) => u.name),
    },
    clock: clockState(app.world.clock),
    counts: counts(app.world),
    snapshots: state.snapshots.size,
    worlds: state.worlds.size,
    journal: state.journal.length - journalStart(),
    faults: state.faults.length,
  }));

  // reset, snapshots, export/import
  route('POST', 'reset', async (_req, _reply, o) => {
    const started = process.hrtime.bigint();
    const keepClock = bool(o.keepClock, 'keepClock') ?? false;
    const clock = app.world.clock;
    if (!keepClock) clock.reset();
    await restore(state.template, clock);
    return { status: 'reset', ms: Number(process.hrtime.bigint() - started) / 1e6, counts: counts(app.world) };
  });

  const SNAP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
  route('POST', 'snapshots/:name', (req) => {
    const name = (req.params as { name: string }).name;
    if (!SNAP_NAME.test(name)) throw new Refusal(400, 'snapshot name must be 1-64 of A-Z a-z 0-9 _ . -');
    const image = saveImage(app.world.db);
    const created = app.world.clock.now();
    const old = state.snapshots.get(name);
    state.snapshots.set(name, { image, created });
    if (old) dropImage(old.image);
    return { name, created, bytes: imageSize(image) };
  });
  route('POST', 'snapshots/:name/restore', async (req) => {
    const name = (req.params as { name: string }).name;
    const s = state.snapshots.get(name);
    if (!s) throw new Refusal(404, `no snapshot ${name}`);
    await restore(s.image, app.world.clock);
    return { name, restored: true, counts: counts(app.world) };
  });
  route('GET', 'snapshots', () => ({ snapshots: [...state.snapshots].map(([name, s]) => ({ name, created: s.created, bytes: imageSize(s.image) })) }));
  route('DELETE', 'snapshots/:name', (req) => {
    const name = (req.params as { name: string }).name;
    const s = state.snapshots.get(name);
    if (!s) throw new Refusal(404, `no snapshot ${name}`);
    state.snapshots.delete(name);
    dropImage(s.image);
    return { name, deleted: true };
  });

  route('GET', 'export', (_req, _reply, o) => exportWorld(targetWorld(o)));
  route('POST', 'import', (req) => {
    const b = req.body;
    let data: unknown;
    try {
      data = Buffer.isBuffer(b) ? JSON.parse(b.toString('utf8')) : b;
    } catch {
      throw new Refusal(400, 'body is not valid JSON');
    }
    swap(importWorld(data, app.world.clock));
    return { imported: true, counts: counts(app.world) };
  });

  // direct issuance
  route('POST', 'apps', (_req, _reply, o) => {
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

  route('POST', 'users', (_req, _reply, o) => {
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

  route('POST', 'relations', (_req, _reply, o) => {
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

  route('POST', 'tokens/graph', (_req, _reply, o) => {
    const w = targetWorld(o);
    const u = userOf(w, o.user);
    const a = appOf(w, o.appid, FIXTURES.graphApp.appid, 'graph');
    const scope = str(o.scope, 'scope') ?? 'all';
    const t = w.tx(() => w.oauth2.issueToken(a.appid, u.id, scope));
    return { access_token: t.access_token, openid: w.apps.openidFor(a.appid, u.id), oauth_consumer_key: a.appid, expires_in: ACCESS_TTL, refresh_token: t.refresh_token };
  });

  route('POST', 'tokens/weibo', (_req, _reply, o) => {
    const w = targetWorld(o);
    const u = userOf(w, o.user);
    const a = appOf(w, o.appid, FIXTURES.weiboApp.appid, 'weibo');
    const t = w.tx(() => w.oauth1.createAccessToken(a.appid, u.id));
    return { oauth_token: t.token, oauth_token_secret: t.secret, oauth_consumer_key: a.appid, oauth_consumer_secret: a.secret, name: u.name };
  });

  // clock
  route('GET', 'clock', (_req, _reply, o) => clockState(targetWorld(o).clock));
  route('POST', 'clock', (_req, _reply, o) => {
    const clock = targetWorld(o).clock;
    const reset = bool(o.reset, 'reset');
    const set = num(o.set, 'set', { min: 0 });
    const advance = num(o.advance, 'advance');
    const freeze = bool(o.freeze, 'freeze');
    if (reset) clock.reset();
    if (set !== undefined) clock.set(set, freeze ?? (Reflect.get(clock, 'frozenAt') !== null));
    else if (freeze !== undefined) clock.set(clock.nowMs() / 1000, freeze);
    if (advance !== undefined) clock.advance(advance);
    return clockState(clock);
  });

  // journal
  route('GET', 'journal', (_req, _reply, o) => {
    const path = str(o.path, 'path');
    const user = str(o.user, 'user');
    const method = str(o.method, 'method')?.toUpperCase();
    const world = str(o.world, 'world');
    const limit = num(o.limit, 'limit', { int: true, min: 1, max: 10000 }) ?? 100;
    const out: JournalEntry[] = [];
    const first = journalStart();
    for (let i = state.journal.length - 1; i >= first && out.length < limit; i--) {
      const e = state.journal[i];
      if (path && e.path !== path && !(path.endsWith('*') && e.path.startsWith(path.slice(0, -1)))) continue;
      if (user && e.user !== user) continue;
      if (method && e.method !== method) continue;
      if (world && e.world !== world) continue;
      out.push(e);
    }
    return { total: state.journal.length - first, entries: out.map((e) => ({ ...e, at: e.at, params: e.params })) };
  });
  route('DELETE', 'journal', () => {
    const n = state.journal.length - journalStart();
    state.journal.length = 0;
    return { cleared: n };
  });

  // faults
  route('POST', 'faults', (_req, _reply, o) => {
    const raw = str(o.path, 'path', true)!;
    if (!raw.startsWith('/') || raw.startsWith(PREFIX)) throw new Refusal(400, 'path must be an API path starting with / (not /_emulator/)');
    const count = num(o.count, 'count', { int: true, min: 1 });
    const rate = num(o.rate, 'rate', { min: 0, max: 1 });
    const f: Fault = {
      id: ++state.faultSeq,
      path: pathOf(raw),
      remaining: count ?? (rate !== undefined ? undefined : 1),
      rate,
      ret: num(o.ret, 'ret', { int: true }),
      errcode: num(o.errcode, 'errcode', { int: true }),
      msg: str(o.msg, 'msg'),
      httpStatus: num(o.httpStatus, 'httpStatus', { int: true, min: 100, max: 599 }),
      delayMs: num(o.delayMs, 'delayMs', { int: true, min: 0, max: 120000 }),
      drop: bool(o.drop, 'drop'),
      hits: 0,
    };
    if (f.ret === undefined && f.errcode !== undefined) f.ret = 4;
    if (f.ret === undefined && f.httpStatus === undefined && !f.delayMs && !f.drop) throw new Refusal(400, 'a fault needs ret/errcode, httpStatus, delayMs or drop');
    state.faults.push(f);
    return f;
  });
  route('GET', 'faults', () => ({ faults: state.faults }));
  route('DELETE', 'faults', () => {
    const n = state.faults.length;
    state.faults.length = 0;
    return { cleared: n };
  });

  // isolated worlds
  route('POST', 'worlds', () => {
    const started = process.hrtime.bigint();
    const w = worldFromImage(imageBytes(state.template));
    const taken = (id: string) => state.registry.has(id) || !!app.world.apps.get(id) || !!w.apps.get(id);
    const graphId = uniqueDigits('1018', taken);
    const weiboId = uniqueDigits('8018', taken);
    const g = FIXTURES.graphApp;
    const graph = w.tx(() =>
      w.apps.create({ appid: graphId, secret: hex32(), name: g.name, platform: 'graph', redirectUris: [...g.redirectUris], grantedApis: [...g.grantedApis], unionid: g.unionid }),
    );
    const weibo = w.tx(() =>
      w.apps.create({ appid: weiboId, secret: hex32lower(), name: FIXTURES.weiboApp.name, platform: 'weibo', redirectUris: [...FIXTURES.weiboApp.redirectUris] }),
    );
    let id: string;
    do id = 'w' + randomBytes(6).toString('hex');
    while (state.worlds.has(id));
    const iso: IsolatedWorld = { id, world: w, created: Date.now(), graph: { appid: graph.appid, secret: graph.secret }, weibo: { consumer_key: weibo.appid, consumer_secret: weibo.secret } };
    state.worlds.set(id, iso);
    state.registry.set(graph.appid, id);
    state.registry.set(weibo.appid, id);
    return { id, graph: iso.graph, weibo: iso.weibo, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  });
  route('GET', 'worlds', () => ({ worlds: [...state.worlds.values()].map((i) => ({ id: i.id, graph: i.graph, weibo: i.weibo, counts: counts(i.world) })) }));
  route('DELETE', 'worlds/:id', (req) => {
    const id = (req.params as { id: string }).id;
    const iso = state.worlds.get(id);
    if (!iso) throw new Refusal(404, `no world ${id}`);
    state.worlds.delete(id);
    for (const [k, v] of state.registry) if (v === id) state.registry.delete(k);
    return { id, deleted: true };
  });

  // unknown control paths: JSON 404, not an API envelope
  app.all(PREFIX + '*', async (req, reply) => refuse(reply, 404, `no control endpoint ${req.method} ${pathOf(req.url)}`));
}
