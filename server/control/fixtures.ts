// POST /_emulator/fixtures: loads declared apps, users, relations, tweets, private messages and
// fixed tokens (db/fixtures.ts) into the world named by world=; the body is a fixtures document
// (JSON). Loading again changes nothing; reset applies them again.
import { applyFixtures, FIXTURE_SECTIONS, parseFixtures } from '../../db/fixtures.js';
import { worldCounts } from '../../db/transfer.js';
import type { Control } from './context.js';

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
  });
}
