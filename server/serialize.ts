// Compiled JSON serializers of open.t.qq.com success answers (issues 13 and 14): per weibo
// route, one fast-json-stringify function built from the route's declared data schema
// (ApiRoute.data, server/schemas.ts), with the members of every object in ASCII order, so keys
// come out sorted by construction instead of sortKeys copying the answer first. server/respond.ts
// wraps the data's text in the envelope and keeps its escaping (escapeJsonForScript).
//
// fast-json-stringify writes what the schema says, not what the value holds: a member the schema
// does not name is dropped, a value of another type is coerced ("5" for 5, "" for null, 2 for
// 2.5), required members are written first. The wire must not change by a byte, so it only writes
// data a guard has proved it writes exactly as the reference renderer (sortKeys + JSON.stringify):
//
// - The guard is generated from the same intermediate form as the serializer's schema and walks
//   the data once (about a tenth of the rendering): every object plain (Object.prototype or a null
//   prototype) holding only declared members, every value of its declared JSON type (integers
//   Number.isInteger, numbers finite, strings, booleans, null only where nullable or always
//   null), arrays without holes. A member present with the value undefined fails it too. Data it
//   refuses, and anything fast-json-stringify throws on, is answered by the reference renderer:
//   a refusal costs speed, never a byte.
// - `required` is left out of the compiled schema (fast-json-stringify would write required
//   members first, before an optional `openid`); the guard does not need it either.
// - Maps (additionalProperties: a schema, keys are names or ids: the timelines' `user`): the
//   serializer writes Object.keys order, so the guard hands it a copy built as sortKeys builds
//   one (keys sorted, inserted in that order) when they are not in order already.
// - Not compiled (the reference renderer answers; serializerStatus() says why): an anyOf other
//   than "a schema or null" (fast-json-stringify would pick the branch with ajv at run time:
//   re_count's and friends/check's map values), an open object, a member named like an array
//   index (enumerated before the others), a map of maps.
// - graph.qq.com envelopes keep graphJson: without a sortKeys copy to save, JSON.stringify wrote
//   a 30-user relation/get_fanslist answer 7-13 % faster than guard + fast-json-stringify.
//
// Tests: openapi_answers and openapi_calls (test/control) render every weibo success answer both
// ways (test/helpers.ts serializerAudit) and require the same bytes; test/core/serialize.test.ts
// gives the guard the data fast-json-stringify would write otherwise.
import fastJson from 'fast-json-stringify';
import type { Envelope } from './respond.js';
import { componentSchemas, type Schema } from './schemas.js';

type Scalar = 'string' | 'integer' | 'number' | 'boolean' | 'null';
type Node =
  | { t: 'scalar'; type: Scalar; nullable: boolean }
  | { t: 'object'; props: [string, Node][]; nullable: boolean }
  | { t: 'map'; value: Node; nullable: boolean }
  | { t: 'array'; items: Node; nullable: boolean }
  | { t: 'ref'; name: string; nullable: boolean };

/** The guard's answer for data the serializer would not write exactly. */
const FAIL: unique symbol = Symbol('not exact');

class Unsupported extends Error {}

const REF = '#/components/schemas/';
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
const isNull = (s: Schema) => Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null;

/** The intermediate form of a declared schema: object members in ASCII order, components by name. */
class Compiler {
  readonly components = new Map<string, Node>();
  private readonly declared = componentSchemas();

  node(s: Schema, at: string): Node {
    if (typeof s.$ref === 'string') return { t: 'ref', name: this.component(s.$ref, at), nullable: false };
    if (Array.isArray(s.anyOf)) {
      const branches = s.anyOf as Schema[];
      const other = branches.filter((b) => !isNull(b));
      if (branches.length !== 2 || other.length !== 1) throw new Unsupported(`${at}: an anyOf of ${branches.length} schemas (fast-json-stringify picks the branch with ajv at run time)`);
      return { ...this.node(other[0], at), nullable: true };
    }
    if (isNull(s)) return { t: 'scalar', type: 'null', nullable: false };
    const nullable = s.nullable === true;
    switch (s.type) {
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean':
        return { t: 'scalar', type: s.type, nullable };
      case 'array':
        if (!s.items || typeof s.items !== 'object' || Array.isArray(s.items)) throw new Unsupported(`${at}: an array without one items schema`);
        return { t: 'array', items: this.node(s.items as Schema, `${at}[]`), nullable };
      case 'object': {
        const props = s.properties as Record<string, Schema> | undefined;
        const extra = s.additionalProperties;
        if (props && Object.keys(props).length) {
          if (extra !== undefined && extra !== false) throw new Unsupported(`${at}: members and additionalProperties`);
          const names = Object.keys(props).sort();
          const index = names.find((n) => ARRAY_INDEX.test(n));
          if (index !== undefined) throw new Unsupported(`${at}: a member named ${index} (enumerated before the others)`);
          return { t: 'object', props: names.map((n) => [n, this.node(props[n], `${at}.${n}`)]), nullable };
        }
        if (extra && typeof extra === 'object') {
          const value = this.node(extra as Schema, `${at}{}`);
          if (value.t === 'map' || value.t === 'ref') throw new Unsupported(`${at}: a map of maps or components`);
          return { t: 'map', value, nullable };
        }
        if (extra === false) return { t: 'object', props: [], nullable };
        throw new Unsupported(`${at}: an open object`);
      }
      default:
        throw new Unsupported(`${at}: type ${JSON.stringify(s.type)}`);
    }
  }

