// The freshness rule of a build: the newest mtime of the .ts sources the server is built from
// (server/, routes/, db/, seed/). bin/tencent-open-emulator.js runs dist/ only when it is newer;
// tests that reuse dist/ apply the same rule (test/dist.ts). Dependency-free: it runs before
// anything is built.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest mtime of the .ts sources under `root` (0 when there are none). */
export function newestSource(root) {
  let newest = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['server', 'routes', 'db', 'seed']) walk(join(root, d));
  return newest;
}
