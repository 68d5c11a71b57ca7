// A world as plain rows and back: the control plane's export and import (JSON, BLOBs as base64).
import { openDatabase, schemaVersion } from './store.js';
import { rebuildCounters } from './counters.js';
import { tableNames } from './images.js';
import { InvalidData } from './errors.js';
import { World } from './world.js';
import type { Clock } from './clock.js';

/** Every table's rows; BLOBs as {"$base64": "..."}. */
export function exportWorld(w: World): { schemaVersion: number; tables: Record<string, Record<string, unknown>[]> } {
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const t of tableNames(w.db)) {
    tables[t] = (w.db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).map((row) => {
      for (const [k, v] of Object.entries(row)) {
        if (Buffer.isBuffer(v)) row[k] = { $base64: v.toString('base64') };
        else if (typeof v === 'bigint') row[k] = Number(v);
      }
      return row;
    });
  }
  return { schemaVersion: schemaVersion(w.db), tables };
}

/** A new in-memory world holding exactly the exported rows; InvalidData names what is wrong. */
export function importWorld(data: unknown, clock: Clock): World {
  if (!data || typeof data !== 'object' || typeof (data as { tables?: unknown }).tables !== 'object' || !(data as { tables?: unknown }).tables) {
    throw new InvalidData('body must be an export: {"schemaVersion": n, "tables": {...}}');
  }
  const { tables, schemaVersion: sv } = data as { tables: Record<string, unknown>; schemaVersion?: unknown };
  const db = openDatabase(':memory:');
  const current = schemaVersion(db);
  if (sv !== undefined && sv !== current) {
    db.close();
    throw new InvalidData(`schemaVersion ${String(sv)} does not match this emulator's ${current}`);
  }
  const known = new Set(tableNames(db));
  try {
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      for (const t of known) db.prepare(`DELETE FROM "${t}"`).run();
      for (const [t, rows] of Object.entries(tables)) {
        if (!known.has(t)) throw new InvalidData(`unknown table ${t}`);
        if (!Array.isArray(rows)) throw new InvalidData(`tables.${t} must be an array`);
        const cols = new Set((db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => c.name));
        for (const row of rows) {
          if (!row || typeof row !== 'object') throw new InvalidData(`tables.${t} holds a non-object row`);
          const entries = Object.entries(row as Record<string, unknown>);
          for (const [k] of entries) if (!cols.has(k)) throw new InvalidData(`unknown column ${t}.${k}`);
          const values = entries.map(([, v]) => {
            if (v && typeof v === 'object' && typeof (v as { $base64?: unknown }).$base64 === 'string') return Buffer.from((v as { $base64: string }).$base64, 'base64');
            if (v !== null && typeof v === 'object') return JSON.stringify(v);
            if (typeof v === 'boolean') return v ? 1 : 0;
            return v;
          });
          db.prepare(`INSERT INTO "${t}" (${entries.map(([k]) => `"${k}"`).join(',')}) VALUES (${entries.map(() => '?').join(',')})`).run(...(values as unknown[]));
        }
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length) throw new InvalidData(`the import breaks ${broken.length} foreign key reference(s)`);
      rebuildCounters(db);
    })();
    db.pragma('foreign_keys = ON');
  } catch (e) {
    db.close();
    if (e instanceof InvalidData) throw e;
    throw new InvalidData(`import failed: ${(e as Error).message}`);
  }
  return new World(db, clock);
}

/** Row counts of the main tables (info, reset and world listings show them). */
export function worldCounts(w: World): Record<string, number> {
  const c = (sql: string) => (w.db.prepare(sql).get() as { n: number }).n;
  return {
    apps: c('SELECT COUNT(*) AS n FROM apps'),
    users: c('SELECT COUNT(*) AS n FROM users'),
    tweets: c('SELECT COUNT(*) AS n FROM tweets'),
    follows: c('SELECT COUNT(*) AS n FROM follows'),
    private_messages: c('SELECT COUNT(*) AS n FROM private_messages'),
    files: c('SELECT COUNT(*) AS n FROM files'),
    oauth2_tokens: c('SELECT COUNT(*) AS n FROM oauth2_tokens'),
    oauth1_tokens: c('SELECT COUNT(*) AS n FROM oauth1_tokens'),
  };
}
