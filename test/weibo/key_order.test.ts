// open.t.qq.com's encoder wrote object keys in ASCII order at every level (server/respond.ts
// sortKeys): every call by GET answered ret 0 is checked all the way down, arrays of objects included.
import t from 'tap';
import { build, weiboCreds, signed, parseXml } from '../helpers.js';
import { declaredRoutes } from '../../server/api.js';

const app = await build();
t.teardown(() => app.close());
const alice = weiboCreds(app, 'alice');
const db = app.world.db;
const bob = app.world.users.byName('bob')!;
const tweetOf = (sql: string, ...a: unknown[]) => String((db.prepare(sql).get(...a) as { id: number }).id);
const original = tweetOf('SELECT id FROM tweets WHERE status = 0 AND type = 1 AND user_id = ? ORDER BY id LIMIT 1', bob.id);
const reposted = tweetOf('SELECT source_id id FROM tweets WHERE status = 0 AND type = 2 AND source_id IS NOT NULL ORDER BY id LIMIT 1');
const topic = (db.prepare('SELECT text FROM topics ORDER BY id LIMIT 1').get() as { text: string }).text;

// one parameter set that satisfies most routes; the rest answer a parameter error (ret 1)
const params = {
  format: 'json', name: 'bob', names: 'bob,carol', fopenid: '', fopenids: '', reqnum: 5, startindex: 0, pageflag: 0, pagetime: 0, lastid: 0,
  pos: 0, id: original, ids: `${original},${reposted}`, rootid: reposted, flag: 2, twitterid: 0, httext: topic, keyword: 'hello', pagesize: 5, page: 1,
  type: 0, contenttype: 0, sorttype: 0, format_: '',
};

// routes whose `type` means something else, or that need a parameter of their own
const overrides: Record<string, Record<string, string | number>> = {
  '/api/trends/ht': { type: 1 },
  '/api/info/update': { type: 5, op: 0 },
  '/api/ht/ids': { httexts: topic },
  '/api/other/kownperson': { ip: '127.0.0.1' },
};

function unsortedPath(v: unknown, path: string): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = unsortedPath(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.join('\0') !== [...keys].sort().join('\0')) return `${path} {${keys.join(', ')}}`;
    for (const k of keys) {
      const p = unsortedPath((v as Record<string, unknown>)[k], `${path}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}

const reads = declaredRoutes(app).filter((r) => r.envelope === 'weibo' && r.auth === 'weibo' && r.method.includes('GET'));

t.test('every GET call answered ret 0 has its keys in ASCII order at every level (JSON and XML)', async (t) => {
  const answered: string[] = [];
  const refused: string[] = [];
  let nestedArrays = 0;
  for (const r of reads) {
    const p = { ...params, ...overrides[r.url] };
    const res = await signed(app, alice, { method: 'GET', path: r.url, params: p });
    const b = res.json() as { ret: number; data: unknown };
    if (b.ret !== 0) {
      refused.push(`${r.url}: ${(b as { msg?: string }).msg}`);
      continue;
    }
    answered.push(r.url);
    t.equal(unsortedPath(b, ''), undefined, `${r.url}: keys in order`);
    if (JSON.stringify(b.data).includes('[{')) nestedArrays++;
    // XML children come from the same sorted tree
    const x = await signed(app, alice, { method: 'GET', path: r.url, params: { ...p, format: 'xml' } });
    const root = (parseXml(x.body) as { root: Record<string, unknown> }).root;
    t.same(Object.keys(root), ['data', 'errcode', 'msg', 'ret'], `${r.url}: XML root children in order`);
  }
  t.ok(answered.length === reads.length, `${answered.length} of ${reads.length} GET routes answered ret 0; refused: ${refused.join('; ')}`);
  t.ok(nestedArrays >= 22, `${nestedArrays} answers hold arrays of objects`);
});
