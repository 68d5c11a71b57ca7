// Which seed a world was made from, kept in the store itself (table world_meta; PRAGMA
// user_version is the schema's): reset of a file world returns to that seed, and a restart
// with other --seed/--size flags is told that the file holds another world.
import type { DB } from './store.js';

export interface Origin {
  seed: number;
  size: string;
}

/** The seed and size the store was created from; undefined for files made before they were kept. */
export function readOrigin(db: DB): Origin | undefined {
  const rows = db.prepare(`SELECT key, value FROM world_meta WHERE key IN ('seed', 'size')`).all() as { key: string; value: string }[];
  const m = new Map(rows.map((r) => [r.key, r.value]));
  const seed = Number(m.get('seed'));
  const size = m.get('size');
  return size !== undefined && Number.isInteger(seed) ? { seed, size } : undefined;
}

export function writeOrigin(db: DB, o: Origin): void {
  const put = db.prepare('INSERT INTO world_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  db.transaction(() => {
    put.run('seed', String(o.seed));
    put.run('size', o.size);
  })();
}
