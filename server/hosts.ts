// Reaching the emulator: both platforms share one port (optionally each also gets its own port,
// server/listen.ts). Clients that can change only a base URL
// (not the host they resolve) put the real host name first in the path:
//   http://localhost:8080/graph.qq.com/oauth2.0/me  ≡  http://graph.qq.com:8080/oauth2.0/me
//   http://localhost:8080/open.t.qq.com/api/t/add   ≡  http://open.t.qq.com:8080/api/t/add
// The prefix is stripped before routing (fastify's rewriteUrl); links the emulator generates
// (ctx.base) and the OAuth 1.0a signature base URI keep the prefix the client used.
// Host-header routing needs nothing: graph.qq.com and open.t.qq.com paths do not clash, so every
// route answers whatever Host is sent (a graph path with Host open.t.qq.com still answers).
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/** The host names accepted as a leading path segment. */
export const HOST_PREFIXES = ['graph.qq.com', 'open.t.qq.com'] as const;

const PREFIX_RE = new RegExp(`^/(${HOST_PREFIXES.map((h) => h.replace(/\./g, '\\.')).join('|')})(?=/|\\?|$)`, 'i');

/** The `/graph.qq.com` or `/open.t.qq.com` a URL starts with ('' when none), in the client's case. */
export function hostPrefix(url: string | undefined): string {
  const m = PREFIX_RE.exec(url ?? '');
  return m ? m[0] : '';
}

/** `scheme://authority` of an absolute-form request line (`GET https://open.t.qq.com/cgi-bin/… HTTP/1.1`,
 * as Tencent's 2011 PHP SDK sent every call; RFC 9112 §3.2.2: a server must accept it). */
const ABSOLUTE_RE = /^https?:\/\/[^/?#]*/i;

/** The URL without the origin of an absolute-form request line (path form is returned as is). */
function pathForm(url: string): string {
  const m = ABSOLUTE_RE.exec(url);
  if (!m) return url;
  const rest = url.slice(m[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** The origin an absolute-form request line named, normalised as a base string wants it (scheme
 * and host in lower case, the scheme's default port dropped); undefined for path form. */
export function requestOrigin(req: FastifyRequest): string | undefined {
  const m = ABSOLUTE_RE.exec(req.originalUrl ?? '');
  if (!m) return undefined;
  try {
    const u = new URL(`${m[0]}/`);
    return `${u.protocol}//${u.host}`; // URL lower-cases both and drops :80 / :443
  } catch {
    return m[0].toLowerCase();
  }
}

/** fastify `rewriteUrl`: routes an absolute-form URL as its path, and drops a leading host-name
 * segment, so `/graph.qq.com/x?y` routes as `/x?y`. */
export function rewriteUrl(req: IncomingMessage): string {
  const url = pathForm(req.url ?? '/');
  const prefix = hostPrefix(url);
  if (!prefix) return url;
  const rest = url.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** The prefix this request was addressed with ('' when it came without one). */
export function requestPrefix(req: FastifyRequest): string {
  return hostPrefix(pathForm(req.originalUrl ?? ''));
}

/** The path the client called (prefix included, query and an absolute form's origin excluded). */
export function clientPath(req: FastifyRequest): string {
  return pathForm(req.originalUrl ?? req.url).split('?')[0];
}

/** First path segments of graph.qq.com routes (QQ Connect OAuth 2.0, OpenAPI, retired APIs, and
 * the QZone photo / avatar picture links graph answers give: routes/graph/*, routes/pictures.ts). */
export const GRAPH_PATH_PREFIXES = ['/oauth2.0/', '/user/', '/t/', '/photo/', '/relation/', '/cft_info/', '/share/', '/blog/', '/qzonepic/', '/qzapp/', '/qqapp/'] as const;
/** First path segments of open.t.qq.com routes (Weibo API, OAuth 1.0a, tweet and head pictures:
 * routes/weibo/*, routes/pictures.ts). */
export const WEIBO_PATH_PREFIXES = ['/api/', '/cgi-bin/', '/mblogpic/', '/mbloghead/'] as const;
/** open.t.qq.com picture paths that graph.qq.com answers link to as well (t/add_pic_t's imgurl,
 * heads in user/get_info, t/get_repost_list, relation lists): served on the graph port too. */
export const SHARED_PICTURE_PREFIXES = ['/mblogpic/', '/mbloghead/'] as const;

export type PathOwner = 'emulator' | 'graph.qq.com' | 'open.t.qq.com';

/** Which side a route path (fastify syntax or a concrete path, no host prefix) belongs to. */
export function ownerOfPath(path: string): PathOwner | undefined {
  // `/` and `/_emulator` are the landing page (server/landing.ts): no path of either platform
  if (path.startsWith('/_emulator/') || path === '/' || path === '/_emulator') return 'emulator';
  if (WEIBO_PATH_PREFIXES.some((p) => path.startsWith(p))) return 'open.t.qq.com';
  if (GRAPH_PATH_PREFIXES.some((p) => path.startsWith(p))) return 'graph.qq.com';
  return undefined;
}

/** X-Forwarded-Proto / X-Forwarded-Host as sent, unless `--no-trust-proxy` (config.trustProxy) turned them off. */
export function forwarded(req: FastifyRequest, name: 'proto' | 'host'): string | string[] | undefined {
  return req.server.emulatorConfig?.trustProxy === false ? undefined : req.headers[`x-forwarded-${name}`];
}

/** More than one Host header (RFC 9112 §3.2: answer 400); Node keeps only the first in req.headers. */
export function duplicateHost(raw: IncomingMessage): boolean {
  let n = 0;
  const h = raw.rawHeaders;
  for (let i = 0; i < h.length; i += 2) if (h[i].length === 4 && h[i].toLowerCase() === 'host' && ++n > 1) return true;
  return false;
}
