// GET/POST /_emulator/rules: a world's write rules and rate limit (db/rules.ts) — content bytes,
// dirty words, spam patterns, posting speed, duplicate window, request rate — read and changed
// per world (world=W); reset=true puts the defaults back.
import { defaultRules, type WriteRules } from '../../db/rules.js';
import { bool, num, Refusal, type Control } from './context.js';

const NUMBERS = ['maxContentBytes', 'urlBytes', 'postBurst', 'postWindowSeconds', 'duplicateWindowSeconds', 'rateLimit', 'rateWindowSeconds'] as const;
const LISTS = ['dirtyWords', 'spamPatterns'] as const;
const LIST_MAX = 200;
const ITEM_MAX = 200;

function list(v: unknown, name: string): string[] | undefined {
  if (v === undefined) return undefined;
  const items = typeof v === 'string' ? (v === '' ? [] : v.split(',')) : v;
  if (!Array.isArray(items) || !items.every((x) => typeof x === 'string')) throw new Refusal(400, `${name} must be a list of strings`);
  if (items.length > LIST_MAX) throw new Refusal(400, `${name} holds at most ${LIST_MAX} items`);
  for (const x of items) if (x.length > ITEM_MAX) throw new Refusal(400, `${name}: an item is longer than ${ITEM_MAX} characters`);
  return items as string[];
}

export function registerRules({ route, scope }: Control): void {
  route('GET', 'rules', ['world'], (_req, _reply, o) => scope(o).world.rules);
  route('POST', 'rules', ['world', 'reset', ...NUMBERS, ...LISTS], (_req, _reply, o) => {
    const rules = scope(o).world.rules;
    // everything is read and checked before anything changes
    const next: WriteRules = bool(o.reset, 'reset') ? defaultRules() : { ...rules };
    for (const k of NUMBERS) {
      const v = num(o[k], k, { int: true, min: 0, max: 1e9 });
      if (v !== undefined) next[k] = v;
    }
    for (const k of LISTS) {
      const v = list(o[k], k);
      if (v !== undefined) next[k] = v;
    }
    for (const p of next.spamPatterns) {
      try {
        new RegExp(p, 'i');
      } catch (e) {
        throw new Refusal(400, `spamPatterns: ${(e as Error).message}`);
      }
    }
    if (next.maxContentBytes < 1) throw new Refusal(400, 'maxContentBytes must be >= 1');
    Object.assign(rules, next);
    return rules;
  });
}
