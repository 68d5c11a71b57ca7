// GET/POST /_emulator/rules: a world's write rules and rate limit (db/rules.ts) — content bytes,
// dirty words, spam patterns, posting speed, duplicate window, request rate — read and changed
// per world (world=W); reset=true puts the defaults back.
import { defaultRules, type WriteRules } from '../../db/rules.js';
import { bool, num, Refusal, WORLD_FIELD, type Control, type ControlDoc } from './context.js';

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

const RULE_FIELDS: Record<(typeof NUMBERS)[number] | (typeof LISTS)[number], Record<string, unknown>> = {
  maxContentBytes: { type: 'integer', minimum: 1, maximum: 1e9, description: 'longest content in UTF-8 bytes, a URL counted as urlBytes (errcode 8)' },
  urlBytes: { type: 'integer', minimum: 0, maximum: 1e9, description: 'bytes a URL in the content counts for' },
  postBurst: { type: 'integer', minimum: 0, maximum: 1e9, description: 'posts per user within postWindowSeconds before errcode 10; 0 disables' },
  postWindowSeconds: { type: 'integer', minimum: 0, maximum: 1e9 },
  duplicateWindowSeconds: { type: 'integer', minimum: 0, maximum: 1e9, description: "the same content as the user's previous post within this many seconds is errcode 13; 0 disables" },
  rateLimit: { type: 'integer', minimum: 0, maximum: 1e9, description: 'open.t.qq.com calls per (app, user) within rateWindowSeconds before ret 2; 0 disables' },
  rateWindowSeconds: { type: 'integer', minimum: 0, maximum: 1e9 },
  dirtyWords: { type: 'array', maxItems: LIST_MAX, items: { type: 'string', maxLength: ITEM_MAX }, description: 'case-insensitive words that make a post dirty (errcode 4); a comma-separated string in a form' },
  spamPatterns: { type: 'array', maxItems: LIST_MAX, items: { type: 'string', maxLength: ITEM_MAX }, description: 'regular expressions (case-insensitive) that mark a post as spam (errcode 9)' },
};
const RULES_ANSWER = {
  type: 'object',
  required: [...NUMBERS, ...LISTS],
  properties: RULE_FIELDS,
};
const RULES_DOC: ControlDoc = { summary: "a world's write rules and open.t.qq.com rate limit", query: { world: WORLD_FIELD }, answer: RULES_ANSWER };
const RULES_SET_DOC: ControlDoc = {
  summary: "change a world's write rules (only the fields sent; everything is checked before anything changes); reset=true puts the defaults back first",
  body: { world: WORLD_FIELD, reset: { type: 'boolean' }, ...RULE_FIELDS },
  example: { duplicateWindowSeconds: 0, postBurst: 0 },
  answer: RULES_ANSWER,
};

export function registerRules({ route, scope }: Control): void {
  route('GET', 'rules', ['world'], (_req, _reply, o) => scope(o).world.rules, RULES_DOC);
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
  }, RULES_SET_DOC);
}
