// The self and inclusive shares of a --cpu-prof profile's functions: `node bench/profile-top.mjs DIR [N]`.
import { readFileSync, readdirSync } from 'node:fs';
const dir = process.argv[2]; const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map(); const total = p.samples.length;
const counts = new Map(); for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
const incl = new Map();
for (const [id, c] of counts) {
  const n = byId.get(id); self.set(key(n), (self.get(key(n)) ?? 0) + c);
  const seen = new Set(); let cur = id;
  while (cur !== undefined) { const k = key(byId.get(cur)); if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + c); } cur = parent.get(cur); }
}
const pr = (m, label) => { console.log('--', label); [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 25)).forEach(([k, v]) => console.log((100 * v / total).toFixed(1).padStart(5), k)); };
pr(self, 'self'); pr(incl, 'inclusive');
