// Fault injection: POST /_emulator/faults makes an API path answer an error, an HTTP status, a
// delay or a dropped connection (once, N times, or at a rate); GET lists, DELETE clears. Each
// world has its own faults: they apply to the API calls that reach that world (world=W: the calls
// made with W's credentials), so checked once the request's world is known (server/control/worlds.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { envelopeOf, renderError, requestFormat, send } from '../respond.js';
import { bool, num, pathOf, PREFIX, Refusal, str, type Control, type WorldControl, type ControlDoc } from './context.js';

/** Faults one world may hold at once: each is a few numbers, but a runaway script must not grow them without end. */
export const FAULTS_MAX = 256;

export interface Fault {
  id: number;
  path: string;
  /** calls left (undefined: unlimited while rate applies) */
  remaining?: number;
  rate?: number;
  ret?: number;
  errcode?: number;
  msg?: string;
  httpStatus?: number;
  delayMs?: number;
  drop?: boolean;
  hits: number;
}

const FAULT = {
  type: 'object',
  required: ['id', 'path', 'hits'],
  properties: {
    id: { type: 'integer' },
    path: { type: 'string' },
    remaining: { type: 'integer' },
    rate: { type: 'number' },
    ret: { type: 'integer' },
    errcode: { type: 'integer' },
    msg: { type: 'string' },
    httpStatus: { type: 'integer' },
    delayMs: { type: 'integer' },
    drop: { type: 'boolean' },
    hits: { type: 'integer' },
  },
};
const FAULT_DOC: ControlDoc = {
  summary: 'inject a fault on an API path: an error envelope (ret / errcode / msg), an HTTP status, a delay or a dropped connection',
  body: {
    path: { type: 'string', pattern: '^/', description: 'an API path (not /_emulator/)' },
    count: { type: 'integer', minimum: 1, description: 'calls it applies to (1 when neither count nor rate)' },
    rate: { type: 'number', minimum: 0, maximum: 1, description: 'share of calls it applies to' },
    ret: { type: 'integer' },
    errcode: { type: 'integer', description: 'ret defaults to 4 with an errcode' },
    msg: { type: 'string' },
    httpStatus: { type: 'integer', minimum: 100, maximum: 599 },
    delayMs: { type: 'integer', minimum: 0, maximum: 120000 },
    drop: { type: 'boolean' },
  },
  required: ['path'],
  example: { path: '/api/t/add', ret: 4, errcode: 13, msg: 'injected: duplicate', count: 1 },
  answer: FAULT,
};
const FAULTS_DOC: ControlDoc = { summary: 'list injected faults', answer: { type: 'object', required: ['faults'], properties: { faults: { type: 'array', items: FAULT } } } };
const FAULTS_CLEAR_DOC: ControlDoc = { summary: 'clear injected faults', answer: { type: 'object', required: ['cleared'], properties: { cleared: { type: 'integer' } } } };

export function registerFaults({ app, state, route, scope, scopeOfWorld }: Control): void {
  // callback style: API calls with no faults set pass without a promise; answering early means
  // not calling done. A preHandler registered after the world is picked (server/control/index.ts).
  app.addHook('preHandler', (req, reply, done) => {
    if (req.url.startsWith(PREFIX)) return done();
    const { ctl } = scopeOfWorld(req.world ?? app.world);
    if (!ctl.faults.length) return done();
    injectFault(ctl, req, reply).then(
      (answered) => {
        if (!answered) done();
      },
      (e: Error) => done(e),
    );
  });
  /** Applies the fault set for this path, if any: true when it answered (or dropped) the request. */
  const injectFault = async (ctl: WorldControl, req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const path = pathOf(req.url);
    const f = ctl.faults.find((x) => x.path === path);
    if (!f) return false;
    if (f.rate !== undefined && Math.random() >= f.rate) return false;
    f.hits++;
    if (f.remaining !== undefined && --f.remaining <= 0) ctl.faults.splice(ctl.faults.indexOf(f), 1);
    if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (f.drop) {
      reply.hijack();
      req.raw.socket?.destroy();
      return true;
    }
    if (f.ret !== undefined) {
      const err = new ApiError(f.ret, f.msg ?? 'injected fault', f.errcode ?? 0);
      send(reply, renderError(envelopeOf(req), err, { format: requestFormat(req) }), f.httpStatus ?? 200);
      return true;
    }
    if (f.httpStatus !== undefined) {
      reply.code(f.httpStatus).type('text/html; charset=utf-8').send(f.msg ?? `injected HTTP ${f.httpStatus}`);
      return true;
    }
    return false;
  };

  route('POST', 'faults', ['world', 'path', 'count', 'rate', 'ret', 'errcode', 'msg', 'httpStatus', 'delayMs', 'drop'], (_req, _reply, o) => {
    const { ctl } = scope(o);
    if (ctl.faults.length >= FAULTS_MAX) throw new Refusal(400, `this world already holds ${FAULTS_MAX} faults: DELETE /_emulator/faults first`);
    const raw = str(o.path, 'path', true)!;
    if (!raw.startsWith('/') || raw.startsWith(PREFIX)) throw new Refusal(400, 'path must be an API path starting with / (not /_emulator/)');
    const count = num(o.count, 'count', { int: true, min: 1 });
    const rate = num(o.rate, 'rate', { min: 0, max: 1 });
    const f: Fault = {
      id: ++state.faultSeq,
      path: pathOf(raw),
      remaining: count ?? (rate !== undefined ? undefined : 1),
      rate,
      ret: num(o.ret, 'ret', { int: true }),
      errcode: num(o.errcode, 'errcode', { int: true }),
      msg: str(o.msg, 'msg'),
      httpStatus: num(o.httpStatus, 'httpStatus', { int: true, min: 100, max: 599 }),
      delayMs: num(o.delayMs, 'delayMs', { int: true, min: 0, max: 120000 }),
      drop: bool(o.drop, 'drop'),
      hits: 0,
    };
    if (f.ret === undefined && f.errcode !== undefined) f.ret = 4;
    if (f.ret === undefined && f.httpStatus === undefined && !f.delayMs && !f.drop) throw new Refusal(400, 'a fault needs ret/errcode, httpStatus, delayMs or drop');
    ctl.faults.push(f);
    return f;
  }, FAULT_DOC);
  route('GET', 'faults', ['world'], (_req, _reply, o) => ({ faults: scope(o).ctl.faults }), FAULTS_DOC);
  route('DELETE', 'faults', ['world'], (_req, _reply, o) => {
    const { ctl } = scope(o);
    const n = ctl.faults.length;
    ctl.faults.length = 0;
    return { cleared: n };
  }, FAULTS_CLEAR_DOC);
}
