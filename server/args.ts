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

  /**
   * reqnum 1..max with a default of max. Above max: clamped (open.t.qq.com timelines, as the
   * later service did) or, with `strict`, a parameter error (graph.qq.com get_repost_list).
   */
  reqnum(max: number, strict = false, def = max): number {
    const n = this.int('reqnum', { def });
    if (n < 1 || (strict && n > max)) throw this.paramError(`error reqnum param: must be between 1 and ${max}`);
    return Math.min(n, max);
  }

  /**
   * The `time` cursor of both APIs: pageflag 0 first page, 1 older than (pagetime, lastid),
   * 2 newer. Paging without any anchor (pagetime 0, lastid 0) is the first page whichever the
   * flag; a lastid without its pagetime cannot be placed and is a parameter error.
   * - `lastid`: the name of the tie-break id (re_list: twitterid, with lastid accepted too)
   * - `aliases`: read instead of pagetime when it is absent (fav/list_t: nexttime / prevtime)
   */
  timeCursor(o: { max?: number; strict?: boolean; def?: number; lastid?: string; aliases?: { down: string; up: string } } = {}): {
    pageflag: 0 | 1 | 2;
    pagetime: number;
    lastid: number;
    reqnum: number;
  } {
    let pageflag = this.oneOf('pageflag', [0, 1, 2] as const, 0);
    let pagetimeName = 'pagetime';
    if (!this.has('pagetime') && o.aliases) {
      const alias = pageflag === 2 ? o.aliases.up : o.aliases.down;
      if (this.has(alias)) pagetimeName = alias;
    }
    const pagetime = this.int(pagetimeName, { min: 0, def: 0 });
    const idName = o.lastid && this.has(o.lastid) ? o.lastid : 'lastid';
    const lastid = this.id(idName, false) ?? 0;
    const reqnum = this.reqnum(o.max ?? 20, o.strict, o.def ?? o.max ?? 20);
    if (pageflag !== 0 && pagetime === 0) {
      if (lastid !== 0) throw this.paramError(`error ${pagetimeName} param: missing (send the timestamp of the record ${idName} names)`);
      pageflag = 0;
    }
    return { pageflag, pagetime, lastid, reqnum };
  }

  /**
   * A longitude / latitude: the first of `names` that is present (aliases such as graph.qq.com's
   * longitude for jing); empty or absent is "0" ("可以填空"); else a decimal number of at most
   * `maxDigits` significant digits within ±limit, kept as sent.
   */
  coordinate(names: string[], limit: number, maxDigits = 16): string {
    const name = names.find((n) => this.has(n));
    if (name === undefined) return '0';
    const v = this.values[name].trim();
    if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(v) || v.replace(/[^0-9]/g, '').replace(/^0+/, '').length > maxDigits) {
      throw this.paramError(`error ${name} param: must be a number between -${limit} and ${limit}`);
    }
    if (Math.abs(Number(v)) > limit) throw this.paramError(`error ${name} param: must be a number between -${limit} and ${limit}`);
    return v;
  }

  /** clientip: optional and any value (reference open-t-qq.md §1): SDKs sent 127.0.0.1 or, with no
   * address at hand, `Unknown`, and the real service took them; it is stored as sent. */
  clientIp(): string {
    return (this.values.clientip ?? '').trim();
  }

  format(): 'json' | 'xml' {
    return this.values.format === 'xml' ? 'xml' : 'json';
  }

  upload(name: string): Upload | undefined {
    return this.uploads[name];
  }
}

/** A body part as @fastify/multipart leaves it (attachFieldsToBody), or a plain form value. */
export type BodyPart =
  | { type: 'field'; value: string; truncated: boolean }
  | { type: 'file'; filename: string; mimetype: string; truncated: () => boolean; toBuffer?: () => Promise<Buffer> };

interface RawPart {
  type?: string;
  value?: unknown;
  valueTruncated?: boolean;
  filename?: string;
  mimetype?: string;
  file?: { truncated?: boolean };
  toBuffer?: () => Promise<Buffer>;
}

/**
 * The named parts of a parsed body, in order: multipart fields and files (a repeated name gives
 * its first part; `truncated` is any of them cut at the field limit), form strings, numbers and
 * booleans. The one walk over a body's parts (readArgs, the journal, the isolated worlds' router).
 */
export function* bodyParts(body: unknown): Generator<[string, BodyPart]> {
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first = (Array.isArray(v) ? v[0] : v) as unknown;
    if (typeof first === 'string') yield [k, { type: 'field', value: first, truncated: false }];
    else if (typeof first === 'number' || typeof first === 'boolean') yield [k, { type: 'field', value: String(first), truncated: false }];
    else if (first && typeof first === 'object') {
      const part = first as RawPart;
      if (part.type === 'file') {
        yield [k, { type: 'file', filename: part.filename ?? '', mimetype: part.mimetype ?? '', truncated: () => part.file?.truncated === true, toBuffer: part.toBuffer?.bind(part) }];
      } else if (part.type === 'field') {
        const truncated = (Array.isArray(v) ? v : [v]).some((p) => (p as RawPart | undefined)?.valueTruncated === true);
        yield [k, { type: 'field', value: String(part.value ?? ''), truncated }];
      }
    }
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
