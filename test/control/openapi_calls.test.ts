// Calls generated from the OpenAPI description, the way Schemathesis-style tools use it: for
// every operation (control plane aside: openapi_control.test.ts) one call from the documented
// examples and a few from fast-check arbitraries built from the parameter schemas. Each answer
// must have a documented status and content type, and a JSON body (sent as text/html) must
// validate against the documented schema (ajv). The same calls with the constraints stripped
// (every parameter an optional free string, as the description used to say) give far more
// parameter errors (ret 1): the constraints are what lets a generator reach the handlers.
import t from 'tap';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import type { LightMyRequestResponse } from 'fastify';
import { build, graphCreds, multipart, PNG_1x1, qs, signed, weiboCreds, serializerAudit } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
// every JSON success answer below is also rendered by the reference renderer (last test)
const audit = serializerAudit();

type Schema = Record<string, unknown>;
interface Parameter {
  name?: string;
  in?: string;
  required?: boolean;
  schema?: Schema;
  example?: unknown;
  $ref?: string;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { properties: Record<string, Schema>; required?: string[] } }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }>; $ref?: string }>;
  security?: Record<string, unknown>[];
  'x-emulator': { kind: string };
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };

const doc = (await app.inject({ method: 'GET', url: '/_emulator/openapi.json' })).json() as Doc;
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });
const validators = new Map<Schema, ReturnType<Ajv['compile']>>();
/** A schema of the document, compiled with the components beside it so its $refs resolve. */
function validator(schema: Schema) {
  let v = validators.get(schema);
  if (!v) validators.set(schema, (v = ajv.compile({ ...schema, components: doc.components })));
  return v;
}

/** One request parameter: where it goes and the schema its value comes from. */
interface Spec {
  name: string;
  place: 'query' | 'path' | 'body' | 'file';
  required: boolean;
  schema: Schema;
  example?: unknown;
}

function specsOf(op: Operation): Spec[] {
  const out: Spec[] = [];
  for (const p of op.parameters ?? []) {
    const q = p.$ref ? (doc.components.parameters[p.$ref.split('/').pop()!] as Parameter) : p;
    out.push({ name: q.name!, place: q.in === 'path' ? 'path' : 'query', required: !!q.required, schema: q.schema ?? {}, example: q.example });
  }
  const body = op.requestBody?.content;
  const form = body?.['application/x-www-form-urlencoded'] ?? body?.['multipart/form-data'];
  if (form) {
    const required = new Set(form.schema.required ?? []);
    for (const [name, s] of Object.entries(form.schema.properties)) {
      out.push({ name, place: s.format === 'binary' ? 'file' : 'body', required: required.has(name), schema: s, example: s.example });
    }
  }
  return out;
}

/** fast-check arbitrary of a parameter schema (the OpenAPI 3.0 subset the description uses). */
function arb(s: Schema): fc.Arbitrary<string> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum.map(String));
  if (s.type === 'integer') return fc.integer({ min: (s.minimum as number) ?? -1000, max: (s.maximum as number) ?? ((s.minimum as number) ?? 0) + 100000 }).map(String);
  if (s.type === 'number') return fc.double({ min: (s.minimum as number) ?? -1000, max: (s.maximum as number) ?? 1000, noNaN: true }).map((n) => n.toFixed(3));
  if (typeof s.pattern === 'string') {
    const re = new RegExp(s.pattern);
    return fc.stringMatching(re).filter((v) => v.length <= ((s.maxLength as number) ?? 10_000) && v.length >= ((s.minLength as number) ?? 0));
  }
  return fc.string({ minLength: (s.minLength as number) ?? 0, maxLength: (s.maxLength as number) ?? 40 });
}

/** The unconstrained view: any string for every parameter (what the description said before). */
const loose = fc.string({ maxLength: 20 });
/** a path segment is never empty (an empty one is another path) */
const looseSegment = fc.string({ minLength: 1, maxLength: 20 });

type Values = { spec: Spec; value: string }[];

function generate(specs: Spec[], runs: number, seed: number, constrained: boolean): Values[] {
  const perSpec = specs.map((spec) =>
    fc.option(constrained ? arb(spec.schema) : spec.place === 'path' ? looseSegment : loose, { nil: undefined, freq: constrained && spec.required ? 1_000_000 : 2 }).map((v) => (constrained && spec.required && v === undefined ? undefined : v)),
  );
  return fc.sample(fc.tuple(...perSpec), { numRuns: runs, seed }).map((vs) =>
    vs.flatMap((v, i) => (v === undefined && !(constrained && specs[i].required) ? [] : v === undefined ? [] : [{ spec: specs[i], value: v }])),
  );
}

