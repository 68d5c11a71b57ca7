// Log output: fastify's structured JSON lines (pino) everywhere, pretty-printed with pino-pretty
// for a developer watching a terminal: stdout is a TTY, NODE_ENV is not 'production', and
// pino-pretty (a devDependency) is installed. EMU_LOG_PRETTY=0 forces JSON, =1 forces pretty.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface LoggerExtras {
  transport?: { target: string; options?: Record<string, unknown> };
}

function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * A transport runs in a worker thread that pino and thread-stream start from files of their own,
 * found next to their code (`__dirname`). The one-file build carries pino inside it (loading it
 * from node_modules was ~35 ms of a start's CPU profile), so there `__dirname` is dist/: this names
 * the files in node_modules instead, by the hook pino reads for bundlers. The same files pino would
 * find itself when it is not bundled.
 */
function pointPinoAtItsWorkers(): void {
  const require = createRequire(import.meta.url);
  const pino = require.resolve('pino');
  const g = globalThis as { __bundlerPathsOverrides?: Record<string, string> };
  g.__bundlerPathsOverrides = {
    ...g.__bundlerPathsOverrides,
    'pino-worker': join(dirname(pino), 'lib', 'worker.js'),
    'pino/file': join(dirname(pino), 'file.js'),
    'thread-stream-worker': createRequire(pino).resolve('thread-stream/lib/worker.js'),
  };
}

/** The transport to add to the logger options, or {} for plain JSON lines. */
export function loggerExtras(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true, installed?: boolean): LoggerExtras {
  const forced = env.EMU_LOG_PRETTY;
  const want = forced === '1' ? true : forced === '0' ? false : isTTY && env.NODE_ENV !== 'production';
  // looked up only when wanted: a module resolution is ~1 % of a start's CPU profile
  if (!want || !(installed ?? prettyInstalled())) return {};
  pointPinoAtItsWorkers();
  return { transport: { target: 'pino-pretty', options: { colorize: isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } };
}
