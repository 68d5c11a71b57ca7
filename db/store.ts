import { linkSync, rmSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { migrations } from './migrations.js';
import { Clock } from './clock.js';
import { openSqlite, type DB } from './sqlite.js';
import { targetOf, writeGraph, type WriteGraph } from './written.js';

export type { DB };

/**
 * Opens (or creates) a SQLite store and brings its schema up to date. With `image` (a serialized
 * store, seed/cache.ts), an in-memory store opens as a copy of it and a new file starts as it.
 */
export function openDatabase(path: string, image?: Buffer): DB {
  if (image && path !== ':memory:') createFrom(path, image);
  const db = openSqlite(image && path === ':memory:' ? image : path);
  if (path !== ':memory:') {
    db.pragma('journal_mode = WAL');
    // a 1M-tweet store is ~0.5 GB: a larger page cache and memory-mapped reads keep its hot
    // indexes out of read() calls (bench/results.md, scale section)
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 1073741824');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Creates the file `path` holding `image`, unless it appeared meanwhile (another process made it). */
function createFrom(path: string, image: Buffer): void {
  const tmp = `${path}.${process.pid}.new`;
  writeFileSync(tmp, image);
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Moves the WAL's pages into the store file and empties the WAL (the file alone holds the state). */
export function checkpoint(db: DB): void {
  if (!db.memory) db.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Makes `db.prepare` reuse compiled statements: the query modules call `prepare(sql)` where they
 * use it, and compiling there on every request was the largest cost of a read (profiled with
 * bench/run.ts). SQL text only ever carries bound parameters, so the set of texts is small; the
 * cache is still bounded so generated `IN (?, ?, …)` lists cannot grow it without end. Safe
 * because no caller toggles a statement's mode (pluck/raw/expand) or holds an iterator open.
 * Reads also build their row objects in JS from raw rows (see rowMaker): better-sqlite3's own
 * row objects cost ~40 % more per row, the bulk of a timeline's store time.
 */
const cached = new WeakSet<DB>();
export function cacheStatements(db: DB, limit = 1000): void {
  if (cached.has(db)) return;
  cached.add(db);
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const version = trackWrites(db, compile);
  // a transaction that throws is rolled back: the writes it counted are undone, and a lookup
  // remembered inside it (after its writes) would hold what the store no longer holds
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...a: unknown[]) => unknown) =>
    transaction(function (this: unknown, ...a: unknown[]) {
      try {
        return fn.apply(this, a);
      } catch (e) {
        wrote(version, undefined);
        throw e;
      }
    })) as DB['transaction'];
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = compile(sql);
      if (stmt.reader) fastRows(stmt, compile(sql));
      if (!stmt.readonly && !sql.startsWith(BOOKKEEPING)) countWrites(stmt, sql, version);
      if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as DB['prepare'];
}

/**
 * Marks a statement that writes only bookkeeping no answer shows (the OAuth 1.0a nonces every
 * signed call records): it leaves the data version alone, so kept answers (server/answers.ts)
 * outlive it.
 */
export const BOOKKEEPING = '/* bookkeeping */ ';

interface WriteCount {
  writes: number;
  /** writes whose tables are not known (exec(), a statement not of the plain forms): every table's version moves */
  anyTable: number;
  /** this process's writes per table, the tables their triggers and foreign-key actions write included */
  byTable: Map<string, number>;
  /** the schema's write graph, read again after any write of unknown tables (it may have changed the schema) */
  graph?: WriteGraph;
  compile: DB['prepare'];
  /** PRAGMA data_version: changes when another connection (another process) commits to the file */
  others?: Database.Statement;
}
const versions = new WeakMap<DB, WriteCount>();

function trackWrites(db: DB, compile: DB['prepare']): WriteCount {
  const v: WriteCount = { writes: 0, anyTable: 0, byTable: new Map(), compile, others: db.memory ? undefined : compile('PRAGMA data_version').pluck() };
  versions.set(db, v);
  const exec = db.exec.bind(db);
  db.exec = ((sql: string) => {
    wrote(v, undefined);
    return exec(sql);
  }) as DB['exec'];
  return v;
}

function wrote(v: WriteCount, target: string | undefined): void {
  v.writes++;
  const tables = target === undefined ? undefined : (v.graph ??= writeGraph(v.compile)).get(target);
  if (!tables) {
    v.anyTable++;
    v.graph = undefined;
  } else for (const t of tables) v.byTable.set(t, (v.byTable.get(t) ?? 0) + 1);
}

/** Every way a writing statement runs counts as a write (before it runs: a failed write counts too). */
function countWrites(stmt: Database.Statement, sql: string, v: WriteCount): void {
  const target = targetOf(sql);
  for (const m of ['run', 'get', 'all', 'iterate'] as const) {
    const f = stmt[m].bind(stmt) as (...a: unknown[]) => unknown;
    Object.assign(stmt, { [m]: (...a: unknown[]) => (wrote(v, target), f(...a)) });
  }
}

/**
 * A number that changes whenever the store's data may have changed: this process's writing
 * statements and exec() calls (but BOOKKEEPING ones), plus other connections' commits to a file
 * store. Both parts only grow, so an unchanged sum means unchanged data. Stores opened without
 * cacheStatements (no World) have no version: NaN, equal to nothing.
 */
export function dataVersion(db: DB): number {
  const v = versions.get(db);
  if (!v) return NaN;
  return v.others ? v.writes + (v.others.get() as number) : v.writes;
}

/** dataVersion narrowed to one table: this process's writes that may change it, and every other. */
function tableVersion(v: WriteCount, table: string): number {
  const mine = v.anyTable + (v.byTable.get(table) ?? 0);
  return v.others ? mine + (v.others.get() as number) : mine;
}

interface Remembered {
  version: number;
  values: Map<string | number, unknown>;
}
const rememberedOf = new WeakMap<DB, Map<string, Remembered>>();
/** Entries one lookup keeps at most (a flood of unknown tokens cannot grow it without end). */
const REMEMBERED_MAX = 10_000;

/**
 * `compute(key)` for a point lookup every authenticated call repeats (its token, app, user,
 * openid), remembered while `table`, the one table it reads, is unchanged: a write of this
 * process that may change that table (by its own statement, a trigger or a foreign-key action:
 * db/written.ts), any write whose tables are not known, or a commit of another connection forgets
 * its remembered values, so a lookup never answers what the store no longer holds. A t/add
 * leaves the apps, tokens and users remembered. A value whose computing wrote is not kept.
 * Values are frozen: callers share them. Stores without a version (no cacheStatements) compute always.
 */
export function remember<V>(db: DB, table: string, key: string | number, compute: () => V): V {
  const v = versions.get(db);
  if (!v) return compute();
  const version = tableVersion(v, table);
  let byTable = rememberedOf.get(db);
  if (!byTable) rememberedOf.set(db, (byTable = new Map()));
  let r = byTable.get(table);
  if (!r || r.version !== version) byTable.set(table, (r = { version, values: new Map() }));
  if (r.values.has(key)) return r.values.get(key) as V;
  const writes = v.writes;
  const value = compute();
  if (v.writes !== writes || tableVersion(v, table) !== version) return value;
  if (r.values.size >= REMEMBERED_MAX) r.values.clear();
  r.values.set(key, deepFreeze(value));
  return value;
}

function deepFreeze<V>(v: V): V {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Replaces a reading statement's get/all by the same query run raw on `twin`, rows made in JS. */
function fastRows(stmt: Database.Statement, twin: Database.Statement): void {
  twin.raw(true);
  const make = rowMaker(twin.columns().map((c) => c.name));
  const get = (...args: unknown[]) => {
    const r = twin.get(...args) as unknown[] | undefined;
    return r === undefined ? undefined : make(r);
  };
  const all = (...args: unknown[]) => (twin.all(...args) as unknown[][]).map(make);
  Object.assign(stmt, { get, all });
}

/**
 * A function from a raw row to an object with these keys, in order (a later duplicate name wins,
 * as in better-sqlite3's own rows). Generated once per statement so every row shares one shape;
 * the names come from SQL text written in this code base and are quoted as JSON string literals.
 */
function rowMaker(names: string[]): (r: unknown[]) => Record<string, unknown> {
  const body = `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')}};`;
  return new Function('r', body) as (r: unknown[]) => Record<string, unknown>;
}

/**
 * Rows for many ids: `sql(marks)` with `marks` a `?,?,…` list, run once per chunk of 100
 * distinct ids (few statement texts for the cache, far below SQLite's parameter limit).
 */
export function selectIn<T>(db: DB, ids: readonly number[], sql: (marks: string) => string): T[] {
  const unique = [...new Set(ids)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    out.push(...(db.prepare(sql(chunk.map(() => '?').join(','))).all(...chunk) as T[]));
  }
  return out;
}

export function migrate(db: DB): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

export function schemaVersion(db: DB): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export { Clock };
