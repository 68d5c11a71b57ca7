// Every store handle opens its native addon by path (db/sqlite.ts): the `bindings` package, which
// better-sqlite3 would load to search for the addon at the first open, stays unloaded.
import t from 'tap';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/store.js';
import { worldFromImage } from '../../db/images.js';

const loaded = (): string[] => Object.keys(createRequire(import.meta.url).cache).filter((f) => /[\\/]node_modules[\\/]bindings[\\/]/.test(f));

t.test('a memory store, a file store and an image open without the bindings search', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-sqlite-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const memory = openDatabase(':memory:');
  const file = openDatabase(join(dir, 'world.sqlite'));
  const copy = worldFromImage(memory.serialize());
  t.same(copy.db.prepare('SELECT 1 AS one').get(), { one: 1 }, 'the image opens and answers');
  t.same(file.prepare('PRAGMA journal_mode').get(), { journal_mode: 'wal' }, 'the file store is set up');
  t.same(loaded(), [], 'bindings not loaded');
  for (const db of [memory, file, copy.db]) db.close();
});
