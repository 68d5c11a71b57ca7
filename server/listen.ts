// The listeners of the one fastify instance. The main (public) port serves everything, as before.
// Optional extra ports on the same host, made with node:http(s) createServer around fastify's own
// router (app.routing: same routes, hooks, world and journal), each serve a part of it:
//   control port (--control-port): only /_emulator/* (control calls, console, OpenAPI and docs);
//     the main port then answers /_emulator/* with the app's ordinary not-found answer
//   graph port (--graph-port):     only graph.qq.com paths (plus the /mblogpic and /mbloghead
//                                  picture links graph answers carry, server/hosts.ts)
//   weibo port (--weibo-port):     only open.t.qq.com paths
// Each raw request is tagged with the listener it came in on; an onRequest hook, registered before
// the control plane's (so before its admin-token check), sends a route that listener does not
// serve to the not-found handler. The decision is made on the route that matched (fastify's
// pattern), not on the raw path, so a percent-encoded path (`/%5Femulator/info`) cannot slip past.
import http, { type IncomingMessage, type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ownerOfPath, SHARED_PICTURE_PREFIXES, type PathOwner } from './hosts.js';

export type ListenerName = 'main' | 'control' | 'graph' | 'weibo';

export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
}

interface ListenerState {
  tls?: TlsMaterial;
  /** the extra servers (closed with the app) */
  servers: Server[];
  /** /_emulator/ lives on the control port only (config.controlPort set, or a control listener opened) */
  controlApart: boolean;
}

/** the landing page's own spellings (server/landing.ts), which are not under /_emulator/ */
const LANDING_URL = /^\/(_emulator)?(\?|$)/;

/** The listener each raw request came in on (absent: the main listener, or fastify's inject). */
const arrivedOn = new WeakMap<IncomingMessage, ListenerName>();
const states = new WeakMap<FastifyInstance, ListenerState>();

/** The listener a request came in on. */
export function listenerOf(req: FastifyRequest): ListenerName {
  return arrivedOn.get(req.raw) ?? 'main';
}

/** Whether `listener` serves the route `route` (fastify syntax) owned by `owner`. */
function serves(listener: ListenerName, owner: PathOwner | undefined, route: string, controlApart: boolean): boolean {
  switch (listener) {
    case 'control':
      return owner === 'emulator';
    case 'graph':
      return owner === 'graph.qq.com' || SHARED_PICTURE_PREFIXES.some((p) => route.startsWith(p));
    case 'weibo':
      return owner === 'open.t.qq.com';
    default:
      return owner !== 'emulator' || !controlApart;
  }
}

/** The hook deciding per listener and the onClose hook for the extra servers; called by buildApp
 * before the control plane registers its own hooks. */
export function registerListeners(app: FastifyInstance, tls?: TlsMaterial): void {
  const state: ListenerState = { tls, servers: [], controlApart: app.emulatorConfig.controlPort > 0 };
  states.set(app, state);
  // callback style: no promise per request; answering early means not calling done
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (req.is404) return done(); // already the not-found answer
    const route = req.routeOptions.url ?? '';
    const owner = ownerOfPath(route);
    // a control route reached by an encoded path would skip the hooks keyed on /_emulator/ (admin token)
    const encodedControl = owner === 'emulator' && !req.url.startsWith('/_emulator/') && !LANDING_URL.test(req.url);
    if (!encodedControl && serves(listenerOf(req), owner, route, state.controlApart)) return done();
    reply.callNotFound();
  });
  app.addHook('onClose', async () => {
    const servers = state.servers.splice(0);
    await Promise.all(servers.map(closeServer));
  });
}

function closeServer(s: Server): Promise<void> {
  return new Promise((resolve) => {
    s.close(() => resolve());
    s.closeIdleConnections();
  });
}

export interface ListenOptions {
  /** default: the configured host */
  host?: string;
  /** main port; default: the configured port (0: any free port) */
  port?: number;
  /** extra listeners: a number opens it on that port (0: any free port), false keeps it off,
   * undefined takes the configured port (where 0 means off) */
  controlPort?: number | false;
  graphPort?: number | false;
  weiboPort?: number | false;
}

export interface BoundListener {
  name: ListenerName;
  /** scheme://host:port */
  url: string;
  port: number;
}

function urlOf(secure: boolean, host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${secure ? 'https' : 'http'}://${h}:${port}`;
}

/** Listens the main port and the configured (or given) extra ports; answers every bound address,
 * the main listener first. On failure the extra servers already opened are closed again. */
export async function listen(app: FastifyInstance, opts: ListenOptions = {}): Promise<BoundListener[]> {
  const state = states.get(app);
  if (!state) throw new Error('listen(): the app was not built by buildApp');
  const config = app.emulatorConfig;
  const host = opts.host ?? config.host;
  const pick = (v: number | false | undefined, configured: number): number | undefined => (v === false ? undefined : v ?? (configured > 0 ? configured : undefined));
  const extras: [ListenerName, number | undefined][] = [
    ['control', pick(opts.controlPort, config.controlPort)],
    ['graph', pick(opts.graphPort, config.graphPort)],
    ['weibo', pick(opts.weiboPort, config.weiboPort)],
  ];
  // before any port opens: no moment where the main port still serves /_emulator/
  if (extras[0][1] !== undefined) state.controlApart = true;
  const mainUrl = await app.listen({ host, port: opts.port ?? config.port });
  const mainAddr = app.server.address() as AddressInfo;
  const out: BoundListener[] = [{ name: 'main', url: mainUrl, port: mainAddr.port }];
  const secure = !!state.tls;
  try {
    for (const [name, port] of extras) {
      if (port === undefined) continue;
      const handler = (req: IncomingMessage, res: http.ServerResponse) => {
        arrivedOn.set(req, name);
        app.routing(req, res);
      };
      const server: Server = state.tls ? https.createServer({ key: state.tls.key, cert: state.tls.cert }, handler) : http.createServer(handler);
      server.keepAliveTimeout = app.server.keepAliveTimeout;
      server.requestTimeout = app.server.requestTimeout;
      state.servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const addr = server.address() as AddressInfo;
      out.push({ name, url: urlOf(secure, host, addr.port), port: addr.port });
    }
  } catch (e) {
    await Promise.all(state.servers.splice(0).map(closeServer));
    throw e;
  }
  return out;
}
