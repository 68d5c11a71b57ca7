// How an API route is declared: path, method, envelope and auth. The route's handler gets
// the parsed parameters, the world and the authenticated caller, and returns plain data;
// this module runs auth, calls the handler and hands the result to the response layer.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { World } from '../db/world.js';
import type { App } from '../db/apps.js';
import type { UserRow } from '../db/users.js';
import { Args, bodyParts, flatten, type Upload } from './args.js';
import { ApiError, apiErrorOf, badParam } from './errors.js';
import { renderError, renderOk, send, withFreshSeqid, type Envelope } from './respond.js';
import { authenticateGraph, type GraphAuth } from './auth/oauth2.js';
import { authenticateWeibo, type WeiboAuth } from './auth/weibo.js';
import { forwarded, requestPrefix } from './hosts.js';
import { MULTIPART_LIMITS, queryRefusal } from './limits.js';
import { checkParams, type Param, type Schema } from './params.js';
import { keptAnswer, type Rendered } from './answers.js';
import { dataSerializer, type DataSerializer } from './serialize.js';

export interface Ctx {
  args: Args;
  world: World;
  req: FastifyRequest;
  reply: FastifyReply;
  /** scheme://host of the request (or the configured public base): prefix of generated links */
  base: string;
  /** the authenticated caller (graph: token's user; weibo: access token's user) */
  user: UserRow;
  app: App;
  graph?: GraphAuth;
  weibo?: WeiboAuth;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | ('GET' | 'POST')[];
  url: string;
  envelope: Envelope;
  /** graph: the API name checked against approval and scope */
  api?: string;
  auth: 'graph' | 'weibo';
  /** graph get_user_info's pretty JSON layout */
  pretty?: boolean;
  /** the parameters (server/params.ts): checked before the handler, described in the OpenAPI document */
  params?: Param[];
  /** the schema of a successful answer's data (weibo envelopes) or fields (graph): server/schemas.ts */
  data: Schema;
  summary?: string;
  /**
   * A pure read: synchronous, writes nothing, and its answer depends only on the store, the
   * caller, the arguments, the public base and the clock's second — kept until any of them
   * changes (server/answers.ts).
   */
  cache?: boolean;
  handler: (ctx: Ctx) => unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    world: World;
    args: Args;
  }
  interface FastifyContextConfig {
    envelope?: Envelope;
    /** a retired / not-provided API: its notice answers every method it was registered for */
    refusal?: boolean;
  }
}

/** Builds Args for a request: query, then form or multipart fields; uploads kept apart. */
export async function readArgs(req: FastifyRequest): Promise<Args> {
  const values: Record<string, string> = {};
  const uploads: Record<string, Upload> = {};
  let oversized: string | undefined;
  const flood = queryRefusal(req.query);
  if (flood) throw badParam(flood);
  flatten(req.query, values);
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    if (req.isMultipart()) {
      for (const [k, part] of bodyParts(body)) {
        if (part.type === 'file' && part.toBuffer) {
          const bytes = await part.toBuffer();
          if (part.truncated()) oversized = `error ${k} param: upload too large (the limit is ${req.server.emulatorConfig.maxUpload} bytes)`;
          uploads[k] = { field: k, filename: part.filename, mimetype: part.mimetype, bytes };
        } else if (part.type === 'field' && values[k] === undefined) {
          // busboy cuts a longer field silently: signing or length checks would then judge other text
          if (part.truncated) oversized ??= `error ${k} param: longer than ${MULTIPART_LIMITS.fieldSize} bytes (the multipart field limit)`;
          values[k] = part.value;
        }
      }
    } else flatten(body, values);
  }
  const args = new Args(values, uploads);
  args.refusal = oversized ? badParam(oversized) : undefined;
  return args;
}

/** scheme://host of the request (or the configured public base), plus the `/graph.qq.com` or
 * `/open.t.qq.com` path prefix the client used (server/hosts.ts), so generated links keep it. */
export function baseOf(req: FastifyRequest, configured?: string): string {
  const prefix = requestPrefix(req);
  if (configured) return configured.replace(/\/$/, '') + prefix;
  const proto = String(forwarded(req, 'proto') ?? req.protocol).split(',')[0].trim();
  return `${proto}://${forwarded(req, 'host') ?? req.headers.host ?? 'localhost'}${prefix}`;
}

/** Calls per (app, user) inside the sliding window of rules.rateLimit (kept in memory per world). */
interface RateTable {
  /** (app, user) → times of its calls in the window; least recently used first */
  hits: Map<string, number[]>;
  sweptAt: number;
}
const rateTables = new WeakMap<World, RateTable>();
/** At most this many (app, user) pairs are remembered; the least recently active go first. */
export const MAX_RATE_KEYS = 10_000;

/** How many (app, user) pairs the rate table of `world` holds (its memory bound, for tests). */
export const rateTableSize = (world: World): number => rateTables.get(world)?.hits.size ?? 0;

/** open.t.qq.com's request-rate limit: ret 2 once (app, user) made rules.rateLimit calls in the window. */
export function checkRate(world: World, appid: string, userId: number): void {
  const { rateLimit, rateWindowSeconds } = world.rules;
  if (rateLimit <= 0) return;
  let table = rateTables.get(world);
  if (!table) rateTables.set(world, (table = { hits: new Map(), sweptAt: 0 }));
  const key = `${appid}:${userId}`;
  const now = world.clock.nowMs();
  const windowStart = now - rateWindowSeconds * 1000;
  // pairs whose calls all left the window are forgotten, at most once per window
  if (now - table.sweptAt >= rateWindowSeconds * 1000) {
    table.sweptAt = now;
    for (const [k, times] of table.hits) if (times[times.length - 1] <= windowStart) table.hits.delete(k);
  }
  const hits = (table.hits.get(key) ?? []).filter((t) => t > windowStart);
  table.hits.delete(key); // re-inserted last: the map stays in least-recently-used order
  table.hits.set(key, hits);
  if (table.hits.size > MAX_RATE_KEYS) table.hits.delete(table.hits.keys().next().value as string);
  if (hits.length >= rateLimit) throw new ApiError(2, `rate limited: at most ${rateLimit} calls in ${rateWindowSeconds} s`, 0);
  hits.push(now);
}

