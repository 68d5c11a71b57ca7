// A client generated from the description can drive the control plane: every control operation
// is called from what the document alone says (its example body and query, its path parameter
// examples, and OpenAPI links from an earlier answer: export → import, POST worlds → DELETE
// worlds/{id}); each answers 200 with a JSON body that validates against its documented schema.
import t from 'tap';
import { Ajv } from 'ajv';
import { build } from '../helpers.js';
import { controlRoutes } from '../../server/control/context.js';

const app = await build();
t.teardown(() => app.close());

type Schema = Record<string, unknown>;
interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; example?: unknown; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema; example?: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }>; links?: Record<string, { operationId: string; requestBody?: string; parameters?: Record<string, string> }> }>;
  'x-emulator': { kind: string };
}
const doc = (await app.inject({ method: 'GET', url: '/_emulator/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };
const ajv = new Ajv({ strict: false, validateFormats: false });

/** `$response.body#/id` of an answer. */
const pointer = (body: unknown, expr: string): unknown => {
  if (expr === '$response.body') return body;
  const m = /^\$response\.body#\/(.+)$/.exec(expr);
  return m ? m[1].split('/').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], body) : undefined;
};

const ops = Object.entries(doc.paths)
  .flatMap(([path, item]) => Object.entries(item).filter(([m, op]) => m !== 'servers' && op['x-emulator']?.kind === 'control').map(([method, op]) => ({ path, method, op })))
  // deletions last: a generated client tears down what it made
  .sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));

t.test('every control operation, called from its documented example, answers its documented schema', async (t) => {
  t.ok(ops.length >= 28, `${ops.length} control operations`);
  for (const path of ['/_emulator/tokens/graph', '/_emulator/tokens/weibo', '/_emulator/users', '/_emulator/apps', '/_emulator/relations', '/_emulator/faults', '/_emulator/import', '/_emulator/clock']) {
    t.ok(doc.paths[path].post.requestBody, `POST ${path} documents its body`);
  }
  t.ok(doc.paths['/_emulator/journal'].get.parameters?.some((p) => p.name === 'limit'), 'GET journal documents its query');
  t.same(controlRoutes(app).filter((r) => !r.doc?.answer).map((r) => `${r.method} ${r.url}`), [], 'every control route describes its answer');
  t.ok(doc.paths['/_emulator/rules'].post.requestBody, 'POST rules documents its body');
  /** what earlier answers offer through their links: operationId → { requestBody?, parameters } */
  const linked = new Map<string, { body?: unknown; params: Record<string, unknown> }>();
  for (const { path, method, op } of ops) {
    const link = linked.get(op.operationId);
    let url = path;
    const query = new URLSearchParams();
    for (const p of op.parameters ?? []) {
      const v = p.example ?? link?.params[p.name];
      if (p.in === 'path') {
        if (!t.ok(v !== undefined, `${method} ${path}: path parameter ${p.name} has an example or a link`)) continue;
        url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
      } else if (v !== undefined) query.set(p.name, String(v));
    }
    const json = op.requestBody?.content['application/json'];
    const body = link?.body ?? json?.example;
    if (op.requestBody?.required) t.ok(body !== undefined, `${method} ${path}: a required body has an example or a link`);
    const res = await app.inject({
      method: method.toUpperCase() as 'GET',
      url: `${url}${query.size ? '?' + query : ''}`,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}),
    });
    // ca.pem is a 404 (its documented 4XX) while HTTPS is off, as in this app
    if (path === '/_emulator/ca.pem' && res.statusCode === 404) {
      t.match(res.json(), { error: /HTTPS is off/ }, 'ca.pem without HTTPS: the documented 4XX');
      continue;
    }
    if (!t.equal(res.statusCode, 200, `${method.toUpperCase()} ${url} answers 200 (${res.body.slice(0, 100)})`)) continue;
    const [media, described] = Object.entries(op.responses['200'].content ?? {})[0] ?? [];
    const type = String(res.headers['content-type']);
    t.ok(media === '*/*' || type.startsWith(media), `${method} ${path}: content type ${type} is the documented ${media}`);
    if (media !== 'application/json') continue;
    const answer = res.json();
    const v = ajv.compile({ ...(described?.schema ?? {}), components: doc.components });
    t.ok(v(answer), `${method.toUpperCase()} ${path}: answer matches its schema ${v.errors ? ajv.errorsText(v.errors) : ''}`);
    for (const l of Object.values(op.responses['200'].links ?? {})) {
      linked.set(l.operationId, {
        body: l.requestBody ? pointer(answer, l.requestBody) : undefined,
        params: Object.fromEntries(Object.entries(l.parameters ?? {}).map(([k, e]) => [k, pointer(answer, e)])),
      });
    }
  }
  // the calls did what their descriptions say
  t.ok(app.world.users.byName('docsuser'), 'POST users created the example user');
  t.ok(app.world.relations.isSpecial(app.world.users.byName('carol')!.id, app.world.users.byName('dave')!.id), 'POST relations made the example relation');
  t.equal(app.control.worlds.size, 0, 'the world POST worlds made was deleted through its link');
});
