// The listeners of the one fastify instance. The main (public) port serves everything, as before.
// Optional extra ports on the same host, made with node:http(s) createServer around fastify's own
// router (app.routing: same routes, hooks, world and journal), each serve a part of it:
//   control port (--control-port): only /_emulator/* (control calls, console, OpenAPI and docs);
//     the main port then answers /_emulator/* with the app's ordinary not-found answer
//   graph port (--graph-port):     only graph.qq.com paths (plus the /mblogpic and /mbloghead
//                                  picture links graph answers carry, server/hosts.ts)
//   weibo port (--weibo-port):     only open.t.qq.com paths
//   https port (--https-port):     everything, like the main port, over TLS beside a plain main port
//                                  (one process, one world, journal, faults and isolated worlds)
// Each extra port has a scheme: --graph-port follows the main port's (TLS with --https), and
// --graph-https-port (likewise control / weibo) is always TLS. A TLS port that receives plain HTTP
// answers a readable 400 naming the https URL to call (guardTls), not an empty reply.
// Each raw request is tagged with the listener it came in on; an onRequest hook, registered before
// the control plane's (so before its admin-token check), sends a route that listener does not
// serve to the not-found handler. The decision is made on the route that matched (fastify's
// pattern), not on the raw path, so a percent-encoded path (`/%5Femulator/info`) cannot slip past.
import http, { type IncomingMessage, type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ownerOfPath, SHARED_PICTURE_PREFIXES, type PathOwner } from './hosts.js';

export type ListenerName = 'main' | 'control' | 'graph' | 'weibo';

export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
}

interface ListenerState {
  tls?: TlsMaterial;
  /** the main port (fastify's own server) speaks TLS */
  mainSecure: boolean;
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
export function registerListeners(app: FastifyInstance, tls?: TlsMaterial, mainSecure = !!tls): void {
  const c = app.emulatorConfig;
  const state: ListenerState = { tls, mainSecure, servers: [], controlApart: c.controlPort > 0 || c.controlHttpsPort > 0 };
  states.set(app, state);
  if (mainSecure) guardTls(app.server as unknown as https.Server);
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
   * undefined takes the configured port (where 0 means off). The *Port ones take the main port's
   * scheme, the *HttpsPort ones are TLS; httpsPort serves everything over TLS like the main port. */
  httpsPort?: number | false;
  controlPort?: number | false;
  graphPort?: number | false;
  weiboPort?: number | false;
  controlHttpsPort?: number | false;
  graphHttpsPort?: number | false;
  weiboHttpsPort?: number | false;
}

export interface BoundListener {
  name: ListenerName;
  /** scheme://host:port */
  url: string;
  port: number;
  secure: boolean;
}

/** Plain HTTP on a TLS port: a TLS connection starts with a handshake record (0x16); anything else
 * gets a readable 400 naming the https URL, once its request head arrived (bounded: 8 KiB, 10 s).
 * The first byte is read in paused mode and put back, so the TLS layer sees the whole ClientHello. */
export function guardTls(server: https.Server): void {
  const tlsListeners = server.listeners('connection') as ((s: Socket) => void)[];
  server.removeAllListeners('connection');
  const ignore = () => {};
  const sniff = (sock: Socket) => {
    const first = sock.read(1) as Buffer | null;
    if (first === null) {
      sock.once('readable', () => sniff(sock));
      return;
    }
    sock.unshift(first);
    sock.setTimeout(0);
    if (first[0] === 0x16) {
      sock.off('error', ignore);
      for (const l of tlsListeners) l.call(server, sock);
      return;
    }
    answerPlain(sock);
  };
  server.on('connection', (sock: Socket) => {
    sock.on('error', ignore);
    // a client that connects and says nothing is not kept
    sock.setTimeout(10_000, () => sock.destroy());
    sniff(sock);
  });
}

function answerPlain(sock: Socket): void {
  let head = '';
  const reply = () => {
    sock.removeAllListeners('data');
    const path = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '/';
    const host = /^host:[ \t]*([^\r\n]+)/im.exec(head)?.[1]?.trim() ?? `localhost:${sock.localPort}`;
    const url = `https://${host}${path.startsWith('/') ? path : '/'}`.replace(/[^\x21-\x7e]/g, '');
    const body = `400 Bad Request: this port speaks HTTPS (TLS), and a plain HTTP request arrived.\nCall ${url} instead (trust the emulator's CA: GET /_emulator/ca.pem).\n`;
    sock.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
  sock.setTimeout(10_000, reply);
  sock.on('data', (d: Buffer) => {
    head += d.toString('latin1');
    if (head.includes('\r\n\r\n') || head.includes('\n\n') || head.length > 8192) reply();
  });
  sock.on('end', reply);
}

function urlOf(secure: boolean, host: string, port: number): string {
  // a wildcard address is printed as loopback, as fastify prints the main port
  const callable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const h = callable.includes(':') ? `[${callable}]` : callable;
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
  const main = state.mainSecure;
  // [name, port, TLS]: the https twin of the main port first, then the per-part ports
  const extras: [ListenerName, number | undefined, boolean][] = [
    ['main', pick(opts.httpsPort, config.httpsPort), true],
    ['control', pick(opts.controlPort, config.controlPort), main],
    ['control', pick(opts.controlHttpsPort, config.controlHttpsPort), true],
    ['graph', pick(opts.graphPort, config.graphPort), main],
    ['graph', pick(opts.graphHttpsPort, config.graphHttpsPort), true],
    ['weibo', pick(opts.weiboPort, config.weiboPort), main],
    ['weibo', pick(opts.weiboHttpsPort, config.weiboHttpsPort), true],
  ];
  if (!state.tls && extras.some(([, port, secure]) => port !== undefined && secure)) throw new Error('an HTTPS port needs certificates: build the app with tls (server/tls.ts ensureCerts)');
  // before any port opens: no moment where the main port still serves /_emulator/
  if (extras.some(([name, port]) => name === 'control' && port !== undefined)) state.controlApart = true;
  const mainUrl = await app.listen({ host, port: opts.port ?? config.port });
  const mainAddr = app.server.address() as AddressInfo;
  const out: BoundListener[] = [{ name: 'main', url: mainUrl, port: mainAddr.port, secure: main }];
  try {
    for (const [name, port, secure] of extras) {
      if (port === undefined) continue;
      // the main port's twin leaves requests untagged: they are the main listener's
      const handler = (req: IncomingMessage, res: http.ServerResponse) => {
        if (name !== 'main') arrivedOn.set(req, name);
        app.routing(req, res);
      };
      let server: Server;
      if (secure) {
        const tlsServer = https.createServer({ key: state.tls!.key, cert: state.tls!.cert, ...serverTimeouts(app) }, handler);
        guardTls(tlsServer);
        server = tlsServer;
      } else server = http.createServer(serverTimeouts(app), handler);
      server.keepAliveTimeout = app.server.keepAliveTimeout;
      state.servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const addr = server.address() as AddressInfo;
      out.push({ name, url: urlOf(secure, host, addr.port), port: addr.port, secure });
    }
  } catch (e) {
    await Promise.all(state.servers.splice(0).map(closeServer));
    throw e;
  }
  return out;
}

/** The main server's request and header timeouts (server/limits.ts), for the extra listeners too. */
function serverTimeouts(app: FastifyInstance): http.ServerOptions {
  return { requestTimeout: app.server.requestTimeout, headersTimeout: app.server.headersTimeout, connectionsCheckingInterval: 1000 };
}