  private component(ref: string, at: string): string {
    if (!ref.startsWith(REF)) throw new Unsupported(`${at}: $ref ${ref}`);
    const name = ref.slice(REF.length);
    if (!this.components.has(name)) {
      const s = this.declared[name];
      if (!s) throw new Unsupported(`${at}: no component ${name}`);
      this.components.set(name, { t: 'scalar', type: 'null', nullable: false }); // while its own members refer to it
      this.components.set(name, this.node(s, `#${name}`));
    }
    return name;
  }
}

/** The schema fast-json-stringify compiles: types and members in ASCII order, nothing else. */
function fjsSchema(n: Node): Record<string, unknown> {
  const nullable = n.nullable ? { nullable: true } : {};
  switch (n.t) {
    case 'scalar':
      return { type: n.type, ...nullable };
    case 'array':
      return { type: 'array', items: fjsSchema(n.items), ...nullable };
    case 'map':
      return { type: 'object', additionalProperties: fjsSchema(n.value), ...nullable };
    case 'object':
      return { type: 'object', properties: Object.fromEntries(n.props.map(([k, v]) => [k, fjsSchema(v)])), ...nullable };
    case 'ref':
      return { $ref: `#/definitions/${n.name}${n.nullable ? '__null' : ''}` };
  }
}

/**
 * The guard's source: a function per component reached, each answering its value, a copy of it
 * with its maps' keys in order, or FAIL.
 */
class GuardSource {
  private uid = 0;
  private readonly copying = new Map<string, boolean>();
  readonly fns = new Map<string, string>();

  constructor(private readonly c: Compiler) {}

  /** Whether a value of `n` may be replaced by a copy (it holds a map). */
  mayCopy(n: Node): boolean {
    switch (n.t) {
      case 'map':
        return true;
      case 'array':
        return this.mayCopy(n.items);
      case 'object':
        return n.props.some(([, v]) => this.mayCopy(v));
      case 'ref':
        if (!this.copying.has(n.name)) {
          this.copying.set(n.name, false); // a component holding itself holds no map through that path
          this.copying.set(n.name, this.mayCopy(this.c.components.get(n.name)!));
        }
        return this.copying.get(n.name)!;
      case 'scalar':
        return false;
    }
  }

  /** Code checking the variable `v` (`return FAIL` when it fails); where `n` may copy, the value to write is left in `out`. */
  check(n: Node, v: string, out: string): string {
    const body = this.checkNonNull(n, v, out);
    if (!n.nullable) return body;
    return `if (${v} === null) { ${this.mayCopy(n) ? `${out} = null;` : ''} } else { ${body} }`;
  }

