// What every control module shares: the control state, the route helper with its JSON answers
// and refusals, parameter readers, and the lookups of a call's world, user and app.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { World } from '../../db/world.js';
import type { Image } from '../../db/images.js';
import type { UserRow } from '../../db/users.js';
import type { App } from '../../db/apps.js';
import { InvalidData } from '../../db/errors.js';
import type { Fixtures } from '../../db/fixtures.js';
import type { Origin } from '../../db/origin.js';
import type { Schema } from '../params.js';
import type { Trace } from './journal.js';
import type { Fault } from './faults.js';
import type { IsolatedWorld } from './worlds.js';
import { retireWorld } from '../world_hold.js';

export const PREFIX = '/_emulator/';

/** What the control plane keeps for one world (the default one or an isolated one): its own
 * journal, faults and snapshots, so one CI job's calls never show in or break another's. */
export interface WorldControl {
  journal: Trace[];
  /** estimated bytes held by `journal` (strings counted by length) */
  journalBytes: number;
  faults: Fault[];
  snapshots: Map<string, { image: Image; created: number }>;
  /** fixtures loaded into this world over HTTP (with their source): reset applies them again */
  fixtures: { fixtures: Fixtures; source: string }[];
}

export const newWorldControl = (): WorldControl => ({ journal: [], journalBytes: 0, faults: [], snapshots: new Map(), fixtures: [] });

export interface ControlState {
  /** the world as it started: what reset returns to (and what isolated worlds start as) */
  template: Image;
  /** an existing store file's recorded seed: reset of the default world returns to it (+ fixtures) instead */
  origin?: Origin;
  /** that seed's image, made on the first reset */
  originImage?: Image;
  /** the default world's journal, faults and snapshots */
  main: WorldControl;
  /** set while a file-backed store is being restored: requests wait for it (db/images.ts) */
  restoring?: Promise<void>;
  /** entries and bytes each world's journal keeps (the oldest go first) */
  journalMax: number;
  journalMaxBytes: number;
  /** one sequence across worlds: a seq names one entry wherever it is */
  journalSeq: number;
  faultSeq: number;
  worlds: Map<string, IsolatedWorld>;
  /** credential (graph appid or weibo consumer key) → isolated world id */
  registry: Map<string, string>;
}

/** A world a control call acts on: its id ('default' or an isolated world's), the world, its control data. */
export interface Scope {
  id: string;
  world: World;
  ctl: WorldControl;
  iso?: IsolatedWorld;
}

