// Measures the control plane: process start → healthy, POST /_emulator/reset, POST /_emulator/worlds.
// Run: node --import tsx bench/control-times.ts [--size small] [--runs 20] [--how bundle|tsc|tsx|npm]
import { startToHealthy, type StartHow } from './emulator.js';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'small' }, runs: { type: 'string', default: '20' }, how: { type: 'string', default: 'bundle' } } });
const runs = Number(values.runs);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `min ${s[0].toFixed(1)} ms, median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (n=${s.length})`;
};

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; body: Record<string, unknown> }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = (await res.json()) as Record<string, unknown>;
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return { ms, body };
}

const started = await startToHealthy(['--size', values.size!], values.how as StartHow);
const { base } = started;
const startup = started.ms;
try {
  console.log(`size ${values.size}`);
  console.log(`process start → healthy: ${startup.toFixed(0)} ms (${values.how} start, spawn until GET /_emulator/health answers 200)`);
  const resets: number[] = [];
  const serverResets: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timed(`${base}/_emulator/reset`, { method: 'POST' });
    resets.push(r.ms);
    serverResets.push(r.body.ms as number);
  }
  console.log(`POST /_emulator/reset (round trip): ${stats(resets)}`);
  console.log(`POST /_emulator/reset (server side): ${stats(serverResets)}`);
  const worlds: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timed(`${base}/_emulator/worlds`, { method: 'POST' });
    worlds.push(r.ms);
    ids.push(r.body.id as string);
  }
  console.log(`POST /_emulator/worlds (round trip): ${stats(worlds)}`);
  for (const id of ids) await timed(`${base}/_emulator/worlds/${id}`, { method: 'DELETE' });
} finally {
  await started.stop();
}
