#!/usr/bin/env node
// Starts the emulator: `npm start -- --port 8080 --db data/world.sqlite --seed 1`.
import { buildApp } from './app.js';
import { HELP, loadConfig } from './config.js';
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
  const started = Date.now();
  const tls = config.https ? ensureCerts(config.certDir) : undefined;
  if (tls) process.stdout.write(`HTTPS: ${tls.generated ? 'generated' : 'using'} certificates in ${config.certDir}; clients must trust ${tls.caPath}\n`);
  const app = await buildApp({ ...config, logger: { ...loggerExtras() }, tls: tls && { key: tls.key, cert: tls.cert } });
  const [main, ...extras] = await listen(app);
  process.stdout.write(`tencent-open-emulator listening on ${main.url} (db ${config.db}, seed ${config.seed}, size ${config.size}) in ${Date.now() - started} ms\n`);
  for (const l of extras) process.stdout.write(`  ${l.name} port ${l.url}: ${SERVES[l.name as keyof typeof SERVES]}\n`);
  const ctl = (extras.find((l) => l.name === 'control') ?? main).url;
  process.stdout.write(`  console ${ctl}/_emulator/console · docs ${ctl}/_emulator/docs · landing page ${ctl}/_emulator/\n`);
  if (extras.some((l) => l.name === 'control')) process.stdout.write(`  ${main.url} answers 404 on /_emulator/\n`);
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
