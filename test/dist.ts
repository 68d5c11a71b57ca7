// Whether dist/ (what `npm run build` wrote: npm ci's prepare step, bin/prepare.js, runs it) is
// current: the compiled file exists and is newer than every .ts source it is built from, the
// rule bin/tencent-open-emulator.js applies before it runs dist/ (a checkout edited since its
// last build is stale). Tests that need the compiled server reuse a fresh dist/ and build their
// own copy only when it is missing or stale.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from '../bin/sources.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `file` (relative to the root, e.g. dist/server/start.js) exists and is newer than every source. */
export function freshDist(file = 'dist/server/start.js', root = ROOT): boolean {
  const f = join(root, file);
  return existsSync(f) && statSync(f).mtimeMs >= newestSource(root);
}

/**
 * The server as a process, the way `npm start` runs it: bin/tencent-open-emulator.js, which runs
 * the one-file bundle dist/tencent-open-emulator.js when it is fresh and the TypeScript sources
 * through tsx otherwise (in this process: signals reach the server). Spawn it with
 * `spawn(process.execPath, [START, ...flags])`; `node --import tsx server/start.ts` (`npm run dev`)
 * is what test/hosting/operator.test.ts and test/hosting/bin.test.ts also start from the sources.
 */
export const START = join(ROOT, 'bin', 'tencent-open-emulator.js');

/**
 * The one-file build (`npm run bundle`, bin/bundle.js; what `npm start` and the Docker image run)
 * written to `outfile`: the Docker tests' own build of a checkout whose dist/ is stale.
 */
export function bundleInto(outfile: string, root = ROOT): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(root, 'bin', 'bundle.js'), outfile], { cwd: root, encoding: 'utf8', timeout: 120_000 });
}

/**
 * A one-file build of this checkout to start: dist/'s bundle when it is fresh, else this checkout
 * bundled into a scratch folder under node_modules/.cache (which resolves node_modules as dist/
 * does; `prefix` names it). `drop` removes the scratch folder, and nothing of dist/.
 */
export function bundleOfCheckout(prefix: string): { bundle: string; drop: () => void } {
  if (freshDist('dist/tencent-open-emulator.js')) return { bundle: join(ROOT, 'dist', 'tencent-open-emulator.js'), drop: () => {} };
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', prefix));
  const drop = () => rmSync(dir, { recursive: true, force: true });
  const b = bundleInto(join(dir, 'tencent-open-emulator.js'));
  if (b.status !== 0) {
    drop();
    throw new Error(`bundle: ${b.stdout}${b.stderr}`);
  }
  return { bundle: join(dir, 'tencent-open-emulator.js'), drop };
}
