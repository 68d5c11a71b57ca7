import { StoreError } from '../db/errors.js';

// One error type for every refusal; the response layer renders it in the envelope of
// the platform that was called (graph.qq.com ret/msg, open.t.qq.com ret/errcode/msg/data,
// OAuth endpoints' own shapes).
export class ApiError extends Error {
  constructor(
    public readonly ret: number,
    message: string,
    public readonly errcode: number = 0,
    /** For /oauth2.0/* endpoints: the `error` number of the OAuth answer. */
    public readonly oauthError?: number,
    /** HTTP status; the real services answered 200 even on errors. */
    public readonly status: number = 200,
  ) {
    super(message);
  }
}

/** open.t.qq.com / weibo-style parameter error: ret 1. */
export const badParam = (msg: string, errcode = 1) => new ApiError(1, msg, errcode);
/** open.t.qq.com authentication failure: ret 3 with a sub-code (reference §7.2). */
export const authFailed = (errcode: number, msg = 'check sign error') => new ApiError(3, msg, errcode);
/** Publish refusals: ret 4 with the write errcode table. */
export const writeRefused = (errcode: number, msg: string) => new ApiError(4, msg, errcode);
/** OAuth 2.0 endpoint errors (`error` / `error_description`). */
export const oauth2Error = (code: number, description: string) => new ApiError(code, description, 0, code);

/** The wire error of a refusal: an ApiError as it is, a store refusal (db/errors.ts) as open.t.qq.com's
 * ret 1 (bad parameter) or ret 4 (write refused, record not found) with its errcode; else undefined. */
export function apiErrorOf(e: unknown): ApiError | undefined {
  if (e instanceof ApiError) return e;
  if (e instanceof StoreError) return new ApiError(e.kind === 'bad_param' ? 1 : 4, e.message, e.errcode);
  return undefined;
}
