#!/usr/bin/env node
// Starts the emulator: `npm start -- --port 8080 --db data/world.sqlite --seed 1`.
import { buildApp } from './app.js';
import { HELP, loadConfig } from './config.js';
import { ensureCerts } from './tls.js';
import { loggerExtras } from './logging.js';

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
  const started = Date.now();
  const tls = config.https ? ensureCerts(config.certDir) : undefined;
  if (tls) process.stdout.write(`HTTPS: ${tls.generated ? 'generated' : 'using'} certificates in ${config.certDir}; clients must trust ${tls.caPath}\n`);
  const app = await buildApp({ ...config, logger: { ...loggerExtras() }, tls: tls && { key: tls.key, cert: tls.cert } });
  const address = await app.listen({ host: config.host, port: config.port });
  process.stdout.write(`tencent-open-emulator listening on ${address} (db ${config.db}, seed ${config.seed}, size ${config.size}) in ${Date.now() - started} ms\n`);
  const stop = async () => {
    await app.close();
    app.world.db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`failed to start: ${e?.stack ?? e}\n`);
  process.exit(1);
});