/** What the OpenAPI description (server/openapi.ts) knows of a route declared here. */
export interface DeclaredRoute {
  method: string[];
  url: string;
  envelope: Envelope;
  /** undefined: a refusal (retired / not provided), answered without authentication */
  auth?: 'graph' | 'weibo';
  api?: string;
  refusal?: { ret: number; errcode: number; msg: string };
  params?: Param[];
  data?: Schema;
  summary?: string;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Routes registered through registerApi / registerRefusal on this app, in registration order. */
export function declaredRoutes(app: FastifyInstance): DeclaredRoute[] {
  return declared.get(app) ?? [];
}

function declare(app: FastifyInstance, r: DeclaredRoute): void {
  let list = declared.get(app);
  if (!list) declared.set(app, (list = []));
  list.push(r);
}

export function registerApi(app: FastifyInstance, route: ApiRoute): void {
  const { url, envelope, auth, api, params, data, summary } = route;
  declare(app, { method: ([] as string[]).concat(route.method), url, envelope, auth, api, params, data, summary });
  const serializer = dataSerializer(envelope, data, url);
  const graphApi = route.api ?? url.split('/').pop()!;
  app.route({
    method: route.method,
    url: route.url,
    config: { envelope: route.envelope },
    handler: async (req, reply) => {
      const args = req.args ?? (await readArgs(req));
      const format = args.format();
      try {
        if (args.refusal) throw args.refusal;
        const world = req.world;
        const base = baseOf(req, app.emulatorConfig.baseUrl);
        // one literal shape per branch, no spread: a spread here cost get_user_info ~5 % of its
        // CPU profile (V8 copies a spread source by a slow path once its sites see many shapes)
        let ctx: Ctx;
        if (route.auth === 'graph') {
          const g = authenticateGraph(world, args, graphApi);
          ctx = { args, world, req, reply, base, user: g.user, app: g.app, graph: g, weibo: undefined };
        } else {
          const w = authenticateWeibo(world, req, args, app.emulatorConfig.baseUrl);
          ctx = { args, world, req, reply, base, user: w.user, app: w.app, graph: undefined, weibo: w };
        }
        req.journalUser = ctx.user.name;
        if (route.envelope !== 'graph') checkRate(world, ctx.app.appid, ctx.user.id);
        // a kept read's parameters were checked when it was computed (the arguments are its key)
        if (route.cache) return send(reply, keptRead(route, ctx, format, serializer));
        checkParams(route.params, args);
        const data = await route.handler(ctx);
        if (reply.sent) return reply;
        req.journalRet = { ret: 0, errcode: route.envelope === 'graph' ? undefined : 0 };
        return send(reply, renderOk(route.envelope, data, { format, pretty: route.pretty, serializer }));
      } catch (thrown) {
        const e = apiErrorOf(thrown);
        if (e) {
          req.journalRet = { ret: e.ret, errcode: route.envelope === 'graph' ? undefined : e.errcode };
          return send(reply, renderError(route.envelope, e, { format }), e.status);
        }
        throw thrown;
      }
    },
  });
}

/** A `cache: true` route's answer: kept, or rendered now (server/answers.ts). */
function keptRead(route: ApiRoute, ctx: Ctx, format: 'json' | 'xml', serializer: DataSerializer | undefined): Rendered {
  ctx.req.journalRet = { ret: 0, errcode: route.envelope === 'graph' ? undefined : 0 };
  const answer = keptAnswer(ctx, route.url, format, () => {
    checkParams(route.params, ctx.args);
    const data = route.handler(ctx);
    if (data instanceof Promise) throw new Error(`${route.url} is declared cache: true but its handler is asynchronous`);
    return renderOk(route.envelope, data, { format, pretty: route.pretty, serializer });
  });
  // graph-weibo answers carry a seqid of their own each: the kept one gets a new one per send
  const sent = route.envelope === 'graph-weibo' ? withFreshSeqid(answer) : answer;
  ctx.req.keptAnswer = sent;
  return sent;
}

/**
 * A path that always answers one error in its platform's envelope, whatever the method and
 * credentials: retired APIs and those the documents list as "not provided".
 */
export function registerRefusal(app: FastifyInstance, o: { url: string; envelope: Envelope; method: HTTPMethods[]; error: ApiError }): void {
  declare(app, { method: [...o.method], url: o.url, envelope: o.envelope, refusal: { ret: o.error.ret, errcode: o.error.errcode, msg: o.error.message } });
  app.route({
    method: o.method,
    url: o.url,
    config: { envelope: o.envelope, refusal: true },
    handler: async (req, reply) => {
      const args = req.args ?? (await readArgs(req));
      return send(reply, renderError(o.envelope, o.error, { format: args.format() }));
    },
  });
}

/** Registers every route of a module on the app. */
export function registerAll(app: FastifyInstance, routes: ApiRoute[]): void {
  for (const r of routes) registerApi(app, r);
}

export { ApiError, badParam };
