// Measures the request-rate table's memory for many distinct (app, user) pairs (issue 11 item 1):
// node --expose-gc --import tsx test/robustness/measure_rate_table.ts. Not a tap test.
import { checkRate, rateTableSize } from '../../server/api.js';
import { build } from '../helpers.js';

const app = await build();
app.world.rules.rateLimit = 100;
app.world.rules.rateWindowSeconds = 60;
global.gc?.();
const h0 = process.memoryUsage().heapUsed;
for (let u = 0; u < 200_000; u++) for (let i = 0; i < 3; i++) checkRate(app.world, 'app', u);
global.gc?.();
const h1 = process.memoryUsage().heapUsed;
console.log(`200 000 pairs x 3 calls: the table holds ${rateTableSize(app.world)} pairs, heap +${((h1 - h0) / 1048576).toFixed(1)} MiB`);
await app.close();
