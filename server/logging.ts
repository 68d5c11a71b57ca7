// Log output: fastify's structured JSON lines (pino) everywhere, pretty-printed with pino-pretty
// for a developer watching a terminal: stdout is a TTY, NODE_ENV is not 'production', and
// pino-pretty (a devDependency) is installed. EMU_LOG_PRETTY=0 forces JSON, =1 forces pretty.
import { createRequire } from 'node:module';

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

/** The transport to add to the logger options, or {} for plain JSON lines. */
export function loggerExtras(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true, installed = prettyInstalled()): LoggerExtras {
  const forced = env.EMU_LOG_PRETTY;
  const want = forced === '1' ? true : forced === '0' ? false : isTTY && env.NODE_ENV !== 'production';
  if (!want || !installed) return {};
  return { transport: { target: 'pino-pretty', options: { colorize: isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } };
}
