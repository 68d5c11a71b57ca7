// Schemas of what the API answers (OpenAPI 3.0 dialect: `nullable: true` always beside a
// `type`, no `null` type), written next to the code that builds each answer: the shared wire
// shapes in routes/shapes.ts, each route's data on its declaration (ApiRoute.data). A shape used
// by several answers is registered once as a named component and referenced from them
// (`#/components/schemas/Tweet`); server/openapi.ts puts the components in the document.
import type { Schema } from './params.js';

export type { Schema };

const components = new Map<string, Schema>();

/** Registers a named schema; the answer is the `$ref` to it. */
export function component(name: string, schema: Schema): Schema {
  const known = components.get(name);
  if (known && known !== schema) throw new Error(`schema component ${name} is defined twice`);
  components.set(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

/** Every registered component, by name (the document's components.schemas). */
export const componentSchemas = (): Record<string, Schema> => Object.fromEntries(components);

const described = (s: Schema, description?: string): Schema => (description ? { ...s, description } : s);

export const str = (description?: string): Schema => described({ type: 'string' }, description);
/** A digit string (ids are strings on the wire). */
export const digits = (description?: string): Schema => described({ type: 'string', pattern: '^[0-9]+$' }, description);
export const int = (description?: string): Schema => described({ type: 'integer' }, description);
export const intOf = (values: readonly number[], description?: string): Schema => described({ type: 'integer', enum: [...values] }, description);
/** 0 or 1 */
export const flag = (description?: string): Schema => intOf([0, 1], description);
export const bool = (description?: string): Schema => described({ type: 'boolean' }, description);
export const array = (items: Schema, description?: string): Schema => described({ type: 'array', items }, description);
/** Always null (an answer's data for most writes, fields the emulator never fills). */
export const NULL: Schema = { type: 'object', nullable: true, enum: [null], description: 'always null' };

/** `s` or null: `nullable` where the schema has its own type, else anyOf with NULL (a $ref takes no siblings). */
export const orNull = (s: Schema): Schema => (typeof s.type === 'string' ? { ...s, nullable: true } : { anyOf: [s, NULL] });

/**
 * An object whose members are all described: every member required but the `optional` ones,
 * and no other member allowed (a renamed or undocumented field fails validation).
 */
export function object(properties: Record<string, Schema>, o: { optional?: string[]; description?: string } = {}): Schema {
  const optional = new Set(o.optional ?? []);
  const required = Object.keys(properties).filter((k) => !optional.has(k));
  return described({ type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false }, o.description);
}

/** An open object: keys chosen at run time (ids, names), each value of schema `value`. */
export const map = (value: Schema, description?: string): Schema => described({ type: 'object', additionalProperties: value }, description);

/** `properties` without the named members. */
export function omit(properties: Record<string, Schema>, names: readonly string[]): Record<string, Schema> {
  const out = { ...properties };
  for (const n of names) delete out[n];
  return out;
}
