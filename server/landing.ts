// The landing page at GET / and GET /_emulator/: what this is, where each platform is reached, the
// seed's fixture apps and users, links to the console, docs and OpenAPI description, and one call
// to paste. A static summary (no world data), so with an admin token it loads without it — like
// the console page (server/control/index.ts exempts both) — and then leaves the secrets out.
// `/` is no path of either platform: it belongs to the control plane's side (server/hosts.ts), so
// the platform-only ports answer it with their 404, and with the control plane on its own port
// (--control-port) the public port does too while the control port shows the page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FIXTURES } from '../seed/generate.js';
import { readVersion } from './control/info.js';
import { CONSOLE_PATH } from './console.js';
import { DOCS_PATH, OPENAPI_PATH } from './openapi.js';
import { listenerOf } from './listen.js';

export const LANDING_PATH = '/_emulator/';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The origin the client called (or --base-url), for the links and the copy-paste call. */
function originOf(app: FastifyInstance, req: FastifyRequest): string {
  if (app.emulatorConfig.baseUrl) return app.emulatorConfig.baseUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.headers.host ?? `${app.emulatorConfig.host}:${app.emulatorConfig.port}`}`;
}

/** http://host:port with another port (the platform-only listeners share the host). */
function withPort(origin: string, port: number): string {
  try {
    const u = new URL(origin);
    u.port = String(port);
    return u.origin;
  } catch {
    return origin;
  }
}

function page(app: FastifyInstance, req: FastifyRequest): string {
  const c = app.emulatorConfig;
  const origin = originOf(app, req);
  // the control port serves no API path: the platforms are on the main port of the same host
  const main = app.server.address();
  const api = listenerOf(req) === 'control' && main && typeof main === 'object' && !c.baseUrl ? withPort(origin, main.port) : origin;
  const guarded = !!c.adminToken;
  const secret = (s: string) => (guarded ? '<i>(hidden: admin token set)</i>' : `<code>${esc(s)}</code>`);
  const graphBases = [api, `${api}/graph.qq.com`, ...(c.graphPort ? [withPort(api, c.graphPort)] : [])];
  const weiboBases = [api, `${api}/open.t.qq.com`, ...(c.weiboPort ? [withPort(api, c.weiboPort)] : [])];
  const list = (xs: string[]) => xs.map((x) => `<code>${esc(x)}</code>`).join(' · ');
  const call = `curl -s -X POST ${origin}/_emulator/tokens/graph -d user=alice${guarded ? " -H 'Authorization: Bearer <admin token>'" : ''}`;
  const link = (path: string, text: string) => `<a href="${esc(path)}">${esc(text)}</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tencent-open-emulator</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 1em 2em; max-width: 60em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.4em; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
pre { background: #f5f5f5; padding: 0.6em; overflow-x: auto; }
</style>
</head>
<body>
<h1>tencent-open-emulator ${esc(readVersion())}</h1>
<p>A local emulator of QQ Connect (<code>graph.qq.com</code>, OAuth 2.0) and Tencent Weibo
(<code>open.t.qq.com</code>, OAuth 1.0a HMAC-SHA1) for integration and CI tests, over a seeded
SQLite world (seed ${esc(String(c.seed))}, size ${esc(String(c.size))}).</p>
<h2>Base URLs</h2>
<table id="bases">
<tr><th>graph.qq.com</th><td>${list(graphBases)}</td></tr>
<tr><th>open.t.qq.com</th><td>${list(weiboBases)}</td></tr>
</table>
<h2>Fixture apps</h2>
<table id="apps">
<tr><th>platform</th><th>appid / consumer key</th><th>secret</th><th>redirect / callback</th></tr>
<tr><td>graph.qq.com</td><td><code>${FIXTURES.graphApp.appid}</code></td><td>${secret(FIXTURES.graphApp.secret)}</td><td>${list([...FIXTURES.graphApp.redirectUris])}</td></tr>
<tr><td>graph.qq.com (approved for nothing)</td><td><code>${FIXTURES.graphAppPlain.appid}</code></td><td>${secret(FIXTURES.graphAppPlain.secret)}</td><td>${list([...FIXTURES.graphAppPlain.redirectUris])}</td></tr>
<tr><td>open.t.qq.com</td><td><code>${FIXTURES.weiboApp.appid}</code></td><td>${secret(FIXTURES.weiboApp.secret)}</td><td>any callback, <code>oob</code></td></tr>
</table>
<p>Users: ${FIXTURES.users.map((u) => `<code>${esc(u.name)}</code>`).join(', ')} (the authorize pages log in as <code>${esc(c.autoApproveUser)}</code>, or <code>emu_user=&lt;name&gt;</code>).</p>
<h2>Tools</h2>
<ul id="links">
<li>${link(CONSOLE_PATH, 'Console')} — the request journal (live), users, tweets, relations, tokens</li>
<li>${link(DOCS_PATH, 'API docs')} and the ${link(OPENAPI_PATH, 'OpenAPI description')}</li>
<li>${link('/_emulator/info', 'info')} and ${link('/_emulator/health', 'health')} (JSON)</li>
</ul>
<h2>Try it</h2>
<p>A graph.qq.com access token for alice, without the browser flow:</p>
<pre id="call">${esc(call)}</pre>
</body>
</html>
`;
}

export function registerLanding(app: FastifyInstance): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
      .send(page(app, req));
  };
  app.get('/', handler);
  app.get(LANDING_PATH, handler);
}
