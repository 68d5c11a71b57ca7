// The emulator's cache folder: seeded world images (seed/cache.ts) and the one-file build's
// compiled code (server/code_cache.ts). EMU_CACHE_DIR, by default node_modules/.cache/
// tencent-open-emulator under the package root. What is kept there is only ever a shortcut:
// where the folder cannot be written, a start does the work again and keeps nothing.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root: the nearest folder at or above `from` holding package.json. */
export function packageRoot(from: string): string {
  let d = from;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** The cache folder for code living in `from` (a module's own folder). */
export const cacheDirFrom = (from: string, env: NodeJS.ProcessEnv = process.env): string =>
  env.EMU_CACHE_DIR || join(packageRoot(from), 'node_modules', '.cache', 'tencent-open-emulator');

/**
 * Writes `name` in the cache folder `dir` atomically (other processes may read or write the same
 * name at once), then drops the oldest of its `family` beyond `kept` (the new one counted). The
 * bytes are made only once the folder exists. An unwritable folder keeps nothing and says nothing:
 * the next start does the work again.
 */
export function keepInCache(dir: string, name: string, bytes: () => Buffer, family: RegExp, kept: number): void {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, bytes());
    renameSync(tmp, join(dir, name));
    const files = readdirSync(dir)
      .filter((n) => family.test(n))
      .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const old of files.slice(kept)) rmSync(join(dir, old.n), { force: true });
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* there was no folder to write it in */
    }
  }
}

/**
 * What the one-file build's start found in the cache for its code (server/code_cache.ts sets it,
 * GET /_emulator/info shows it): `used` (V8 took it), `missing` (kept after this start) or
 * `refused` (V8 refused it: another node or V8 flags; kept again). Unset in other builds.
 */
export const CODE_CACHE_STATE = Symbol.for('tencent-open-emulator.codeCache');
export type CodeCacheState = 'used' | 'missing' | 'refused';
