// What one request may carry, and how a refusal says which limit it hit (issue 11).
// Parameter floods: a query string or form body is measured before it is parsed, so 600 000
// empty parameters cost one scan and a parameter error, not seconds of parsing, merging and
// signing (issue 11). The parsing itself is fast-querystring's, as fastify and @fastify/formbody
// use by default.
import { parse } from 'fast-querystring';
import { badParam } from './errors.js';

/** At most this many parameters per query string and per form body (PHP's max_input_vars). */
export const MAX_PARAMS = 1000;
/** At most this many characters in one parameter name (as sent, percent-encoded). */
export const MAX_KEY_LENGTH = 256;

/** What is wrong with an encoded `a=1&b=2` string, or undefined; stops at the first problem. */
export function floodProblem(s: string, where: string): string | undefined {
  let count = 0;
  for (let start = 0; start <= s.length; ) {
    let end = s.indexOf('&', start);
    if (end < 0) end = s.length;
    if (end > start) {
      if (++count > MAX_PARAMS) return `error param: more than ${MAX_PARAMS} parameters in the ${where}`;
      const eq = s.indexOf('=', start);
      const keyLength = (eq >= 0 && eq < end ? eq : end) - start;
      if (keyLength > MAX_KEY_LENGTH) return `error param: a parameter name in the ${where} is longer than ${MAX_KEY_LENGTH} characters`;
    }
    start = end + 1;
  }
  return undefined;
}

/** @fastify/formbody's parser: a flood is the API's parameter error (the error handler renders it). */
export function parseForm(body: string): Record<string, unknown> {
  const problem = floodProblem(body, 'body');
  if (problem) throw badParam(problem);
  return parse(body);
}

/** Query strings refused by parseQuery, with the reason (the router cannot throw: readArgs raises it). */
const refusedQueries = new WeakMap<object, string>();

/** fastify's querystringParser: a flood parses as an empty query that readArgs refuses. */
export function parseQuery(query: string): Record<string, unknown> {
  if (query.length === 0) return {};
  const problem = floodProblem(query, 'query string');
  if (!problem) return parse(query);
  const empty = {};
  refusedQueries.set(empty, problem);
  return empty;
}

/** Why this request's query was refused by parseQuery, if it was. */
export const queryRefusal = (query: unknown): string | undefined => (query && typeof query === 'object' ? refusedQueries.get(query) : undefined);

/** Multipart limits (@fastify/multipart / busboy); a text field cut at fieldSize is refused by readArgs. */
export const MULTIPART_LIMITS = { files: 2, fields: 64, fieldSize: 64 * 1024, parts: 80 } as const;

/** The multipart limit an error from @fastify/multipart names, as a parameter-error text. */
export function multipartLimitMessage(code: string | undefined): string | undefined {
  switch (code) {
    case 'FST_FILES_LIMIT':
      return `error param: upload too large: more than ${MULTIPART_LIMITS.files} files`;
    case 'FST_FIELDS_LIMIT':
      return `error param: upload too large: more than ${MULTIPART_LIMITS.fields} fields`;
    case 'FST_PARTS_LIMIT':
      return `error param: upload too large: more than ${MULTIPART_LIMITS.parts} parts`;
    default:
      return undefined;
  }
}

/**
 * Node's request and header timeouts from the configuration (seconds; fastify's requestTimeout is
 * 0, no limit, by default, so a body sent a byte at a time held a socket forever). Node checks
 * them on an interval of its own (30 s by default): a 1 s interval keeps them close to what is set.
 */
export function timeouts(c: { requestTimeout: number; headersTimeout: number }) {
  return {
    requestTimeout: c.requestTimeout * 1000,
    server: { headersTimeout: c.headersTimeout * 1000, connectionsCheckingInterval: 1000 },
  };
}
