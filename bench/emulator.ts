// The emulator as a user starts it, for the benchmarks: the real start script in a child process,
// timed from spawn to the first 200 from /_emulator/health.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });

/**
 * `server/start.ts` with `args` (as `npm start` runs it, TypeScript compiled on load), or with
 * `compiled` the built `dist/server/start.js` (as the Docker image runs it), timed until
 * GET /_emulator/health answers 200.
 */
export async function startToHealthy(args: string[], o: { compiled?: boolean } = {}): Promise<{ ms: number; stop: () => void; base: string; pid: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const script = o.compiled ? ['dist/server/start.js'] : ['--import', 'tsx', 'server/start.ts'];
  const proc = spawn(process.execPath, [...script, '--port', String(port), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  proc.once('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited) throw new Error(`emulator exited before it was healthy (${args.join(' ')})`);
    const ok = await fetch(`${base}/_emulator/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return { ms: performance.now() - t0, stop: () => proc.kill(), base, pid: proc.pid! };
}
