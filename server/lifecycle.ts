// Start-up and shutdown as an operator sees them: a bad setting or an environment problem is one
// line naming the flag or path and the fix (no stack trace); SIGINT / SIGTERM log, wait a bounded
// time for in-flight requests, and always checkpoint and close the store.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { checkpoint } from '../db/store.js';
import type { EmulatorConfig } from './config.js';

/** A start-up problem the operator can fix: printed as its message alone, exit `code`. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly code = 2,
  ) {
    super(message);
  }
}

/** Checks that `--db` can be opened for writing before SQLite says only "unable to open database file". */
export function checkDbPath(db: string): void {
  if (db === ':memory:' || db === '') return;
  const path = resolve(db);
  const dir = dirname(path);
  const fix = 'pick a writable path with --db (or EMU_DB), or --db :memory:';
  if (!existsSync(dir)) throw new StartupError(`--db ${db}: the directory ${dir} does not exist; create it or ${fix}`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new StartupError(`--db ${db}: ${path} is a directory, not a file; ${fix}`);
  const probe = (p: string, mode: number, what: string) => {
    try {
      accessSync(p, mode);
    } catch (e) {
      throw new StartupError(`--db ${db}: ${what} (${(e as NodeJS.ErrnoException).code}); ${fix}`);
    }
  };
  // the WAL and shared-memory files are created beside the store
  probe(dir, constants.W_OK | constants.X_OK, `cannot create files in ${dir}`);
  if (existsSync(path)) probe(path, constants.R_OK | constants.W_OK, `cannot read and write ${path}`);
}

/** The one line for an error thrown while listening (a port in use, a port the user may not bind). */
export function listenErrorLine(e: unknown, config: Pick<EmulatorConfig, 'host' | 'port'>): StartupError | undefined {
  const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
  const where = `${err.address ?? config.host}:${err.port ?? config.port}`;
  if (err?.code === 'EADDRINUSE') return new StartupError(`cannot listen on ${where}: the port is already in use (EADDRINUSE); stop the other process or choose another port with --port (EMU_PORT)`, 1);
  if (err?.code === 'EACCES') return new StartupError(`cannot listen on ${where}: permission denied (EACCES); ports below 1024 need privileges, choose another with --port (EMU_PORT)`, 1);
  if (err?.code === 'EADDRNOTAVAIL' || err?.code === 'ENOTFOUND') return new StartupError(`cannot listen on ${where}: no such local address (${err.code}); check --host (EMU_HOST)`, 2);
  return undefined;
}

/**
 * SIGINT / SIGTERM: log "shutting down", stop accepting, let in-flight requests finish for at most
 * `shutdownTimeout` seconds, then close what is left; a second signal exits at once. Every way out
 * checkpoints and closes the current store (the control plane may have swapped the world).
 * Exit 0 when nothing was cut short, 1 when in-flight requests were.
 */
export function handleSignals(app: FastifyInstance, config: Pick<EmulatorConfig, 'shutdownTimeout'>, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  let stopping = false;
  const finish = (code: number) => {
    try {
      const db = app.world.db;
      if (db.open) {
        checkpoint(db);
        db.close();
      }
      log('stopped: store checkpointed and closed');
    } catch (e) {
      log(`closing the store failed: ${(e as Error).message}`);
      code = 1;
    }
    process.exit(code);
  };
  const cut = (why: string) => {
    log(why);
    app.server.closeAllConnections();
    finish(1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return cut(`${signal} again: closing in-flight requests and exiting now`);
    stopping = true;
    log(`${signal}: shutting down (in-flight requests get up to ${config.shutdownTimeout} s; send ${signal} again to exit at once)`);
    const timer = setTimeout(() => cut(`requests still in flight after ${config.shutdownTimeout} s: closing them`), config.shutdownTimeout * 1000);
    app.close().then(
      () => {
        clearTimeout(timer);
        finish(0);
      },
      (e) => cut(`shutdown failed: ${(e as Error).message}`),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
