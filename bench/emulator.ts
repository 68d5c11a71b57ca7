// The emulator as a user starts it, for the benchmarks: a start command in a child process,
// timed from spawn to the first 200 from /_emulator/health.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every core, as a user's start has them: bench/run.ts pins itself to the load generator's core,
 * and a child inherits that (node's start on one core was 20-50 % slower and twice as variable).
 */
const EVERY_CORE = ['taskset', '-c', `0-${os.cpus().length - 1}`];
const ALL_CORES: string[] = os.cpus().length >= 2 && spawnSync(EVERY_CORE[0], [...EVERY_CORE.slice(1), 'true'], { stdio: 'ignore' }).status === 0 ? EVERY_CORE : [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });

/**
 * How to start it: `npm` is `npm start` (what the README tells people to run), `launcher` the
 * command that script runs (bin/tencent-open-emulator.js, without npm), `bundle` the compiled
 * one-file build the launcher loads (the Docker image's CMD too), `tsc` dist/server/start.js,
 * `tsx` the TypeScript sources (`npm run dev`), `bare` bench/hello-start.mjs (no emulator).
 */
export type StartHow = 'npm' | 'launcher' | 'bundle' | 'tsc' | 'tsx' | 'bare';

const COMMANDS: Record<StartHow, [string, string[]]> = {
  npm: ['npm', ['start', '--silent', '--']],
  launcher: [process.execPath, ['bin/tencent-open-emulator.js']],
  bundle: [process.execPath, ['dist/tencent-open-emulator.js']],
  tsc: [process.execPath, ['dist/server/start.js']],
  tsx: [process.execPath, ['--import', 'tsx', 'server/start.ts']],
  // not the emulator: a bare fastify app with the same health route bundled into one file like the
  // emulator's (bench/run.ts builds it), the start's ceiling
  bare: [process.execPath, ['bench/.data/hello-start.bundle.mjs']],
};

/** Starts the emulator with `args` the `how` way, timed until GET /_emulator/health answers 200. */
export async function startToHealthy(args: string[], how: StartHow = 'tsx'): Promise<{ ms: number; stop: () => Promise<void>; base: string; pid: number }> {
  const port = await freePort();
  const [cmd, pre] = COMMANDS[how];
  const t0 = performance.now();
  // its own process group: `npm start` runs the server under npm (and a shell), and killing npm
  // alone left the server running (ten were found an hour later)
  const line = [...ALL_CORES, cmd, ...pre, '--port', String(port), ...args];
  const proc = spawn(line[0], line.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  let exited = false;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited) throw new Error(`emulator exited before it was healthy (${how} ${args.join(' ')})`);
    const ok = await fetch(`${base}/_emulator/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  // the whole group gets SIGTERM; waiting for the exit keeps starts from overlapping
  const stop = () => {
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    return gone;
  };
  return { ms: performance.now() - t0, stop, base, pid: proc.pid! };
}
