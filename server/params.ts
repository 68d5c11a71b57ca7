// The declared parameters of an API route: name, where it travels, its OpenAPI schema, an
// example from the seeded world, and the server's own check. Each builder below pairs the
// schema with the Args call (server/args.ts) that enforces it, so the description never
// promises a value the server refuses: the schema states the constraint, the check answers
// the API's own parameter error (ret 1, msg "error <name> param: …"), not fastify's.
// A route declares `params: [...]` (server/api.ts); registerApi runs the checks after
// authentication, in declaration order, and server/openapi.ts turns them into the description.
import type { Args } from './args.js';

/** An OpenAPI 3.0 schema object. */
export type Schema = Record<string, unknown>;

import type { SeedExamples } from '../db/examples.js';
export type { SeedExamples };

export type Example = string | number | ((e: SeedExamples) => string | number);

export interface Param {
  name: string;
  required?: boolean;
  /** a multipart file part (never in the query) */
  file?: boolean;
  schema: Schema;
  description?: string;
  example?: Example;
  /** the server's check, the same Args call the handler makes; throws the parameter error */
  check?: (a: Args) => unknown;
}

/** Runs the declared checks in order (the first failing parameter answers). */
export function checkParams(params: readonly Param[] | undefined, a: Args): void {
  if (params) for (const p of params) p.check?.(a);
}

// ---------------------------------------------------------------------------------------
// Builders. `o.required` marks parameters the API refuses to go without.

interface Common {
  required?: boolean;
  description?: string;
  example?: Example;
}

/** A free text; required means present and not blank. */
export function text(name: string, o: Common & { maxLength?: number } = {}): Param {
  return {
    name,
    required: o.required,
    description: o.description,
    example: o.example,
    schema: { type: 'string', ...(o.required ? { minLength: 1, pattern: '\\S' } : {}), ...(o.maxLength ? { maxLength: o.maxLength } : {}) },
    check: o.required ? (a) => a.required(name) : undefined,
  };
}

/** A decimal integer in [min, max]. */
export function int(name: string, o: Common & { min?: number; max?: number; def?: number } = {}): Param {
  const { min, max, def } = o;
  return {
    name,
    required: o.required,
    description: o.description,
    example: o.example,
    schema: { type: 'integer', ...(min !== undefined ? { minimum: min } : {}), ...(max !== undefined ? { maximum: max } : {}), ...(def !== undefined ? { default: def } : {}) },
    check: (a) => (o.required || a.has(name) ? a.int(name, { min, max, def, required: o.required }) : undefined),
  };
}

/**
 * reqnum 1..max. Clamped (the default): larger values are answered as max, so the schema
 * states no maximum; strict: above max is a parameter error and the schema says so.
 */
export function reqnum(max: number, o: { strict?: boolean; def?: number } = {}): Param {
  const def = o.def ?? max;
  return {
    name: 'reqnum',
    description: o.strict ? `records per page, 1..${max}` : `records per page, 1..${max}; larger values are answered as ${max}`,
    example: Math.min(def, 10),
    schema: { type: 'integer', minimum: 1, ...(o.strict ? { maximum: max } : {}), default: def },
    check: (a) => a.reqnum(max, o.strict, def),
  };
}

/** One of a few values (numbers on the wire for the numeric enums). */
export function oneOf<T extends string | number>(name: string, values: readonly T[], o: Common & { def?: T } = {}): Param {
  const numeric = values.every((v) => typeof v === 'number');
  return {
    name,
    required: o.required,
    description: o.description,
    example: o.example,
    schema: { type: numeric ? 'integer' : 'string', enum: [...values], ...(o.def !== undefined ? { default: o.def } : {}) },
    check: (a) => (o.required || a.has(name) ? a.oneOf(name, values, o.required ? undefined : o.def) : undefined),
  };
}

/** Ids are decimal digit strings on the wire (64-bit on the real service; here up to 2^53 − 1). */
const ID = '^[1-9][0-9]{0,14}$';

/** A tweet / message / topic / tag id. */
export function id(name: string, o: Common = {}): Param {
  const required = o.required ?? true;
  return {
    name,
    required,
    description: o.description,
    example: o.example,
    schema: { type: 'string', pattern: ID },
    check: (a) => a.id(name, required),
  };
}

/** A `sep`-separated list of at most `max` items, each matching `item` when given. */
export function list(name: string, max: number, o: Common & { sep?: string; item?: string } = {}): Param {
  const sep = o.sep ?? ',';
  const one = o.item ?? '[^,\\s][^,]*';
  const esc = sep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    name,
    required: o.required ?? true,
    description: `${o.description ? o.description + '; ' : ''}up to ${max}, separated by "${sep}"`,
    example: o.example,
    schema: { type: 'string', pattern: `^(?:${one})(?:${esc}(?:${one})){0,${max - 1}}$` },
    check: o.required === false ? undefined : (a) => a.list(name, max, sep),
  };
}

