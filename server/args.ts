// Request parameters as the APIs see them: query string, form body and multipart text
// fields merged into one bag of strings (both APIs accept either place).
import { badParam, ApiError } from './errors.js';

export interface Upload {
  field: string;
  filename: string;
  mimetype: string;
  bytes: Buffer;
}

export class Args {
  /** a refusal found while reading the body (an oversized upload), raised once the route runs */
  refusal?: ApiError;

  constructor(
    readonly values: Record<string, string>,
    readonly uploads: Record<string, Upload> = {},
    /** how a parameter error is reported on this platform */
    private readonly paramError: (msg: string) => ApiError = (m) => badParam(m),
  ) {}

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== '';
  }

  str(name: string): string | undefined {
    return this.values[name];
  }

  /** A present, non-empty string, else the platform's parameter error naming it. */
  required(name: string): string {
    const v = this.values[name];
    if (v === undefined || v.trim() === '') throw this.paramError(`error ${name} param: missing`);
    return v;
  }

  /**
   * An integer within [min, max]; `def` when absent. Anything else (not a number, out of
   * range) is a parameter error that says which parameter and which range.
   */
  int(name: string, o: { min?: number; max?: number; def?: number; required?: boolean } = {}): number {
    const raw = this.values[name];
    if (raw === undefined || raw === '') {
      if (o.def !== undefined && !o.required) return o.def;
      throw this.paramError(`error ${name} param: missing`);
    }
    if (!/^-?\d{1,18}$/.test(raw.trim())) throw this.paramError(`error ${name} param: not an integer`);
    const n = Number(raw.trim());
    if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
      throw this.paramError(`error ${name} param: must be between ${o.min ?? '-∞'} and ${o.max ?? '∞'}`);
    }
    return n;
  }

  /** One of the allowed values (compared as strings). */
  oneOf<T extends string | number>(name: string, allowed: readonly T[], def?: T): T {
    const raw = this.values[name];
    if (raw === undefined || raw === '') {
      if (def !== undefined) return def;
      throw this.paramError(`error ${name} param: missing`);
    }
    const hit = allowed.find((a) => String(a) === raw.trim());
    if (hit === undefined) throw this.paramError(`error ${name} param: must be one of ${allowed.join(', ')}`);
    return hit;
  }

  /** A decimal id (tweet ids are 64-bit digit strings on the wire). */
  id(name: string, required = true): number | undefined {
    const raw = this.values[name];
    if (raw === undefined || raw === '' || raw === '0') {
      if (required) throw this.paramError(`error ${name} param: missing`);
      return undefined;
    }
    if (!/^\d{1,19}$/.test(raw.trim())) throw this.paramError(`error ${name} param: not an id`);
    const n = Number(raw.trim());
    if (!Number.isSafeInteger(n)) throw this.paramError(`error ${name} param: no such id`);
    return n;
  }

  /** Comma-separated list, trimmed, empties dropped, at most `max` items. */
  list(name: string, max: number, sep = ','): string[] {
    const items = this.required(name)
      .split(sep)
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) throw this.paramError(`error ${name} param: empty list`);
    if (items.length > max) throw this.paramError(`error ${name} param: at most ${max} items`);
    return items;
  }

  format(): 'json' | 'xml' {
    return this.values.format === 'xml' ? 'xml' : 'json';
  }

  upload(name: string): Upload | undefined {
    return this.uploads[name];
  }
}

/** Flattens fastify's query/body objects (string | string[] | multipart parts) into strings. */
export function flatten(src: unknown, into: Record<string, string>): void {
  if (!src || typeof src !== 'object') return;
  for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
    if (into[k] !== undefined) continue; // first occurrence wins (query before body)
    if (typeof v === 'string') into[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') into[k] = v[0];
    else if (typeof v === 'number' || typeof v === 'boolean') into[k] = String(v);
  }
}