function fromExamples(specs: Spec[]): Values {
  return specs.filter((s) => s.example !== undefined || s.place === 'file').map((spec) => ({ spec, value: spec.example === undefined ? '' : String(spec.example) }));
}

const alice = weiboCreds(app, 'alice');
const graph = graphCreds(app, 'alice');

/** Sends the call as a client of that operation would: signed (weibo), with credentials (graph), or bare. */
async function call(method: string, path: string, op: Operation, values: Values): Promise<LightMyRequestResponse> {
  let url = path;
  const query: Record<string, string> = {};
  const fields: Record<string, string> = {};
  let files: Record<string, { filename: string; contentType: string; data: Buffer }> | undefined;
  for (const { spec, value } of values) {
    if (spec.place === 'path') url = url.replace(`{${spec.name}}`, encodeURIComponent(value));
    else if (spec.place === 'query') query[spec.name] = value;
    else if (spec.place === 'body') fields[spec.name] = value;
    else (files ??= {})[spec.name] = { filename: 'pic.png', contentType: 'image/png', data: PNG_1x1 };
  }
  url = url.replace(/\{[^}]+\}/g, 'x');
  const sec = Object.keys(op.security?.[0] ?? {});
  const M = method.toUpperCase() as 'GET';
  if (sec.includes('weibo_oauth1') && op['x-emulator'].kind === 'api') {
    // the signer puts every parameter in one place: the query for GET, the body for POST
    return signed(app, alice, { method: M === 'GET' ? 'GET' : 'POST', path: url, params: { ...query, ...fields }, files });
  }
  const creds = sec.includes('graph_access_token') ? graph : {};
  if (files) {
    const m = multipart({ ...creds, ...fields }, files);
    return app.inject({ method: M, url: `${url}?${qs(query)}`, headers: m.headers, payload: m.payload });
  }
  if (M === 'GET' || M === 'HEAD' || M === 'OPTIONS' || M === ('DELETE' as 'GET')) return app.inject({ method: M, url: `${url}?${qs({ ...creds, ...query, ...fields })}` });
  return app.inject({ method: M, url: `${url}?${qs(query)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs({ ...creds, ...fields }) });
}

const mediaMatches = (documented: string, actual: string) => {
  const [dt, ds] = documented.split('/');
  const [at, as] = actual.split(';')[0].trim().split('/');
  return (dt === '*' || dt === at) && (ds === '*' || ds === as);
};

/** The documented success answer of an API operation: the first branch of its JSON answer's anyOf. */
function okSchemaOf(op: Operation): Schema | undefined {
  const json = op.responses['200']?.content?.['text/html']?.schema as { anyOf?: Schema[] } | undefined;
  return json?.anyOf?.[0];
}

/** A success schema that leaves the answer open (additionalProperties: true): what the description said before routes declared their data. */
function undescribed(ok: Schema): boolean {
  const data = (ok.properties as Record<string, Schema> | undefined)?.data;
  return (data ?? ok).additionalProperties === true;
}

/** `METHOD path` of the operations that answered ret 0 and were checked against their success schema. */
const succeeded = new Map<string, number>();

/** What is wrong with an answer against the operation's documented responses ('' when nothing). */
function check(op: Operation, method: string, res: LightMyRequestResponse, name = ''): string {
  const byCode = op.responses[String(res.statusCode)] ?? op.responses[`${String(res.statusCode)[0]}XX`];
  if (!byCode) return `status ${res.statusCode} is not documented`;
  const r = byCode.$ref ? (doc.components.responses[byCode.$ref.split('/').pop()!] as typeof byCode) : byCode;
  if (!r.content) return method === 'head' || res.statusCode === 302 || res.body === '' ? '' : `status ${res.statusCode} answered a body, none documented`;
  const type = String(res.headers['content-type'] ?? '');
  const media = Object.keys(r.content).find((m) => mediaMatches(m, type));
  if (!media) return `content type ${type} is not among ${Object.keys(r.content).join(', ')}`;
  const schema = r.content[media].schema;
  if (media === 'text/html' && schema && schema.type !== 'string') {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return `text/html body is not the documented JSON: ${res.body.slice(0, 80)}`;
    }
    const v = validator(schema);
    if (!v(body)) return `body does not match its schema: ${ajv.errorsText(v.errors)} in ${res.body.slice(0, 160)}`;
    // a success is judged by the route's own success schema, data included (not only "an envelope")
    const ok = op['x-emulator'].kind === 'api' ? okSchemaOf(op) : undefined;
    if (ok && (body as { ret?: unknown }).ret === 0) {
      const s = validator(ok);
      if (!s(body)) return `success answer does not match its documented data: ${ajv.errorsText(s.errors)} in ${res.body.slice(0, 160)}`;
      succeeded.set(name, (succeeded.get(name) ?? 0) + 1);
    }
  }
  if (media === 'text/xml' && !res.body.startsWith('<?xml')) return 'text/xml body is not XML';
  return '';
}

const isParamError = (res: LightMyRequestResponse) => {
  if (!/^text\/html/.test(String(res.headers['content-type']))) return false;
  try {
    return (JSON.parse(res.body) as { ret?: number }).ret === 1;
  } catch {
    return false;
  }
};

const RUNS = 6;
const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([m, op]) => m !== 'servers' && op['x-emulator'].kind !== 'control')
    .map(([method, op]) => ({ path, method, op })),
);

t.test('every operation: example and generated calls answer as documented', async (t) => {
  const failures: string[] = [];
  const tally = { constrained: { calls: 0, paramErrors: 0 }, loose: { calls: 0, paramErrors: 0 }, example: { calls: 0, paramErrors: 0 } };
  const onlyNotFound: string[] = [];
  let seed = 1;
  for (const { path, method, op } of ops) {
    const specs = specsOf(op);
    const runs: [keyof typeof tally, Values][] = [
      ['example', fromExamples(specs)],
      ...generate(specs, RUNS, seed, true).map((v) => ['constrained', v] as [keyof typeof tally, Values]),
      ...generate(specs, RUNS, seed, false).map((v) => ['loose', v] as [keyof typeof tally, Values]),
    ];
    seed++;
    let found = false;
    for (const [kind, values] of runs) {
      const res = await call(method, path, op, values);
      const problem = check(op, method, res, `${method.toUpperCase()} ${path}`);
      if (problem) failures.push(`${method.toUpperCase()} ${path} (${kind} ${JSON.stringify(values.map((v) => [v.spec.name, v.value]))}): ${problem}`);
      if (res.statusCode !== 404) found = true;
      if (op['x-emulator'].kind === 'api' && method !== 'head') {
        tally[kind].calls++;
        if (isParamError(res)) {
          tally[kind].paramErrors++;
          if (kind === 'example') t.comment(`example refused: ${method} ${path}: ${res.body.slice(0, 120)}`);
        }
      }
    }
    if (!found && !path.includes('{')) onlyNotFound.push(`${method} ${path}`);
  }
  t.same(failures.slice(0, 20), [], `${failures.length} answers off their documented response`);
  const api = ops.filter(({ method, op }) => op['x-emulator'].kind === 'api' && method !== 'head');
  const described = api.filter(({ op }) => !undescribed(okSchemaOf(op)!));
  t.equal(described.length, api.length, `${described.length} of ${api.length} API operations document their success data (no open envelope)`);
  const answered = api.filter(({ path, method }) => succeeded.has(`${method.toUpperCase()} ${path}`));
  t.comment(`${answered.length} of ${api.length} API operations answered ret 0 at least once here and matched their data schema (${[...succeeded.values()].reduce((a, b) => a + b, 0)} answers); never here: ${api.filter((o) => !answered.includes(o)).map((o) => `${o.method} ${o.path}`).join(', ')}`);
  t.same(onlyNotFound, [], 'no operation only ever answers 404');
  const share = (k: keyof typeof tally) => tally[k].paramErrors / tally[k].calls;
  t.comment(
    `parameter errors (ret 1) over API calls: constrained ${tally.constrained.paramErrors}/${tally.constrained.calls} (${(100 * share('constrained')).toFixed(1)}%), ` +
      `unconstrained ${tally.loose.paramErrors}/${tally.loose.calls} (${(100 * share('loose')).toFixed(1)}%), examples ${tally.example.paramErrors}/${tally.example.calls}`,
  );
  t.ok(tally.constrained.calls > 400 && tally.loose.calls === tally.constrained.calls, 'as many calls both ways');
  t.ok(share('constrained') < share('loose') / 3, 'the declared constraints cut the share of parameter errors to under a third');
  t.ok(tally.example.paramErrors <= tally.example.calls * 0.1, `the examples are accepted (${tally.example.paramErrors} of ${tally.example.calls} refused)`);
});

t.test('the compiled serializers wrote every success answer above byte for byte as the reference renderer', async (t) => {
  audit.check(t);
});
