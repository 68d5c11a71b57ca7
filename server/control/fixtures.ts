// POST /_emulator/fixtures: loads declared apps, users, relations, tweets, private messages and
// fixed tokens (db/fixtures.ts) into the world named by world=; the body is a fixtures document
// (JSON). Loading again changes nothing; reset applies them again.
import { applyFixtures, FIXTURE_SECTIONS, parseFixtures } from '../../db/fixtures.js';
import { worldCounts } from '../../db/transfer.js';
import { COUNTS, WORLD_FIELD, type Control, type ControlDoc } from './context.js';

const LIST = (description: string) => ({ type: 'array', items: { type: 'object' }, description }) as const;
const N = { type: 'integer' } as const;
const FIXTURES_DOC: ControlDoc = {
  summary: 'load declared apps, users, relations, tweets, private messages and fixed-value tokens (the --fixtures document, README "Fixtures"); idempotent, applied again on reset',
  body: {
    apps: LIST('appid, secret, name, platform (graph|weibo), redirectUris, grantedApis, unionid'),
    users: LIST('name, nick, sex, location, introduction, isvip'),
    relations: LIST('fan, idol, special'),
    tweets: LIST('author, text, id (optional, fixed)'),
    privateMessages: LIST('from, to, text'),
    tokens: LIST('graph: platform, appid, user, access_token, refresh_token, scope; weibo: platform, appid, user, oauth_token, oauth_token_secret'),
    world: WORLD_FIELD,
  },
  example: { users: [{ name: 'docsfixture', nick: 'Docs Fixture' }], relations: [{ fan: 'docsfixture', idol: 'alice' }] },
  answer: {
    type: 'object',
    required: ['world', 'created', 'counts'],
    properties: {
      world: { type: 'string' },
      created: { type: 'object', description: 'rows each section created (all 0 on a reload)', properties: { apps: N, users: N, relations: N, tweets: N, privateMessages: N, tokens: N } },
      counts: COUNTS,
    },
  },
};

export function registerFixtures({ route, scope }: Control): void {
  route('POST', 'fixtures', ['world', ...FIXTURE_SECTIONS], (_req, _reply, o) => {
    const s = scope(o);
    const { world: _w, ...doc } = o;
    const fixtures = parseFixtures(doc, 'body');
    const created = applyFixtures(s.world, fixtures, 'body');
    // kept once: a reload of the same document is not applied twice on reset
    const key = JSON.stringify(fixtures);
    if (!s.ctl.fixtures.some((f) => JSON.stringify(f.fixtures) === key)) s.ctl.fixtures.push({ fixtures, source: 'body' });
    return { world: s.id, created, counts: worldCounts(s.world) };
  }, FIXTURES_DOC);
}
