// `npm run seed -- --db data/world.sqlite --seed 1 --size 1000000`: writes a seeded world to a
// SQLite file (for large worlds, seed once and start the emulator on the file).
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { openWorld } from '../server/app.js';

const { values } = parseArgs({
  options: { db: { type: 'string' }, seed: { type: 'string', default: '1' }, size: { type: 'string', default: 'small' } },
  strict: true,
});
if (!values.db || values.db === ':memory:') {
  process.stderr.write('usage: npm run seed -- --db <file.sqlite> [--seed N] [--size small|medium|<tweets>]\n');
  process.exit(2);
}
if (existsSync(values.db)) {
  process.stderr.write(`${values.db} exists: a store is only seeded when new\n`);
  process.exit(2);
}
const started = Date.now();
const world = openWorld({ db: values.db, seed: Number(values.seed), size: values.size! });
const n = (sql: string) => (world.db.prepare(sql).get() as { n: number }).n;
process.stdout.write(`seeded ${values.db}: ${n('SELECT COUNT(*) n FROM users')} users, ${n('SELECT COUNT(*) n FROM tweets')} tweets in ${Date.now() - started} ms\n`);
world.db.close();
