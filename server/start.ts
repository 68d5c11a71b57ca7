#!/usr/bin/env node
// Starts the emulator: `npm start -- --port 8080 --db data/world.sqlite --seed 1`.
import { buildApp } from './app.js';
import { checkConfig, HELP, loadConfig, needsTls } from './config.js';
import { existsSync } from 'node:fs';
import { FixtureError } from '../db/fixtures.js';
import { readOrigin, type Origin } from '../db/origin.js';
import { worldCounts } from '../db/transfer.js';
import type { World } from '../db/world.js';
import { checkDbPath, handleSignals, listenErrorLine, StartupError } from './lifecycle.js';
import { ensureCerts } from './tls.js';
import { loggerExtras } from './logging.js';
import { listen, type ListenerName } from './listen.js';

const SERVES: Record<Exclude<ListenerName, 'main'>, string> = {
  control: 'the control plane only (/_emulator/: control calls, console, docs)',
  graph: 'graph.qq.com paths only',
  weibo: 'open.t.qq.com paths only',
};

async function main() {
  let config;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(HELP);
    return;
  }
  try {
    checkConfig(config);
    checkDbPath(config.db);
  } catch (e) {
    throw e instanceof StartupError ? e : new StartupError((e as Error).message);
  }
  const started = Date.now();
  const tls = needsTls(config) ? ensureCerts(config.certDir, config.caDir || undefined) : undefined;
  if (tls) process.stdout.write(`HTTPS: ${tls.generated ? `generated in ${tls.ms} ms` : 'using'} certificates in ${config.certDir}; clients must trust ${tls.caPath} (also GET /_emulator/ca.pem)\n`);
  const existing = config.db !== ':memory:' && existsSync(config.db);
  const app = await buildApp({ ...config, logger: { ...loggerExtras() }, tls: tls && { key: tls.key, cert: tls.cert, ca: tls.ca } }).catch((e) => {
    // a broken fixtures file is the operator's to fix: one line naming the file, entry and field
    throw e instanceof FixtureError ? new StartupError(`--fixtures ${e.message}`) : e;
  });
  const bound = await listen(app).catch((e) => {
    throw listenErrorLine(e, config) ?? e;
  });
  const mains = bound.filter((l) => l.name === 'main');
  const extras = bound.filter((l) => l.name !== 'main');
  const origin = readOrigin(app.world.db);
  process.stdout.write(`tencent-open-emulator listening on ${mains.map((l) => l.url).join(' and ')} (${worldLine(config, existing, origin, app.world)}) in ${Date.now() - started} ms\n`);
  if (existing && !origin) process.stdout.write(`  warning: ${config.db} records no seed (made before seeds were kept): reset returns to the file as opened\n`);
  else if (existing && origin && (origin.seed !== config.seed || origin.size !== config.size)) {
    process.stdout.write(`  warning: --seed ${config.seed} --size ${config.size} differ from ${config.db}'s seed ${origin.seed}, size ${origin.size}: serving the file's world, and reset returns to its seed (delete the file to seed another)\n`);
  }
  for (const l of extras) process.stdout.write(`  ${l.name} port ${l.url}: ${SERVES[l.name as keyof typeof SERVES]}\n`);
  const ctl = (extras.find((l) => l.name === 'control') ?? mains[0]).url;
  process.stdout.write(`  console ${ctl}/_emulator/console · docs ${ctl}/_emulator/docs · landing page ${ctl}/_emulator/\n`);
  if (extras.some((l) => l.name === 'control')) process.stdout.write(`  ${mains.map((l) => l.url).join(' and ')} answer${mains.length > 1 ? '' : 's'} 404 on /_emulator/\n`);
  handleSignals(app, config);
  return app;
}

/** What the start line says of the world: a new one seeded, or an existing file opened (with its counts and seed). */
function worldLine(config: { db: string; seed: number; size: string }, existing: boolean, origin: Origin | undefined, world: World): string {
  if (!existing) return `db ${config.db}, ${config.db === ':memory:' ? '' : 'seeded a new world, '}seed ${config.seed}, size ${config.size}`;
  const c = worldCounts(world);
  return `db ${config.db}, opened an existing world of ${c.users} users, ${c.tweets} tweets${origin ? `, seed ${origin.seed}, size ${origin.size}` : ''}`;
}

/** The app once it listens (undefined after `--help`): the one-file build's loader keeps its code cache then. */
export const started = main().catch((e) => {
  // a problem the operator can fix is one line; anything else is a bug and keeps its stack
  if (e instanceof StartupError) {
    process.stderr.write(`tencent-open-emulator: ${e.message} (--help lists every option)\n`);
    process.exit(e.code);
  }
  process.stderr.write(`failed to start: ${e?.stack ?? e}\n`);
  process.exit(1);
});
