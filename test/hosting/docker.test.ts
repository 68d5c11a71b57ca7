// Packaging: docker-compose.yml and the Dockerfile checked against the sources and config, and the
// Dockerfile's build/start/healthcheck steps run as written where that is possible without Docker.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ENV_NAMES, loadConfig } from '../../server/config.js';
import { bundleInto, freshDist } from '../dist.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const envNames = new Set(Object.values(ENV_NAMES));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// ---- Dockerfile parsing: continuation lines joined, comments dropped ----------------------
interface Instr { op: string; args: string }
function dockerfile(): Instr[] {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\r?\n/g, ' ');
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)!;
      return { op: m[1].toUpperCase(), args: m[2].trim() };
    });
}
const instrs = dockerfile();
const stages: Instr[][] = [];
for (const i of instrs) {
  if (i.op === 'FROM') stages.push([]);
  stages[stages.length - 1].push(i);
}
const runtime = stages[stages.length - 1];
/** ENV of the runtime stage, both `K=V K2=V2` and `K V` forms. */
function envOf(stage: Instr[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of stage.filter((x) => x.op === 'ENV')) {
    if (/^\w+=/.test(i.args)) for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) out[m[1]] = m[2].replace(/^"|"$/g, '');
    else {
      const [k, ...v] = i.args.split(/\s+/);
      out[k] = v.join(' ');
    }
  }
  return out;
}
const dockerEnv = envOf(runtime);
const execForm = (args: string): string[] => JSON.parse(args.replace(/^--\S+\s+/g, ''));
const healthcheck = runtime.find((i) => i.op === 'HEALTHCHECK')!;
const healthCmd = execForm(healthcheck.args.replace(/^.*?\bCMD\s+/, ''));
const cmd = execForm(runtime.find((i) => i.op === 'CMD')!.args);

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
const emu = compose.services.emulator;

