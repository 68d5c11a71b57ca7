// The docs UI at GET /_emulator/docs: Swagger UI (swagger-ui-dist, served from node_modules —
// no CDN: the emulator runs on closed networks) over /_emulator/openapi.json. Swagger UI
// renders the parameters, examples and the OAuth notes of the description; nothing here is
// built from request data, so the page is a constant. With an admin token configured, the
// page reads the token the console keeps in sessionStorage (server/console.ts) and sends it
// when it fetches the description.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

export const DOCS_PATH = '/_emulator/docs';

const require = createRequire(import.meta.url);
// the package's folder, resolved when an asset is first asked for: its main module evaluates the
// 1.5 MB Swagger UI bundle, ~240 ms of every start (CPU profile of a start, session 5)
const dist = () => dirname(require.resolve('swagger-ui-dist/package.json'));

/** The files the page loads, with their types; read once on first use (they never change). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const cache = new Map<string, Buffer>();

const INIT = `window.addEventListener('load', function () {
  var token = null;
  try { token = sessionStorage.getItem('emulator-admin-token'); } catch (e) { token = null; }
  window.ui = SwaggerUIBundle({
    url: '/_emulator/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    docExpansion: 'none',
    defaultModelsExpandDepth: 0,
    displayOperationId: false,
    tryItOutEnabled: false,
    validatorUrl: null,
    requestInterceptor: function (req) {
      if (token && req.url.indexOf('/_emulator/') >= 0) req.headers.Authorization = 'Bearer ' + token;
      return req;
    }
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tencent open-platform emulator — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body></html>
`;

/** Swagger UI needs inline styles and data: images; scripts and fetches stay on this origin. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

export function registerDocs(app: FastifyInstance): void {
  app.get(DOCS_PATH, async (_req, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(PAGE));
  app.get(`${DOCS_PATH}/init.js`, async (_req, reply) => reply.type('application/javascript; charset=utf-8').send(INIT));
  app.get(`${DOCS_PATH}/:file`, async (req, reply) => {
    const file = (req.params as { file: string }).file;
    const type = ASSETS[file];
    if (!type) return reply.code(404).type('application/json; charset=utf-8').send({ error: `no docs asset ${file}` });
    let bytes = cache.get(file);
    if (!bytes) cache.set(file, (bytes = readFileSync(join(dist(), file))));
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(bytes);
  });
}