/** A longitude / latitude within ±limit ("0" or empty when unknown). */
export function coordinate(name: string, limit: number, o: { aliases?: string[]; maxDigits?: number; description?: string } = {}): Param {
  return {
    name,
    description: o.description ?? `${limit === 180 ? 'longitude' : 'latitude'}, −${limit}..${limit}; empty or 0 when unknown`,
    example: limit === 180 ? '113.9' : '22.5',
    // a string: the server keeps the text as sent and refuses exponents (1e-7)
    schema: { type: 'string', pattern: limit === 180 ? '^-?(?:1[0-7][0-9]|[1-9]?[0-9])(?:\\.[0-9]{1,6})?$' : '^-?[1-8]?[0-9](?:\\.[0-9]{1,6})?$' },
    check: (a) => a.coordinate([...(o.aliases ?? []), name], limit, o.maxDigits),
  };
}

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** An IPv4 address (the IPv6 ones the server takes too are not in the pattern). */
export const IPV4 = `^${OCTET}(?:\\.${OCTET}){3}$`;

/** clientip: optional and any value (reference open-t-qq.md §1): SDKs sent 127.0.0.1, or
 * `Unknown` with no address at hand, and the real service took them. */
export const clientip = (): Param => ({
  name: 'clientip',
  description: "the user's IP address as the client knows it; optional and not checked (SDKs sent 127.0.0.1 or Unknown)",
  example: '127.0.0.1',
  schema: { type: 'string' },
  check: (a) => a.clientIp(),
});

/** A Weibo account name (an existing user; unknown names are ret 1 naming the parameter). */
export const account = (name = 'name', o: Common = {}): Param => ({
  name,
  required: o.required ?? true,
  description: o.description ?? 'account name of an existing user',
  example: o.example ?? ((e) => e.name),
  schema: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
  check: o.required === false ? undefined : (a) => a.required(name),
});

/** A graph.qq.com openid: 32 upper-case hex digits. */
export const openid = (name: string, o: Common = {}): Param => ({
  name,
  required: o.required,
  description: o.description ?? 'openid of a user for this app (32 hex digits)',
  example: o.example ?? ((e) => e.fopenid),
  schema: { type: 'string', pattern: '^[0-9A-F]{32}$' },
});

/** A multipart file part; the handler checks it (missing, empty, not an image). */
export const file = (name: string, o: Common = {}): Param => ({
  name,
  file: true,
  required: o.required ?? true,
  description: o.description ?? 'the picture (jpeg, png, gif or bmp) as a multipart file part; not part of the OAuth signature',
  schema: { type: 'string', format: 'binary' },
});

/** The `time` cursor of both APIs (Args.timeCursor): pageflag, pagetime, lastid and reqnum. */
export function timeCursor(o: { max?: number; strict?: boolean; def?: number; lastid?: string; aliases?: { down: string; up: string } } = {}): Param[] {
  const max = o.max ?? 20;
  const cursor: Param = {
    name: 'pageflag',
    description: '0 first page, 1 next page (older than pagetime / lastid), 2 previous page (newer); paging without pagetime is the first page',
    example: 0,
    schema: { type: 'integer', enum: [0, 1, 2], default: 0 },
    check: (a) => a.timeCursor({ ...o, max }),
  };
  const out: Param[] = [
    cursor,
    { name: 'pagetime', description: 'timestamp of the last (pageflag 1) or first (pageflag 2) record of the previous page; 0 for the first page', example: 0, schema: { type: 'integer', minimum: 0, default: 0 } },
  ];
  if (o.aliases) {
    out.push({ name: o.aliases.down, description: 'read instead of pagetime for pageflag 1', schema: { type: 'integer', minimum: 0 } });
    out.push({ name: o.aliases.up, description: 'read instead of pagetime for pageflag 2', schema: { type: 'integer', minimum: 0 } });
  }
  out.push({ name: 'lastid', description: 'id of the record pagetime belongs to (needs its pagetime)', schema: { type: 'string', pattern: `^(?:0|${ID.slice(1, -1)})$` } });
  if (o.lastid && o.lastid !== 'lastid') out.push({ name: o.lastid, description: 'the same as lastid', schema: { type: 'string', pattern: `^(?:0|${ID.slice(1, -1)})$` } });
  const r = reqnum(max, { strict: o.strict, def: o.def });
  out.push({ ...r, check: undefined }); // checked by the cursor above
  return out;
}

/** The publish parameters of every write that posts: clientip, jing, wei. */
export const publish = (): Param[] => [clientip(), coordinate('jing', 180), coordinate('wei', 90)];

/** A parameter the handler checks itself (its own message or code): described, not checked here. */
export const described = (name: string, schema: Schema, o: Common = {}): Param => ({ name, schema, required: o.required, description: o.description, example: o.example });

/** The same parameter with a narrower schema: the handler refuses the rest with its own message. */
export const narrow = (param: Param, schema: Schema): Param => ({ ...param, schema: { ...param.schema, ...schema } });
