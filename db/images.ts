// Saved states of a store (the reset template, snapshots) and putting one back.
//
// An in-memory store keeps a serialized image: copied and reopened in milliseconds. A
// file-backed store keeps a compacted copy of its file (VACUUM INTO, beside the file), held open
// read-only and unlinked at once, so it costs no memory and a killed emulator leaves nothing
// behind; it is put back page by page with SQLite's backup API, then checkpointed. Keeping a
// 1 M-tweet world's image in memory cost 316 MB, and restoring it row by row took 28 s; now a
// reset takes ~1.5 s (bench/results.md).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openSqlite } from './sqlite.js';
import { checkpoint, type DB } from './store.js';
import { withCountersSuspended } from './counters.js';
import { World } from './world.js';
import { Clock } from './clock.js';

export type Image = { kind: 'memory'; bytes: Buffer } | { kind: 'file'; copy: DB; size: number; dir: string };

/**
 * A new folder for a short-lived copy of a file store, beside the store: writable wherever the
 * store is (SQLite writes its WAL there) and on the same disk, whatever TMPDIR is.
 */
export const scratchDir = (db: DB): string => mkdtempSync(join(dirname(resolve(db.name)), '.emu-image-'));

/** The store's current state, kept the way that suits its kind. */
export function saveImage(db: DB): Image {
  if (db.memory) return { kind: 'memory', bytes: db.serialize() };
  return fileImage(db, (file) => db.prepare('VACUUM INTO ?').run(file));
}

/**
 * A file image of a store whose copy `write(file)` makes in a scratch folder beside `beside`:
 * opened read-only, its folder removed at once (the open handle keeps the file's pages).
 */
export function fileImage(beside: DB, write: (file: string) => void): Image {
  const dir = scratchDir(beside);
  const file = join(dir, 'image.sqlite');
  try {
    write(file);
    const size = statSync(file).size;
    const copy = openSqlite(file, { readonly: true, fileMustExist: true });
    try {
      // where an open file cannot be removed (Windows), dropImage removes it
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* removed by dropImage */
    }
    return { kind: 'file', copy, size, dir };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The image as serialized bytes (to open an in-memory world from it). */
export const imageBytes = (i: Image): Buffer => (i.kind === 'memory' ? i.bytes : i.copy.serialize());

export const imageSize = (i: Image): number => (i.kind === 'memory' ? i.bytes.length : i.size);

/** Frees what an image holds. */
export function dropImage(i: Image): void {
  if (i.kind !== 'file') return;
  if (i.copy.open) i.copy.close();
  rmSync(i.dir, { recursive: true, force: true });
}

/**
 * Overwrites the file-backed store `db` with a file image, in place: other connections to the
 * file (other processes) see the restored state, and the store stays in WAL mode. The backup
 * runs over two turns of the event loop; callers hold requests back until it is done
 * (server/control/), since a write from this process in between would wait on the backup's lock.
 */
export async function restoreFile(db: DB, i: Extract<Image, { kind: 'file' }>): Promise<void> {
  await i.copy.backup(db.name, { progress: () => 0x7fffffff });
  // the backup commits through its own short-lived connection, which never checkpoints: without
  // this every reset appended a whole copy of the store to the WAL (75 MB after 60 resets of the
  // small world, the store file itself still empty)
  checkpoint(db);
}

/** The tables a copy carries. */
export function tableNames(db: DB): string[] {
  // counters are derived from the other tables (db/counters.ts): not exported, recounted after copies;
  // world_meta says what the store was seeded from (db/origin.ts): it stays with the store
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('counters', 'world_meta') ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
}

/** Opens a world from a serialized database image. */
export function worldFromImage(bytes: Buffer, clock = new Clock()): World {
  const db = openSqlite(bytes);
  db.pragma('foreign_keys = ON');
  return new World(db, clock);
}

/** Replaces every table's rows of `db` by those of a serialized image (same schema), in one transaction. */
export function copyInto(db: DB, image: Buffer): void {
  const dir = scratchDir(db);
  const file = join(dir, 'image.sqlite');
  writeFileSync(file, image);
  db.pragma('foreign_keys = OFF');
  try {
    db.prepare('ATTACH DATABASE ? AS src').run(file);
    try {
      // without the counting triggers (recounted once at the end) the deletes truncate and the
      // inserts copy whole b-trees: 28 s → 6.4 s for a 1 M-tweet image
      db.transaction(() =>
        withCountersSuspended(db, () => {
          for (const t of tableNames(db)) {
            db.prepare(`DELETE FROM main."${t}"`).run();
            db.prepare(`INSERT INTO main."${t}" SELECT * FROM src."${t}"`).run();
          }
          const hasSeq = (schema: string) => !!db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE name = 'sqlite_sequence'`).get();
          if (hasSeq('main')) {
            db.prepare('DELETE FROM main.sqlite_sequence').run();
            if (hasSeq('src')) db.prepare('INSERT INTO main.sqlite_sequence SELECT * FROM src.sqlite_sequence').run();
          }
        }),
      )();
    } finally {
      db.prepare('DETACH DATABASE src').run();
    }
  } finally {
    db.pragma('foreign_keys = ON');
    rmSync(dir, { recursive: true, force: true });
  }
}
