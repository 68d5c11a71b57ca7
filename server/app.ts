// The app factory: plugins, the world, the error and not-found handlers, then routes.
import Fastify, { type FastifyInstance, type FastifyError, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { checkpoint, openDatabase } from '../db/store.js';
import { World } from '../db/world.js';
import { Clock } from '../db/clock.js';
import { seedWorld } from '../seed/generate.js';
import { seededImage } from '../seed/cache.js';
import { applyFixtures, readFixturesFile } from '../db/fixtures.js';
import { readOrigin, writeOrigin } from '../db/origin.js';
import { existsSync } from 'node:fs';
import { DEFAULTS, needsTls, type EmulatorConfig } from './config.js';
import { ApiError, apiErrorOf } from './errors.js';
import { envelopeForPath, envelopeOf, renderError, requestFormat, send } from './respond.js';
import { registerGraph } from '../routes/graph/index.js';
import { registerWeibo } from '../routes/weibo/index.js';
import { isPicturePath, noSuchPicture, registerPictures } from '../routes/pictures.js';
import { registerControl } from './control/index.js';
import { duplicateHost, rewriteUrl } from './hosts.js';
import { registerOpenApi } from './openapi.js';
import { registerConsole } from './console.js';
import { registerLanding } from './landing.js';
import { registerListeners } from './listen.js';
import { registerCaPem } from './control/ca_pem.js';
import { MULTIPART_LIMITS, multipartLimitMessage, parseForm, parseQuery, timeouts } from './limits.js';
import { holdWorld } from './world_hold.js';

declare module 'fastify' {
  interface FastifyInstance {
    emulatorConfig: EmulatorConfig;
    world: World;
  }
}

const API_METHODS = new Set(['GET', 'HEAD', 'POST']);

export interface BuildOptions extends Partial<EmulatorConfig> {
  /** use this world instead of opening `db` */
  world?: World;
  /** true: JSON log lines at config.logLevel; an object adds to that (e.g. a pino-pretty transport, server/logging.ts) */
  logger?: boolean | { transport?: { target: string; options?: Record<string, unknown> } };
  /** certificates (PEM, server/tls.ts) for the TLS listeners; the main port serves HTTPS with them
   * unless only --https-port / --*-https-port asked for TLS (then the main port stays plain) */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string };
}

/** Opens the configured store, seeding it when it is new (from the kept image, seed/cache.ts). */
export function openWorld(config: Pick<EmulatorConfig, 'db' | 'seed' | 'size'>, clock = new Clock()): World {
  const fresh = config.db === ':memory:' || !existsSync(config.db);
  const db = openDatabase(config.db, fresh ? seededImage(config) : undefined);
  const world = new World(db, clock);
  if (world.users.count() === 0) seedWorld(world, { seed: config.seed, size: config.size });
  // a store file records its seed (reset of a reopened file returns to it); a memory world's
  // reset has its start image, and stays byte for byte the seed
  if (fresh && config.db !== ':memory:') {
    writeOrigin(db, { seed: config.seed, size: config.size });
    // a new store file holds its seed itself, not only its WAL
    checkpoint(db);
  }
  return world;
}