  private checkNonNull(n: Node, v: string, out: string): string {
    switch (n.t) {
      case 'scalar':
        switch (n.type) {
          case 'string':
            return `if (typeof ${v} !== 'string') return FAIL;`;
          case 'integer':
            return `if (!Number.isInteger(${v})) return FAIL;`;
          case 'number':
            return `if (typeof ${v} !== 'number' || !Number.isFinite(${v})) return FAIL;`;
          case 'boolean':
            return `if (typeof ${v} !== 'boolean') return FAIL;`;
          case 'null':
            return `if (${v} !== null) return FAIL;`;
        }
        break;
      case 'ref': {
        const fn = this.fn(n.name);
        return this.mayCopy(n) ? `${out} = ${fn}(${v}); if (${out} === FAIL) return FAIL;` : `if (${fn}(${v}) === FAIL) return FAIL;`;
      }
      case 'array': {
        const [i, e, r] = [`i${this.uid++}`, `e${this.uid++}`, `r${this.uid++}`];
        if (!this.mayCopy(n.items)) return `if (!Array.isArray(${v})) return FAIL; for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; ${this.check(n.items, e, '')} }`;
        return `if (!Array.isArray(${v})) return FAIL; ${out} = ${v}; for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; let ${r}; ${this.check(n.items, e, r)} if (${r} !== ${e}) { if (${out} === ${v}) ${out} = ${v}.slice(); ${out}[${i}] = ${r}; } }`;
      }
      case 'map': {
        const [ks, i, e, inOrder] = [`k${this.uid++}`, `i${this.uid++}`, `e${this.uid++}`, `s${this.uid++}`];
        // sortKeys' own construction where the keys are out of order: a new object, keys inserted sorted
        return `if (!plain(${v})) return FAIL; const ${ks} = Object.keys(${v}); let ${inOrder} = true;
          for (let ${i} = 0; ${i} < ${ks}.length; ${i}++) { const ${e} = ${v}[${ks}[${i}]]; ${this.check(n.value, e, '')} if (${i} > 0 && ${ks}[${i} - 1] > ${ks}[${i}]) ${inOrder} = false; }
          if (${inOrder}) ${out} = ${v}; else { ${out} = {}; for (const k of ${ks}.slice().sort()) ${out}[k] = ${v}[k]; }`;
      }
      case 'object': {
        const copy = this.mayCopy(n);
        const count = `n${this.uid++}`;
        const lines = [`if (!plain(${v})) return FAIL;`, copy ? `${out} = ${v};` : '', `let ${count} = 0;`];
        // every declared member present is checked and counted; then nothing else may be there
        for (const [k, m] of n.props) {
          const [p, r, key] = [`p${this.uid++}`, `r${this.uid++}`, JSON.stringify(k)];
          const value = this.mayCopy(m) ? `let ${r}; ${this.check(m, p, r)} if (${r} !== ${p}) { if (${out} === ${v}) ${out} = { ...${v} }; ${out}[${key}] = ${r}; }` : this.check(m, p, '');
          lines.push(`{ const ${p} = ${v}[${key}]; if (${p} !== undefined) { ${count}++; ${value} } }`);
        }
        lines.push(`if (Object.keys(${v}).length !== ${count}) return FAIL;`);
        return lines.join('\n');
      }
    }
  }

  private fn(name: string): string {
    const id = `g_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (!this.fns.has(id)) {
      this.fns.set(id, ''); // a component holding itself calls its own function
      const n = this.c.components.get(name)!;
      const copy = this.mayCopy(n);
      this.fns.set(id, `function ${id}(v) { ${copy ? 'let out;' : ''} ${this.check(n, 'v', 'out')} return ${copy ? 'out' : 'v'}; }`);
    }
    return id;
  }
}

const plain = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null) return false;
  const p: unknown = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};

type Serialize = (data: unknown) => string | undefined;

function compile(root: Schema, name: string): Serialize {
  const c = new Compiler();
  const n = c.node(root, name);
  const g = new GuardSource(c);
  const rootCheck = g.check(n, 'v', 'out');
  const src = `${[...g.fns.values()].join('\n')}\nreturn function guard(v) { let out; ${rootCheck} return ${g.mayCopy(n) ? 'out' : 'v'}; };`;
  const guard = new Function('FAIL', 'plain', src)(FAIL, plain) as (v: unknown) => unknown;
  const definitions: Record<string, unknown> = {};
  for (const [k, v] of c.components) {
    definitions[k] = fjsSchema(v);
    definitions[`${k}__null`] = { ...fjsSchema(v), nullable: true };
  }
  const write = fastJson({ ...fjsSchema(n), definitions } as Parameters<typeof fastJson>[0]) as (v: unknown) => string;
  return (data) => {
    const exact = guard(data);
    if (exact === FAIL) return undefined;
    try {
      return write(exact);
    } catch {
      return undefined;
    }
  };
}

/** A route's data serializer: the data's JSON text, or undefined (the reference renderer answers). */
export type DataSerializer = Serialize & { readonly route: string };

/** Compiled once per declared schema and process (the route modules' schemas are module constants; writes share NULL). */
const compiled = new WeakMap<Schema, Serialize | Unsupported>();
const status = new Map<string, string>();

function compiledFor(data: Schema, name: string): Serialize | undefined {
  let s = compiled.get(data);
  if (!s) {
    try {
      s = compile(data, name);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      s = e;
    }
    compiled.set(data, s);
  }
  status.set(name, s instanceof Unsupported ? `reference renderer: ${s.message}` : 'compiled');
  return s instanceof Unsupported ? undefined : s;
}

/**
 * A weibo route's data serializer, compiled on its first JSON answer (80 compilations would
 * slow every app build); undefined for graph.qq.com envelopes. A schema it cannot write exactly
 * gives a serializer that always answers undefined, its reason in serializerStatus().
 */
export function dataSerializer(env: Envelope, data: Schema, route: string): DataSerializer | undefined {
  if (env !== 'weibo') return undefined;
  let serialize: Serialize | undefined | null = null;
  return Object.assign(
    (d: unknown) => {
      if (serialize === null) serialize = compiledFor(data, route);
      return serialize ? serialize(d) : undefined;
    },
    { route },
  );
}

/** Each weibo route that answered JSON so far in this process → 'compiled' or why the reference renderer answers it. */
export const serializerStatus = (): Map<string, string> => new Map(status);