t.test('Dockerfile: every COPY source exists; the runtime copies what the build stage made', async (t) => {
  t.ok(stages.length >= 2, 'multi-stage');
  const copies = instrs.filter((i) => i.op === 'COPY');
  t.ok(copies.length > 0);
  const built = new Set<string>();
  for (const c of copies) {
    const parts = c.args.split(/\s+/);
    const fromStage = parts.some((p) => p.startsWith('--from='));
    const srcs = parts.filter((p) => !p.startsWith('--')).slice(0, -1);
    for (const s of srcs) {
      if (fromStage) built.add(s.replace(/^\/app\//, '').replace(/\/$/, ''));
      else t.ok(existsSync(join(root, s)), `COPY source ${s} exists`);
    }
  }
  // the build stage's RUN uses the package.json scripts as named
  const runs = stages[0].filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  t.match(runs, /npm ci\b/);
  t.match(runs, /npm run build\b/);
  // tsc writes dist/, the hash record keys the seeded image (seed/cache.ts) the warm start keeps,
  // the bundle step writes the CMD file
  t.match(pkg.scripts.build, /^tsc -p tsconfig\.json && node dist\/seed\/record-hash\.js && npm run --silent bundle$/);
  t.equal(JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).compilerOptions.outDir, 'dist');
  for (const need of ['dist', 'node_modules', 'package.json', 'bin']) t.ok(built.has(need), `runtime copies ${need}`);
  // the healthcheck and CMD scripts are in what the runtime image holds
  t.equal(cmd[0], 'node');
  t.ok(built.has(cmd[1].split('/')[0]), `CMD ${cmd[1]} is under a copied directory`);
  t.equal(healthCmd[0], 'node');
  t.ok(existsSync(join(root, healthCmd[1])), `HEALTHCHECK script ${healthCmd[1]} exists`);
  // every file in bin/ the image needs is a dependency-free script (no dev modules at runtime)
  t.notMatch(readFileSync(join(root, healthCmd[1]), 'utf8'), /from '(?!node:)/, 'healthcheck imports only node: modules');
});

t.test('Dockerfile ENV and EXPOSE match server/config.ts', async (t) => {
  for (const k of Object.keys(dockerEnv).filter((k) => k.startsWith('EMU_'))) t.ok(envNames.has(k), `${k} is a config env name`);
  // the real services' ports: plain 80 (open.t.qq.com/api) and TLS 443 (graph.qq.com, cgi-bin)
  t.equal(dockerEnv.EMU_PORT, '80');
  t.equal(dockerEnv.EMU_HTTPS_PORT, '443');
  t.equal(dockerEnv.EMU_HOST, '0.0.0.0', 'reachable from outside the container');
  t.match(dockerEnv.EMU_DB, /^\/data\//, 'database on the volume');
  t.match(dockerEnv.EMU_CERT_DIR, /^\/data\//, 'certificates (and the CA key) on the data volume');
  t.equal(dockerEnv.EMU_CA_DIR, '/ca', 'ca.pem alone on its own volume');
  const expose = runtime.find((i) => i.op === 'EXPOSE')!.args;
  t.same(expose.split(/\s+/), [dockerEnv.EMU_PORT, dockerEnv.EMU_HTTPS_PORT]);
  t.same(JSON.parse(runtime.find((i) => i.op === 'VOLUME')!.args), ['/data', '/ca']);
  t.match(runtime.find((i) => i.op === 'USER')?.args ?? '', /^node$/, 'runs as non-root');
  // non-root on 80/443: node carries cap_net_bind_service (compose also sets the sysctl)
  t.match(runtime.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n'), /setcap cap_net_bind_service=\+ep "\$\(readlink -f \/usr\/local\/bin\/node\)"/);
  // the env the image sets is understood by loadConfig
  const cfg = loadConfig([], dockerEnv);
  t.equal(cfg.port, 80);
  t.equal(cfg.httpsPort, 443);
  t.equal(cfg.https, false, 'the main port stays plain; 443 is the TLS twin');
  t.equal(cfg.host, '0.0.0.0');
  t.equal(cfg.db, dockerEnv.EMU_DB);
  t.equal(cfg.certDir, dockerEnv.EMU_CERT_DIR);
  t.equal(cfg.caDir, '/ca');
});

t.test('docker-compose.yml: services, ports, healthcheck, aliases, volume, depends_on', async (t) => {
  t.same(Object.keys(compose.services).sort(), ['emulator', 'example-app']);
  t.equal(emu.build, '.');
  const env = emu.environment as Record<string, string>;
  for (const k of Object.keys(env)) t.ok(envNames.has(k), `${k} is a config env name`);
  t.same([env.EMU_PORT, env.EMU_HTTPS_PORT], ['80', '443'], 'the real ports inside the network');
  const cfg = loadConfig([], Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));
  t.equal(cfg.host, '0.0.0.0');
  t.equal(cfg.seed, 1);
  t.equal(cfg.size, 'small');
  t.same(emu.sysctls, { 'net.ipv4.ip_unprivileged_port_start': 0 }, 'the non-root user may bind 80/443');
  t.same(emu.ports, ['8080:80', '8443:443'], 'published to the host on 8080 (http) and 8443 (https)');
  // named volumes: the database and certificates (CA key included), and ca.pem alone
  t.same(emu.volumes, ['emulator-data:/data', 'emulator-ca:/ca']);
  t.ok('emulator-data' in compose.volumes && 'emulator-ca' in compose.volumes, 'the volumes are declared');
  t.match(env.EMU_DB, /^\/data\//);
  t.match(env.EMU_CERT_DIR, /^\/data\//);
  t.equal(env.EMU_CA_DIR, '/ca');
  // healthcheck: the same command as the Dockerfile's
  t.same(emu.healthcheck.test, ['CMD', ...healthCmd]);
  for (const k of ['interval', 'timeout', 'retries', 'start_period']) t.ok(emu.healthcheck[k] !== undefined, `healthcheck.${k}`);
  // the real host names resolve to the emulator inside the network
  t.same([...emu.networks.default.aliases].sort(), ['graph.qq.com', 'open.t.qq.com']);
  const example = compose.services['example-app'];
  t.same(example.depends_on, { emulator: { condition: 'service_healthy' } });
  // the example app mounts only the CA volume, read-only, and trusts it through the usual variables
  t.same(example.volumes, ['emulator-ca:/ca:ro']);
  for (const k of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) t.equal(example.environment[k], '/ca/ca.pem', k);
  t.same(example.command, ['node', 'examples/consumer.mjs']);
  t.equal(example.image, emu.image, 'the image carries the example (COPY examples)');
  // it calls the hard-coded real URLs, no port, no base URL (test/hosting/namespace.test.ts runs it)
  const consumer = readFileSync(join(root, 'examples', 'consumer.mjs'), 'utf8');
  for (const u of ['https://graph.qq.com/oauth2.0/authorize', 'https://graph.qq.com/oauth2.0/token', 'https://graph.qq.com/user/get_user_info', 'https://open.t.qq.com/cgi-bin/request_token', 'http://open.t.qq.com/api/t/add']) t.match(consumer, u);
  t.notMatch(consumer, /graph\.qq\.com:\d|open\.t\.qq\.com:\d|localhost:8080/, 'no port or local address');
});

// ---- run the build, CMD and HEALTHCHECK as written ------------------------------------------
// The build is `npm run build` (tsc -p tsconfig.json, then the bundle). npm ci's prepare step
// (bin/prepare.js) has run it into dist/ already (CI: .ci/run); when dist/ is missing or older
// than a source (test/dist.ts), the CMD file is bundled into a scratch folder under
// node_modules/.cache instead, so the compiled files resolve this checkout's node_modules the way /app/dist resolves
// /app/node_modules (dist/ itself is left alone: other test files may be running it).
const reuseDist = freshDist(cmd[1]);
let out = join(root, 'dist');
if (!reuseDist) {
  // a fresh `npm ci` has no node_modules/.cache yet
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  out = mkdtempSync(join(root, 'node_modules', '.cache', 'emu-docker-'));
}
const work = mkdtempSync(join(tmpdir(), 'emu-docker-data-'));
const children: ChildProcess[] = [];
t.teardown(() => {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGTERM');
  if (!reuseDist) rmSync(out, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Starts the compiled CMD with the image's environment (port 0, scratch db); resolves the port. */
function startCompiled(extra: Record<string, string>): Promise<{ port: number; child: ChildProcess }> {
  const script = join(out, cmd[1].replace(/^dist\//, ''));
  const child = spawn(process.execPath, [script, ...cmd.slice(2)], {
    cwd: root,
    // port 0 and no TLS twin: this runs on the shared host network (the namespace test binds 80/443)
    env: { ...process.env, ...dockerEnv, EMU_PORT: '0', EMU_HTTPS_PORT: '0', EMU_CA_DIR: join(work, 'ca'), EMU_DB: join(work, `world-${children.length}.sqlite`), ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no listening line: ${text}`)), 30_000);
    const on = (d: Buffer) => {
      text += d;
      const m = /listening on https?:\/\/[^\s]*:(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), child });
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}
const runHealth = (env: Record<string, string>) =>
  spawnSync(healthCmd[0] === 'node' ? process.execPath : healthCmd[0], healthCmd.slice(1), {
    cwd: root,
    env: { ...process.env, ...dockerEnv, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    process.kill(child.pid!, 'SIGTERM');
  });

t.test('npm run build produces the CMD file; it starts with the image env and the HEALTHCHECK passes', async (t) => {
  if (reuseDist) t.pass(`dist/ from npm run build (npm ci's prepare step) is newer than every source: reused`);
  else {
    const build = bundleInto(join(out, cmd[1].replace(/^dist\//, '')));
    t.equal(build.status, 0, `bundle: ${build.stdout}${build.stderr}`);
  }
  const script = join(out, cmd[1].replace(/^dist\//, ''));
  t.ok(existsSync(script), `${cmd[1]} exists after the build`);
  const { port, child } = await startCompiled({});
  t.ok(port > 0);
  const ok = runHealth({ EMU_PORT: String(port) });
  t.equal(ok.status, 0, `healthy: ${ok.stderr}`);
  // the health URL answers what the script checks
  const res = await fetch(`http://127.0.0.1:${port}/_emulator/health`);
  t.equal(res.status, 200);
  t.equal(await stop(child), 0, 'SIGTERM stops it cleanly (exit 0), as `docker stop` does');
  const down = runHealth({ EMU_PORT: String(port) });
  t.equal(down.status, 1, 'unhealthy once stopped');
  t.match(down.stderr, /unhealthy/);
});

t.test("the build stage's warm start, as written, keeps the seeded world and the code cache; the CMD then uses them", async (t) => {
  const warm = stages[0].filter((i) => i.op === 'RUN').map((i) => i.args).find((a) => a.includes('bin/warm-cache.js'));
  t.ok(warm, 'the build stage runs bin/warm-cache.js');
  // `node bin/warm-cache.js dist/tencent-open-emulator.js && ls <cache>/world-…sqlite <cache>/code-….v8`
  const m = /^node (bin\/warm-cache\.js) (dist\/\S+)/.exec(warm!)!;
  t.equal(m[2], cmd[1], 'it starts the CMD file');
  const cache = mkdtempSync(join(work, 'cache-'));
  const r = spawnSync(process.execPath, [join(root, m[1]), join(out, m[2].replace(/^dist\//, ''))], { cwd: root, env: { ...process.env, EMU_CACHE_DIR: cache }, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, `warm-cache: ${r.stdout}${r.stderr}`);
  const globs = [...warm!.matchAll(/node_modules\/\.cache\/tencent-open-emulator\/(\S+)/g)].map((g) => g[1]);
  t.same(globs.map((g) => g.replace(/-\*.*$/, '')), ['world-s1-small', 'code'], "the RUN's ls names the world image and the code cache");
  const names = readdirSync(cache);
  for (const g of globs) {
    const re = new RegExp(`^${g.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
    t.ok(names.some((n) => re.test(n)), `${g} kept (${names.join(', ')})`);
  }
  const code = names.find((n) => n.startsWith('code-'))!;
  const bytes = readFileSync(join(cache, code));
  const { port, child } = await startCompiled({ EMU_CACHE_DIR: cache });
  const info = (await (await fetch(`http://127.0.0.1:${port}/_emulator/info`)).json()) as { codeCache?: string; counts: { tweets: number } };
  t.equal(info.codeCache, 'used', "the CMD's start compiled the bundle from the kept code cache");
  t.equal(info.counts.tweets, 3000);
  t.equal(await stop(child), 0);
  t.same(readFileSync(join(cache, code)), bytes, 'a used cache is not written again (the runtime user cannot)');
  const bad = spawnSync(process.execPath, [join(root, m[1]), join(out, m[2].replace(/^dist\//, '')), '--seed', 'x'], { cwd: root, env: { ...process.env, EMU_CACHE_DIR: cache }, encoding: 'utf8', timeout: 60_000 });
  t.equal(bad.status, 1, 'a start that fails fails the build step');
  t.match(bad.stderr, /warm-cache: the start exited 2\n[^]*--seed/, "with the server's own line");
});

t.test('with EMU_HTTPS=1 the compiled server generates certs on the volume and the HEALTHCHECK passes over TLS', async (t) => {
  const certDir = join(work, 'certs');
  const { port, child } = await startCompiled({ EMU_HTTPS: '1', EMU_CERT_DIR: certDir });
  t.ok(existsSync(join(certDir, 'ca.pem')), 'ca.pem written for containers to trust');
  const ok = runHealth({ EMU_PORT: String(port), EMU_HTTPS: '1', EMU_CERT_DIR: certDir });
  t.equal(ok.status, 0, `healthy over https: ${ok.stderr}`);
  const plain = runHealth({ EMU_PORT: String(port), EMU_HTTPS: '0' });
  t.equal(plain.status, 1, 'plain HTTP against the TLS port is unhealthy');
  t.equal(await stop(child), 0);
});
