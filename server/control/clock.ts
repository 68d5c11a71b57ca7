// GET/POST /_emulator/clock: read, set, freeze or advance a world's clock.
import type { Clock } from '../../db/clock.js';
import { bool, num, type Control, type ControlDoc, WORLD_FIELD } from './context.js';

export function clockState(clock: Clock) {
  const frozenAt = Reflect.get(clock, 'frozenAt') as number | null;
  const offsetMs = Reflect.get(clock, 'offsetMs') as number;
  return { now: clock.now(), nowMs: clock.nowMs(), iso: new Date(clock.nowMs()).toISOString(), frozen: frozenAt !== null, offsetSeconds: frozenAt !== null ? Math.round((frozenAt - Date.now()) / 1000) : Math.round(offsetMs / 1000) };
}

const CLOCK: ControlDoc['answer'] = {
  type: 'object',
  required: ['now', 'nowMs', 'iso', 'frozen', 'offsetSeconds'],
  properties: { now: { type: 'integer' }, nowMs: { type: 'number' }, iso: { type: 'string' }, frozen: { type: 'boolean' }, offsetSeconds: { type: 'integer' } },
};
const CLOCK_GET_DOC: ControlDoc = { summary: 'the world clock', query: { world: WORLD_FIELD }, answer: CLOCK };
const CLOCK_POST_DOC: ControlDoc = {
  summary: 'set (unix seconds), advance (seconds), freeze or reset the world clock',
  body: { set: { type: 'number', minimum: 0 }, advance: { type: 'number' }, freeze: { type: 'boolean' }, reset: { type: 'boolean' }, world: WORLD_FIELD },
  example: { advance: 60 },
  answer: CLOCK,
};

export function registerClock({ route, targetWorld }: Control): void {
  route('GET', 'clock', ['world'], (_req, _reply, o) => clockState(targetWorld(o).clock), CLOCK_GET_DOC);
  route('POST', 'clock', ['world', 'reset', 'set', 'advance', 'freeze'], (_req, _reply, o) => {
    const clock = targetWorld(o).clock;
    const reset = bool(o.reset, 'reset');
    const set = num(o.set, 'set', { min: 0 });
    const advance = num(o.advance, 'advance');
    const freeze = bool(o.freeze, 'freeze');
    if (reset) clock.reset();
    if (set !== undefined) clock.set(set, freeze ?? (Reflect.get(clock, 'frozenAt') !== null));
    else if (freeze !== undefined) clock.set(clock.nowMs() / 1000, freeze);
    if (advance !== undefined) clock.advance(advance);
    return clockState(clock);
  }, CLOCK_POST_DOC);
}
