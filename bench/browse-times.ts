// Measures the control plane's paged reads (GET /_emulator/users, /tweets, /relations, /tokens)
// in-process on one world: the first page, a page at offset 10 000, and the user-filtered pages of
// the most followed user (alice). Run on a seeded file, e.g. a 1 M-tweet world:
//   npm run seed -- --db /tmp/1m.sqlite --size 1000000
//   node --import tsx bench/browse-times.ts --db /tmp/1m.sqlite [--runs 20]
// and on the small default world (no --db) for the ratio.
import { parseArgs } from 'node:util';
import { buildApp } from '../server/app.js';

const { values } = parseArgs({ options: { db: { type: 'string', default: ':memory:' }, runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const app = await buildApp({ db: values.db!, seed: 1, size: 'small' });
await app.ready();
const tweets = (app.world.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n;
console.log(`world ${values.db}: ${tweets} tweets`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const url of [
  '/_emulator/users?limit=50',
  '/_emulator/tweets?limit=50',
  '/_emulator/tweets?limit=50&offset=10000',
  '/_emulator/tweets?limit=50&user=alice',
  '/_emulator/relations?limit=50',
  '/_emulator/relations?limit=50&user=alice',
  '/_emulator/tokens?limit=50',
]) {
  const ms: number[] = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await app.inject({ method: 'GET', url });
    ms.push(performance.now() - t0);
    status = r.statusCode;
  }
  console.log(`${url.padEnd(44)} HTTP ${status}  median ${median(ms).toFixed(2)} ms (n=${runs})`);
}
await app.close();