/** A control call refused: {error} with this HTTP status. */
export class Refusal extends Error {
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

export const str = (v: unknown, name: string, required = false): string | undefined => {
  if (v === undefined || v === null || v === '') {
    if (required) throw new Refusal(400, `${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new Refusal(400, `${name} must be a string`);
  return String(v);
};
export const num = (v: unknown, name: string, o: { min?: number; max?: number; int?: boolean } = {}): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || (o.int && !Number.isInteger(n)) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    throw new Refusal(400, `${name} must be a ${o.int ? 'integer' : 'number'}${o.min !== undefined ? ` >= ${o.min}` : ''}${o.max !== undefined ? ` <= ${o.max}` : ''}`);
  }
  return n;
};
export const bool = (v: unknown, name: string): boolean | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  throw new Refusal(400, `${name} must be a boolean`);
};

/** A request path without its query and trailing slashes. */
export const pathOf = (url: string): string => {
  const p = url.split('?')[0];
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
};

export const refuse = (reply: FastifyReply, status: number, error: string) => reply.code(status).type('application/json; charset=utf-8').send({ error });

export type Handler = (req: FastifyRequest, reply: FastifyReply, o: Record<string, unknown>) => unknown;

/** How a control route is described in the OpenAPI document (server/openapi.ts): what it takes and answers. */
export interface ControlDoc {
  summary: string;
  /** fields of the JSON body (a form or the query work too) */
  body?: Record<string, Schema>;
  required?: string[];
  /** query parameters (GET / DELETE) */
  query?: Record<string, Schema>;
  /** a body (or query) that works on the seeded world: what a generated client sends */
  example?: Record<string, unknown>;
  /** examples of the path parameters */
  path?: Record<string, string>;
  /** the JSON answer */
  answer?: Schema;
  /** OpenAPI links from the answer to the next call (e.g. export → import) */
  links?: Record<string, unknown>;
}

/** The `world` field most control calls take. */
export const WORLD_FIELD: Schema = { type: 'string', description: 'an isolated world id (POST /_emulator/worlds); the default world when absent' };
/** Row counts of a world (db/transfer.ts worldCounts). */
export const COUNTS: Schema = { type: 'object', additionalProperties: { type: 'integer' } };

export interface ControlRoute {
  method: string;
  /** fastify syntax, PREFIX included */
  url: string;
  /** the parameters the route accepts (others are refused) */
  known: readonly string[];
  doc?: ControlDoc;
}

const described = new WeakMap<FastifyInstance, ControlRoute[]>();

/** The control routes registered through Control.route, in registration order, with their descriptions. */
export const controlRoutes = (app: FastifyInstance): ControlRoute[] => described.get(app) ?? [];

/** A description may only name parameters the route accepts: a generated client must not be refused. */
function describe(app: FastifyInstance, r: ControlRoute): void {
  const named = [...Object.keys(r.doc?.body ?? {}), ...Object.keys(r.doc?.query ?? {})];
  const stray = named.filter((k) => !r.known.includes(k));
  if (stray.length) throw new Error(`control route ${r.method} ${r.url} describes parameters it refuses: ${stray.join(', ')}`);
  let list = described.get(app);
  if (!list) described.set(app, (list = []));
  list.push(r);
}

/** Refuses parameters a control call does not know: a misspelt one (`advanc=10`) must not pass as a no-op. */
function checkKnown(o: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) throw new Refusal(400, `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${known.length ? known.join(', ') : 'none'})`);
}

/** What a control module is given: the app, the shared state, and helpers bound to them. */
export interface Control {
  app: FastifyInstance;
  state: ControlState;
  /** registers a control route under PREFIX answering JSON; parameters outside `known` are refused; `doc` describes it */
  route(method: 'GET' | 'POST' | 'DELETE', url: string, known: readonly string[], h: Handler, doc?: ControlDoc): void;
  /** the world a call names with world= (the current one when absent or "default") */
  targetWorld(o: Record<string, unknown>): World;
  /** the same, with its id and control data */
  scope(o: Record<string, unknown>): Scope;
  /** the scope a world object belongs to (an API request's req.world) */
  scopeOfWorld(w: World): Scope;
  userOf(w: World, v: unknown, name?: string): UserRow;
  appOf(w: World, v: unknown, def: string, platform: 'graph' | 'weibo'): App;
}

/**
 * Every world an isolated world has had, by that isolated world: a request still on one that a
 * reset replaced, or on a deleted world, is journaled and faulted as that world's, not the default's.
 */
const ownerOf = new WeakMap<World, IsolatedWorld>();
/** Makes `w` the isolated world's world; the one it replaces is closed once no request is on it. */
export function placeWorld(iso: IsolatedWorld, w: World): void {
  const old = iso.world;
  iso.world = w;
  ownerOf.set(w, iso);
  if (old !== w) retireWorld(old);
}

export function controlContext(app: FastifyInstance, state: ControlState): Control {
  const scope = (o: Record<string, unknown>): Scope => {
    const id = str(o.world, 'world');
    if (!id || id === 'default') return { id: 'default', world: app.world, ctl: state.main };
    const iso = state.worlds.get(id);
    if (!iso) throw new Refusal(404, `no world ${id}`);
    return { id, world: iso.world, ctl: iso.ctl, iso };
  };
  return {
    app,
    state,
    scope,
    scopeOfWorld: (w) => {
      const iso = ownerOf.get(w);
      return iso ? { id: iso.id, world: w, ctl: iso.ctl, iso } : { id: 'default', world: w, ctl: state.main };
    },
    route: (method, url, known, h, doc) => {
      describe(app, { method, url: PREFIX + url, known, doc });
      app.route({
        method,
        url: PREFIX + url,
        handler: async (req, reply) => {
          try {
            const o = input(req);
            checkKnown(o, known);
            const out = await h(req, reply, o);
            if (reply.sent) return reply;
            return reply.type('application/json; charset=utf-8').send(out);
          } catch (e) {
            if (e instanceof Refusal) return refuse(reply, e.status, e.message);
            if (e instanceof InvalidData) return refuse(reply, 400, e.message);
            req.log.error(e);
            return refuse(reply, 500, `control error: ${(e as Error).message}`);
          }
        },
      });
    },
    targetWorld: (o) => scope(o).world,
    userOf: (w, v, name = 'user') => {
      const s = str(v, name, true)!;
      const u = w.users.byName(s) ?? (/^\d+$/.test(s) ? w.users.byId(Number(s)) : undefined);
      if (!u) throw new Refusal(404, `no user ${s}`);
      return u;
    },
    appOf: (w, v, def, platform) => {
      const appid = str(v, 'appid') ?? def;
      const a = w.apps.get(appid);
      if (!a) throw new Refusal(404, `no app ${appid}`);
      if (a.platform !== platform) throw new Refusal(400, `app ${appid} is a ${a.platform} app`);
      return a;
    },
  };
}
