// Every SQLite handle of the store opens here. better-sqlite3 finds its native addon through the
// `bindings` package, which loads from node_modules and searches a dozen paths named from a stack
// trace at the first open (~4 % of a start's CPU profile with better-sqlite3's own modules, read
// from node_modules too). The addon sits where its build puts it (node-gyp's and prebuild-install's
// build/Release), so it is named here; the one-file build carries better-sqlite3's JavaScript in
// it (bin/bundle.js), where `bindings` would search beside the bundle. Elsewhere, `bindings`
// searches better-sqlite3's own folder, as it would for better-sqlite3.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type DB = Database.Database;

let addon: string | object | undefined;

function nativeBinding(): string | object {
  if (addon === undefined) {
    const pkg = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
    const root = dirname(pkg);
    const file = join(root, 'build', 'Release', 'better_sqlite3.node');
    addon = existsSync(file) ? file : (createRequire(pkg)('bindings') as (o: object) => object)({ bindings: 'better_sqlite3.node', module_root: root });
  }
  return addon;
}

/** A handle on a store file, ':memory:', or a serialized image (an in-memory copy of it). */
export function openSqlite(source: string | Buffer, options: Database.Options = {}): DB {
  // better-sqlite3 takes the addon object too (its database.js); its types name only the path
  return new Database(source, { ...options, nativeBinding: nativeBinding() as string });
}