export async function buildApp(opts: BuildOptions = {}): Promise<FastifyInstance> {
  const config: EmulatorConfig = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as EmulatorConfig;
  // the main port is TLS with --https, or when certificates come without any TLS port (as before)
  const mainTls = opts.tls && (config.https || !needsTls(config)) ? opts.tls : undefined;
  const limits = timeouts(config);
  const app = Fastify({
    logger: opts.logger ? { level: config.logLevel, ...(typeof opts.logger === 'object' ? opts.logger : {}) } : false,
    bodyLimit: config.maxUpload + 64 * 1024,
    // real clients send `a=1&a=2`, odd encodings and long tokens: parse leniently, validate in routes
    // a parameter flood is measured before it is parsed (server/limits.ts)
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200, querystringParser: parseQuery },
    // `/graph.qq.com/…` and `/open.t.qq.com/…` route as `/…` (server/hosts.ts)
    rewriteUrl,
    // HEAD is answered by each GET route itself (the onRoute hook below), not by a twin route
    // fastify would add per GET route: 96 fewer route contexts to build and bind at every start
    exposeHeadRoutes: false,
    // a URL fastify cannot decode (`/api/t/del%zz`) or a bad content type: a parameter error in the
    // API's envelope, not fastify's own {error, code, message} body (found by test/robustness/fuzz.test.ts)
    // a picture path fastify cannot route (malformed or over-long key) is a missing picture
    frameworkErrors: (err, req, reply) =>
      isPicturePath(req.url) ? noSuchPicture(reply) : send(reply, renderError(envelopeForPath(req.url), new ApiError(1, `error param: ${err.code === 'FST_ERR_BAD_URL' ? 'malformed url' : err.message}`, 1), { format: 'json' }), 200),
    requestTimeout: limits.requestTimeout,
    ...(mainTls ? { https: { key: mainTls.key, cert: mainTls.cert, ...limits.server } } : { http: limits.server }),
  }) as unknown as FastifyInstance;
  app.decorate('emulatorConfig', config);
  // registered before any route, so every plugin's routes inherit it; node's response drops a
  // HEAD request's body and keeps the GET answer's headers (content-length included)
  app.addHook('onRoute', (r) => {
    const methods = ([] as string[]).concat(r.method);
    if (methods.includes('GET') && !methods.includes('HEAD')) r.method = [...methods, 'HEAD'] as typeof r.method;
  });
  // the current world: mutable, so the control plane's reset/restore/import swap it
  // an existing store file: reset returns to the seed it records, not to what it holds now
  const existing = !opts.world && config.db !== ':memory:' && existsSync(config.db);
  app.decorate('world', opts.world ?? openWorld(config));
  // declared fixtures go in before the control plane saves the world reset returns to
  const fixtures = config.fixtures ? readFixturesFile(config.fixtures) : undefined;
  if (fixtures) applyFixtures(app.world, fixtures, config.fixtures);
  app.decorateRequest('world', null as unknown as World);
  // callback-style hooks where nothing is awaited: no promise per request on the hot path
  app.addHook('onRequest', (req, reply, done) => {
    holdWorld(req, reply, app.world);
    // two Host headers: which one a proxy and the emulator each believed is ambiguous (RFC 9112 §3.2)
    if (duplicateHost(req.raw)) {
      send(reply, renderError(envelopeForPath(req.url), new ApiError(1, 'error param: more than one Host header', 1), { format: requestFormat(req) }), 400);
      return;
    }
    // both APIs are GET and POST only (HEAD as GET): TRACE, PUT, QUERY… anywhere but the control
    // plane are 405, decided before a body method's content-type checks run; a retired API keeps
    // answering its offline notice whatever the method (test/graph/retired.test.ts)
    if (!API_METHODS.has(req.method) && !req.url.startsWith('/_emulator/') && !req.routeOptions.config?.refusal) {
      reply.header('allow', 'GET, HEAD, POST');
      send(reply, renderError(envelopeForPath(req.url), new ApiError(-9, `method not allowed: ${req.method} (the API answers GET and POST)`, 0), { format: requestFormat(req) }), 405);
      return;
    }
    done();
  });
  // which listener serves what (control / graph / weibo ports, server/listen.ts): decided before
  // the control plane's hooks run
  registerListeners(app, opts.tls, !!mainTls);

  await app.register(formbody, { parser: parseForm });
  // @fastify/multipart reads globalThis.FormData as it registers, to offer req.formData() (no
  // route uses it); Node's first read of it loads its bundled undici, ~50 ms of every start (a
  // CPU profile of `node dist/tencent-open-emulator.js`): hidden while the plugin registers
  const formData = Object.getOwnPropertyDescriptor(globalThis, 'FormData');
  Object.defineProperty(globalThis, 'FormData', { value: undefined, configurable: true, writable: true });
  try {
    await app.register(multipart, {
      attachFieldsToBody: true,
      // an oversized file arrives truncated and readArgs refuses it naming its field
      throwFileSizeLimit: false,
      limits: { fileSize: config.maxUpload, ...MULTIPART_LIMITS },
    });
  } finally {
    if (formData) Object.defineProperty(globalThis, 'FormData', formData);
    else delete (globalThis as { FormData?: unknown }).FormData;
  }
  // bodies of other types (JSON included) are kept raw and ignored: both APIs only read form and
  // multipart, and only those take part in OAuth 1.0a signatures
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // requests whose body parsed: reached preHandler, which runs after the body parsers and the
  // multipart preValidation step
  const bodyRead = new WeakSet<FastifyRequest>();
  app.addHook('preHandler', (req, _reply, done) => {
    bodyRead.add(req);
    done();
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const envelope = envelopeOf(req);
    const format = requestFormat(req);
    const apiError = apiErrorOf(err);
    if (apiError) return send(reply, renderError(envelope, apiError, { format }), apiError.status);
    // a multipart body busboy could not read (no boundary, truncated) fails before preHandler with a
    // status-less error: the client's fault, like any other broken body (found by mutation-testing
    // test/robustness/fuzz.test.ts)
    const unreadBody = req.isMultipart() && !bodyRead.has(req);
    const status = err.statusCode ?? (unreadBody ? 400 : 500);
    if (status >= 400 && status < 500) {
      // body too large, broken multipart, bad content: a parameter error in the API's envelope
      const msg =
        multipartLimitMessage(err.code) ?? (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE' ? 'error param: upload too large' : `error param: ${err.message}`);
      return send(reply, renderError(envelope, new ApiError(1, msg, 1), { format }), 200);
    }
    req.log.error(err);
    return send(reply, renderError(envelope, new ApiError(4, 'server error', 0), { format }), 200);
  });
  app.setNotFoundHandler((req, reply) => {
    const envelope = envelopeForPath(req.url);
    const format = requestFormat(req);
    return send(reply, renderError(envelope, new ApiError(-9, `api does not exist: ${req.method} ${req.url.split('?')[0]}`, 0), { format }), 404);
  });

  registerControl(app, fixtures && { fixtures, source: config.fixtures }, existing ? readOrigin(app.world.db) : undefined);
  registerCaPem(app, opts.tls?.ca);
  registerPictures(app);
  registerGraph(app);
  registerWeibo(app);
  registerOpenApi(app);
  registerConsole(app);
  registerLanding(app);
  return app;
}
