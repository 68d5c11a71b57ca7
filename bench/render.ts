// `node --import tsx bench/render.ts [rounds] [calls]`: rendering one weibo success answer, the
// reference renderer (sortKeys + JSON.stringify + escapeJsonForScript) against the route's compiled
// serializer (server/serialize.ts, the same escaping), on the data the handlers answered for a
// 20-tweet home_timeline page and a 30-user fanslist page of a `medium` world. CPU time (user +
// sys) per render, median and minimum over interleaved rounds, so a burst of other load on a
// shared machine hits both alike.
import { build, signed, weiboCreds } from '../test/helpers.js';
import { declaredRoutes } from '../server/api.js';
import { auditSerializers, renderOk, type AuditEntry } from '../server/respond.js';
import { dataSerializer } from '../server/serialize.js';

const rounds = Number(process.argv[2] ?? 41);
const calls = Number(process.argv[3] ?? 300);

const app = await build({ size: 'medium' });
const alice = weiboCreds(app, 'alice');
const captured: AuditEntry[] = [];
auditSerializers((e) => captured.push(e));
async function answerOf(path: string, params: Record<string, string>): Promise<AuditEntry> {
  captured.length = 0;
  await signed(app, alice, { method: 'GET', path, params: { format: 'json', ...params } });
  return captured[0];
}
const answers = [await answerOf('/api/statuses/home_timeline', { reqnum: '20' }), await answerOf('/api/friends/fanslist', { reqnum: '30' })];
auditSerializers(undefined);

function compare(cands: Record<string, () => unknown>): Record<string, { median: number; min: number }> {
  const per: Record<string, number[]> = Object.fromEntries(Object.keys(cands).map((k) => [k, []]));
  for (const f of Object.values(cands)) for (let i = 0; i < calls; i++) f();
  for (let r = 0; r < rounds; r++) {
    for (const [k, f] of Object.entries(cands)) {
      const t0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) f();
      const c = process.cpuUsage(t0);
      per[k].push((c.user + c.system) / calls);
    }
  }
  return Object.fromEntries(Object.entries(per).map(([k, v]) => (v.sort((a, b) => a - b), [k, { median: v[v.length >> 1], min: v[0] }])));
}

for (const e of answers) {
  const serializer = dataSerializer('weibo', declaredRoutes(app).find((r) => r.url === e.route)!.data!, e.route)!;
  const reference = () => renderOk('weibo', e.data, { format: 'json' }).body;
  const compiled = () => renderOk('weibo', e.data, { format: 'json', serializer }).body;
  if (serializer(e.data) === undefined) throw new Error(`${e.route}: the guard refused the data`);
  if (reference() !== compiled()) throw new Error(`${e.route}: not the same bytes`);
  const r = compare({ reference, compiled });
  const f = (x: { median: number; min: number }) => `${x.median.toFixed(1)} (${x.min.toFixed(1)})`;
  const items = (e.data as { info: unknown[] }).info.length;
  console.log(`${e.route}, ${items} items, ${reference().length} chars: µs per render, median (min) of ${rounds} rounds of ${calls}: reference ${f(r.reference)}, compiled ${f(r.compiled)}, ${(100 * (1 - r.compiled.median / r.reference.median)).toFixed(0)} % less`);
}
await app.close();
