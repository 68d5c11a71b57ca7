// Seeded worlds are deterministic, so each (seed, size, code) is generated once and kept as a
// SQLite image: a start opens it (`new Database(bytes)`) instead of generating rows again. The
// key hashes the seed, the size, the schema version and the text of every module under db/ and
// seed/ (whatever form runs: sources through tsx or dist/), so an edited generator, store or
// migration never opens an old image. Images go to EMU_CACHE_DIR, by default
// node_modules/.cache/tencent-open-emulator; where that is not writable (a read-only image, the
// Docker runtime user) the world is seeded as before and nothing is kept.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type DB } from '../db/store.js';
import { fileImage, type Image } from '../db/images.js';
import { migrations } from '../db/migrations.js';
import { writeOrigin } from '../db/origin.js';
import { openSqlite } from '../db/sqlite.js';
import { World } from '../db/world.js';
import { cacheDirFrom, keepInCache, packageRoot } from '../server/cache_dir.js';
import { seedWorld, worldSize, type SeedOptions } from './generate.js';

/** Worlds above this many tweets are not kept (a 1 M-tweet image is ~0.5 GB: seed those to a file). */
export const CACHED_TWEETS_MAX = 200_000;

const here = dirname(fileURLToPath(import.meta.url));

export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string => cacheDirFrom(here, env);

/** true in the one-file build (`npm run bundle` defines it): this module is then that whole file */
declare const __BUNDLED__: boolean;

let codeHash: string | undefined;

/** The file a build (npm run build) records the generator hash of the sources it compiled in. */
export const HASH_FILE = join('dist', 'generator-hash.txt');

/** A hash of the TypeScript sources a seeded world is made by (db/ and seed/ under `root`). */
export const sourcesHash = (root: string): string => hashFiles([join(root, 'db'), join(root, 'seed')], /\.ts$/);

/** sha256 over the names and contents of the files in `dirs` whose names match, in name order. */
function hashFiles(dirs: string[], names: RegExp): string {
  const h = createHash('sha256');
  for (const dir of dirs) {
    for (const name of readdirSync(dir).filter((n) => names.test(n)).sort()) {
      h.update(name).update('\0').update(readFileSync(join(dir, name))).update('\0');
    }
  }
  return h.digest('hex');
}

/**
 * A hash of the code a seeded world is made by. The sources (through tsx) hash themselves; a
 * build records the same hash of the sources it compiled (dist/generator-hash.txt), so the
 * bundle, dist/ and the sources share one image — the Docker image's, made at build time, is
 * the one its start command finds. A build without the record hashes its own code.
 */
function generatorHash(): string {
  if (codeHash) return codeHash;
  const fromSources = import.meta.url.endsWith('.ts');
  if (fromSources) return (codeHash = sourcesHash(join(here, '..')));
  try {
    const recorded = readFileSync(join(packageRoot(here), HASH_FILE), 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(recorded)) return (codeHash = recorded);
  } catch {
    /* not recorded: hash what runs */
  }
  if (typeof __BUNDLED__ !== 'undefined' && __BUNDLED__) return (codeHash = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex'));
  return (codeHash = hashFiles([join(here, '..', 'db'), here], /\.(ts|js)$/));
}

/** The cache file name of a world: seed, size and schema version readable, the code hash after them. */
export function imageName(o: SeedOptions): string {
  const schema = migrations[migrations.length - 1].version;
  const key = createHash('sha256').update(`${o.seed}\0${o.size}\0${schema}\0${generatorHash()}`).digest('hex').slice(0, 16);
  return `world-s${o.seed}-${o.size}-v${schema}-${key}.sqlite`;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');

/**
 * The seeded image of a world: read from the cache, or generated now and kept there. Undefined
 * for worlds too large to keep (the caller seeds those itself).
 */
export function seededImage(o: SeedOptions, dir = cacheDir()): Buffer | undefined {
  if (worldSize(o.size).tweets > CACHED_TWEETS_MAX) return undefined;
  const name = imageName(o);
  const file = join(dir, name);
  try {
    const bytes = readFileSync(file);
    if (bytes.subarray(0, 16).equals(SQLITE_MAGIC)) return bytes;
  } catch {
    /* not cached yet */
  }
  const world = new World(openDatabase(':memory:'));
  seedWorld(world, o);
  const bytes = world.db.serialize();
  world.db.close();
  // written atomically (other processes may read or write the same name at once); the oldest beyond KEPT dropped
  keepInCache(dir, name, () => bytes, /^world-.*\.sqlite$/, KEPT);
  return bytes;
}

/** The seeded image of a world, kept or not (worlds too large to keep are generated in memory). */
export function seededBytes(o: SeedOptions): Buffer {
  const kept = seededImage(o);
  if (kept) return kept;
  const world = new World(openDatabase(':memory:'));
  seedWorld(world, o);
  const bytes = world.db.serialize();
  world.db.close();
  return bytes;
}

/**
 * The seeded state of a world as a file image (db/images.ts) beside the store `beside`: reset of a
 * store file puts it back with SQLite's backup API. Held open read-only and unlinked, like a
 * saved state: no memory, nothing left behind. A 1 M-tweet world's seed as bytes was ~0.5 GB of
 * memory, and copying it into the file row by row made every reset ~6 s (bench/results.md).
 */
export function seededFileImage(beside: DB, o: SeedOptions): Image {
  return fileImage(beside, (file) => {
    const kept = seededImage(o);
    let db: DB;
    if (kept) {
      writeFileSync(file, kept);
      db = openSqlite(file);
    } else {
      const world = new World(openDatabase(file));
      seedWorld(world, o);
      db = world.db;
    }
    // the image is put back page by page, world_meta with it: it says its seed, so the store
    // still resets to that seed after the next restart (an image without it lost the origin)
    writeOrigin(db, { seed: o.seed, size: String(o.size) });
    // a rollback journal: the read-only copy then needs no -wal / -shm files
    db.pragma('journal_mode = DELETE');
    db.close();
  });
}

/** Images kept at most: the sources (tsx), dist/ and the bundle each have their own key. */
const KEPT = 12;

