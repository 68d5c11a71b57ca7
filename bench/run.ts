// `npm run bench`: autocannon against a bare fastify hello-world (the baseline) and the emulator
// (graph get_user_info, weibo home_timeline reqnum=20 signed with a fresh nonce per request,
// weibo t/add). Each target runs in its own child process (bench/server.ts); results go to
// bench/results.md. Options: --duration <s> (default 10), --connections <n> (default 10).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
// @ts-expect-error oauth-sign ships no types
import oauthSign from 'oauth-sign';

const { hmacsign } = oauthSign as { hmacsign: (m: string, u: string, p: Record<string, string>, cs: string, ts: string) => string };
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const duration = arg('duration', 10);
const connections = arg('connections', 10);

interface Target {
  address: string;
  graph?: Record<string, string>;
  weibo?: { token: string; secret: string; consumerKey: string; consumerSecret: string };
}

function start(mode: string): Promise<{ proc: ChildProcess; target: Target }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/server.ts', mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ proc, target: JSON.parse(out.slice(0, nl)) as Target });
    });
    proc.once('exit', (c) => reject(new Error(`bench server exited ${c}`)));
  });
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
/** A signed query/body string for one request (fresh nonce and timestamp each time). */
function signedQuery(t: Target, method: string, path: string, params: Record<string, string>): string {
  const w = t.weibo!;
  const oauth: Record<string, string> = {
    oauth_consumer_key: w.consumerKey,
    oauth_nonce: randomBytes(12).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_token: w.token,
    oauth_version: '1.0',
  };
  const all = { ...params, ...oauth };
  const sig = hmacsign(method, `${t.address}${path}`, all, w.consumerSecret, w.secret);
  return Object.entries({ ...all, oauth_signature: sig }).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  bad: number;
}

async function run(name: string, url: string, setup: Record<string, unknown>, check?: (body: string) => boolean): Promise<Row> {
  let bad = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    ...setup,
    ...(check
      ? {
          setupClient: (client: { on: (e: string, f: (...a: unknown[]) => void) => void }) => {
            client.on('body', (b: unknown) => {
              if (!check(String(b))) bad++;
            });
          },
        }
      : {}),
  });
  const row = { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx, bad };
  process.stdout.write(`${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, errors ${row.errors}, non-2xx ${row.non2xx}, bad bodies ${bad}\n`);
  return row;
}

const okRet = (b: string) => /"ret":\s*0\b/.test(b);

async function main() {
  const rows: Row[] = [];
  const hello = await start('hello');
  try {
    rows.push(await run('fastify hello-world (baseline)', `${hello.target.address}/`, {}));
  } finally {
    hello.proc.kill();
  }
  const emu = await start('emulator');
  const t = emu.target;
  try {
    const g = new URLSearchParams(t.graph!).toString();
    rows.push(await run('graph /user/get_user_info', `${t.address}/user/get_user_info?${g}`, {}, okRet));
    rows.push(
      await run('weibo /api/statuses/home_timeline reqnum=20 (signed)', `${t.address}/api/statuses/home_timeline`, {
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, method: 'GET', path: `/api/statuses/home_timeline?${signedQuery(t, 'GET', '/api/statuses/home_timeline', { format: 'json', reqnum: '20', pageflag: '0', pagetime: '0' })}` }) }],
      }, okRet),
    );
    let n = 0;
    rows.push(
      await run('weibo /api/t/add (signed)', `${t.address}/api/t/add`, {
        requests: [{
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            method: 'POST',
            path: '/api/t/add',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: signedQuery(t, 'POST', '/api/t/add', { format: 'json', content: `bench post ${++n} ${process.pid}`, clientip: '127.0.0.1' }),
          }),
        }],
      }, okRet),
    );
  } finally {
    emu.proc.kill();
  }
  const base = rows[0].rps;
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const md = [
    '# Benchmark results',
    '',
    `Command: \`npm run bench -- --duration ${duration} --connections ${connections}\` (autocannon, ${connections} connections, ${duration} s each).`,
    `Machine: ${cpu} × ${os.cpus().length}, Node ${process.version}, ${new Date().toISOString()}.`,
    'Each target runs in its own process; the emulator on an in-memory seeded `small` world with the posting-speed and duplicate rules off.',
    'Signed requests carry a fresh nonce and timestamp per request (signing happens in the load generator).',
    '',
    '| target | req/s | p50 ms | p99 ms | ratio to baseline | errors | non-2xx | ret ≠ 0 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${(r.rps / base).toFixed(3)} | ${r.errors} | ${r.non2xx} | ${r.bad} |`),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench', 'results.md'), md);
  process.stdout.write(`\nwritten bench/results.md\n`);
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
