// What a signed read's OAuth 1.0a check costs under load: the read served by copies of the compiled
// build (dist/, `npm run build` first) with parts of the check knocked out — never the product —
// taken in turn at 50 connections, the server on CPU 1 and the load generator on CPU 0 as in
// `npm run bench`. Prints req/s, p99 and the server's CPU per request (user + system, /proc).
//   node bench/knockout.mjs [--path /api/user/info] [--seconds 5] [--rounds 2] [--perf FILE]
// --perf records the full build's server with `perf record -g` (node --perf-basic-prof) into FILE.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import oauthSign from 'oauth-sign';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({ options: { path: { type: 'string', default: '/api/user/info' }, seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '2' }, perf: { type: 'string' } } });
const seconds = Number(o.seconds);

// each variant: a copy of dist/ (under bench/.data/, beside node_modules' resolution) whose refusals
// on these conditions are turned off (`if (!x(` becomes `if (false && !x(`)
const CHECK = 'server/auth/oauth1.js';
const SIGNATURE = /if \((!signatureMatches\()/;
const NONCE = /if \((!world\.oauth1\.useNonce\()/;
const variants = {
  'full check': [],
  'no nonce write': [NONCE],
  'no signature check': [SIGNATURE],
  'neither': [NONCE, SIGNATURE],
};
const dists = {};
for (const [name, edits] of Object.entries(variants)) {
  const dir = join(ROOT, 'bench', '.data', `knockout-${Object.keys(dists).length}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  let src = readFileSync(join(dir, 'dist', CHECK), 'utf8');
  for (const re of edits) {
    if (!re.test(src)) throw new Error(`knockout: ${re} not found in dist/${CHECK} (rebuild, or the check changed)`);
    src = src.replace(re, 'if (false && $1');
  }
  writeFileSync(join(dir, 'dist', CHECK), src);
  dists[name] = dir;
}

const enc = (s) => encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

async function measure(dir, perfFile) {
  const pre = perfFile ? ['--perf-basic-prof'] : [];
  const proc = spawn('taskset', ['-c', '1', process.execPath, ...pre, join(dir, 'dist', 'bench', 'server.js'), 'emulator'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const t = await new Promise((resolve) => proc.stdout.once('data', (d) => resolve(JSON.parse(String(d)))));
  const w = t.weibo;
  const sign = () => {
    const all = { format: 'json', oauth_consumer_key: w.consumerKey, oauth_nonce: randomBytes(12).toString('hex'), oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: String(Math.floor(Date.now() / 1000)), oauth_token: w.token, oauth_version: '1.0' };
    const sig = oauthSign.hmacsign('GET', `${t.address}${o.path}`, all, w.consumerSecret, w.secret);
    return Object.entries({ ...all, oauth_signature: sig }).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  };
  // signed ahead (each its own nonce), so the load generator only sends them
  const pool = Array.from({ length: (seconds + 1) * 30000 }, sign);
  let i = 0;
  const run = (duration) => autocannon({ url: t.address, connections: 50, duration, requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: `${o.path}?${pool[i++]}` }) }] });
  await run(1);
  const perf = perfFile ? spawn('perf', ['record', '-F', '1999', '-g', '-p', String(t.pid), '-o', perfFile, '--', 'sleep', String(seconds - 1)], { stdio: 'ignore' }) : undefined;
  const c0 = cpuMs(t.pid);
  const r = await run(seconds);
  const c1 = cpuMs(t.pid);
  if (perf && perf.exitCode === null) await new Promise((resolve) => perf.once('exit', resolve));
  // a weibo refusal is HTTP 200 with ret ≠ 0: one more call, to see the answers were the read's
  const ret = (await (await fetch(`${t.address}${o.path}?${sign()}`)).json()).ret;
  if (ret !== 0) throw new Error(`knockout: ${o.path} answered ret ${ret} from ${dir}`);
  proc.kill('SIGTERM');
  await new Promise((resolve) => proc.once('exit', resolve));
  const bad = r.non2xx + r.errors;
  return { rps: r.requests.average, p99: r.latency.p99, us: ((c1 - c0) * 1000) / r.requests.total, bad };
}

if (o.perf && spawnSync('perf', ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error('--perf: no perf command');
const rows = Object.fromEntries(Object.keys(variants).map((n) => [n, []]));
for (let round = 0; round < Number(o.rounds); round++) {
  for (const [name, dir] of Object.entries(dists)) rows[name].push(await measure(dir, round === 0 && name === 'full check' ? o.perf : undefined));
}
console.log(`${o.path}, ${seconds} s each at 50 connections, ${o.rounds} rounds in turn (server on CPU 1)`);
for (const [name, rs] of Object.entries(rows)) {
  const cell = (f, d = 0) => rs.map((r) => f(r).toFixed(d)).join(' / ');
  console.log(`${name.padEnd(20)} req/s ${cell((r) => r.rps)}  p99 ${cell((r) => r.p99)} ms  CPU ${cell((r) => r.us, 1)} µs/request  errors or non-2xx ${cell((r) => r.bad)}`);
}
for (const dir of Object.values(dists)) rmSync(dir, { recursive: true, force: true });
