// Kept answers of pure reads (routes declared `cache: true`): the rendered answer of a read is
// filed under everything it depends on — route, format, public base, app, caller, protocol and
// every argument but a signed call's nonce, timestamp and signature — and kept while the world's
// data version (db/store.ts dataVersion: every writing statement of this process, every commit
// of another) and the clock's second (answers carry the server time) stay what they were.
// A change of either drops them all, so an answer is never served after a write that could
// change it. An answer whose computing itself wrote, or ran across a second, is not kept.
import type { World } from '../db/world.js';
import { dataVersion } from '../db/store.js';
import type { Ctx } from './api.js';

export interface Rendered {
  type: string;
  body: string;
  /** a kept answer's body in UTF-8, encoded once: each send of the string encoded it twice (its
   * length, then its bytes): 19 % of a kept 18 KB timeline's CPU in a perf profile under load */
  bytes?: Buffer;
  /** the kept answer this one repeats up to its character `at` (a graph-weibo answer's new seqid):
   * the journal's summary of its head is the kept one's when the head ends before */
  spliced?: { of: Rendered; at: number };
}

interface Kept {
  version: number;
  second: number;
  answers: Map<string, Rendered>;
  /** bytes held: keys and bodies (UTF-16, two a code unit) and the bodies' UTF-8 */
  size: number;
}

/** At most this many bytes and answers per world: beyond, the store starts over. */
const MAX_SIZE = 96 * 1024 * 1024;
const MAX_ANSWERS = 20_000;

const kept = new WeakMap<World, Kept>();

/** Parameters that differ on every signed call without changing what it asks. */
const PER_CALL = new Set(['oauth_nonce', 'oauth_timestamp', 'oauth_signature']);

function keyOf(ctx: Ctx, route: string, format: string): string {
  let key = `${route}\n${format}\n${ctx.base}\n${ctx.app.appid}\n${ctx.user.id}\n${ctx.weibo?.flavour ?? ''}`;
  const values = ctx.args.values;
  for (const k in values) if (!PER_CALL.has(k)) key += `\n${k}=${values[k]}`;
  return key;
}

/** The kept answer of this read, or `render()`'s (kept when nothing changed while it ran). */
export function keptAnswer(ctx: Ctx, route: string, format: string, render: () => Rendered): Rendered {
  const world = ctx.world;
  const version = dataVersion(world.db);
  const second = world.now();
  let k = kept.get(world);
  if (!k || k.version !== version || k.second !== second) kept.set(world, (k = { version, second, answers: new Map(), size: 0 }));
  const key = keyOf(ctx, route, format);
  const hit = k.answers.get(key);
  if (hit) return hit;
  const answer = render();
  if (dataVersion(world.db) !== version || world.now() !== second) return answer;
  answer.bytes = Buffer.from(answer.body);
  const size = 2 * (key.length + answer.body.length) + answer.bytes.length;
  if (k.size + size > MAX_SIZE || k.answers.size >= MAX_ANSWERS) {
    k.answers.clear();
    k.size = 0;
  }
  k.answers.set(key, answer);
  k.size += size;
  return answer;
}
