// Extra listeners (server/listen.ts) on real ports: the control plane on its own port (404 on the
// public one), one port per platform (the other platform's paths 404 there), a real OAuth 1.0a
// client on the weibo port, HTTPS extra listeners, the flags, and start.ts printing every address.
import t from 'tap';
import https from 'node:https';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import oauth from 'oauth';
import type { FastifyInstance } from 'fastify';
import { build, graphCreds, qs, WEIBO, PNG_1x1, oauthParams, sign, authHeader } from '../helpers.js';
import { listen, type BoundListener } from '../../server/listen.js';
import { routeDocs } from '../../server/openapi.js';
import { DEFAULTS, HELP, loadConfig } from '../../server/config.js';
import { ensureCerts } from '../../server/tls.js';
import { START } from '../dist.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Origins = Record<BoundListener['name'], string>;
const originsOf = (bound: BoundListener[]): Origins => Object.fromEntries(bound.map((b) => [b.name, b.url])) as Origins;

/** The app's not-found answer: what any unknown path gets. */
const isNotFound = (status: number, body: string) => status === 404 && /"ret":-9/.test(body) && /api does not exist/.test(body);

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; type: string }> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') ?? '' };
}

async function started(opts: Parameters<typeof build>[0] = {}, ports: Parameters<typeof listen>[1] = {}): Promise<{ app: FastifyInstance; o: Origins; bound: BoundListener[] }> {
  const app = await build(opts);
  const bound = await listen(app, { host: '127.0.0.1', port: 0, ...ports });
  return { app, o: originsOf(bound), bound };
}

t.test('config: --control-port / --graph-port / --weibo-port and their variables, default 0 (off)', async (t) => {
  t.equal(DEFAULTS.controlPort, 0);
  t.equal(DEFAULTS.graphPort, 0);
  t.equal(DEFAULTS.weiboPort, 0);
  const none = loadConfig([], {});
  t.same([none.controlPort, none.graphPort, none.weiboPort], [0, 0, 0]);
  const flags = loadConfig(['--control-port', '9000', '--graph-port', '9001', '--weibo-port', '9002'], { EMU_CONTROL_PORT: '1', EMU_GRAPH_PORT: '2', EMU_WEIBO_PORT: '3' });
  t.same([flags.controlPort, flags.graphPort, flags.weiboPort], [9000, 9001, 9002], 'flags win');
  const env = loadConfig([], { EMU_CONTROL_PORT: '7000', EMU_GRAPH_PORT: '7001', EMU_WEIBO_PORT: '7002' });
  t.same([env.controlPort, env.graphPort, env.weiboPort], [7000, 7001, 7002]);
  t.throws(() => loadConfig(['--control-port', 'x'], {}), /--control-port must be a non-negative integer/);
  for (const f of ['--control-port', 'EMU_CONTROL_PORT', '--graph-port', 'EMU_GRAPH_PORT', '--weibo-port', 'EMU_WEIBO_PORT']) t.match(HELP, f, `HELP names ${f}`);
});

t.test('no extra port configured: one listener, /_emulator/ on the main port as before', async (t) => {
  const { app, bound, o } = await started();
  t.teardown(() => app.close());
  t.same(bound.map((b) => b.name), ['main']);
  t.equal((await get(`${o.main}/_emulator/health`)).status, 200);
  t.equal((await get(`${o.main}/api/user/info?format=json`)).status, 200);
});

t.test('control port: /_emulator/ only there; the main port answers it like an unknown path', async (t) => {
  const { app, bound, o } = await started({}, { controlPort: 0 });
  t.same(bound.map((b) => b.name), ['main', 'control']);
  t.not(bound[0].port, bound[1].port);
  const unknown = await get(`${o.main}/no/such/path`);
  t.ok(isNotFound(unknown.status, unknown.body), 'the not-found answer of any unknown path');
  for (const path of ['/_emulator/health', '/_emulator/info', '/_emulator/console', '/_emulator/docs', '/_emulator/openapi.json', '/_emulator/nope', '/graph.qq.com/_emulator/health', '/%5Femulator/health', '/_%65mulator/info']) {
    const r = await get(`${o.main}${path}`);
    t.ok(isNotFound(r.status, r.body), `main ${path}: ${r.status} ${r.body.slice(0, 80)}`);
    t.equal(r.type, unknown.type, `main ${path}: same content type as an unknown path`);
  }
  const post = await get(`${o.main}/_emulator/reset`, { method: 'POST' });
  t.ok(isNotFound(post.status, post.body), 'POST reset on the main port: not found');
  // the control port serves the control plane, the console and the docs, and nothing else
  t.same(JSON.parse((await get(`${o.control}/_emulator/health`)).body), { status: 'ok' });
  t.equal((await get(`${o.control}/_emulator/info`)).status, 200);
  const page = await get(`${o.control}/_emulator/console`);
  t.equal(page.status, 200);
  t.match(page.type, /text\/html/);
  t.equal((await get(`${o.control}/_emulator/openapi.json`)).status, 200);
  t.equal((await get(`${o.control}/_emulator/docs`)).status, 200);
  t.equal((await get(`${o.control}/_emulator/reset`, { method: 'POST' })).status, 200);
  for (const path of ['/api/user/info?format=json', '/oauth2.0/me', '/mblogpic/00000000000000000000000000000000', '/cgi-bin/request_token']) {
    const r = await get(`${o.control}${path}`);
    t.ok(isNotFound(r.status, r.body), `control ${path}: not found`);
  }
  // the API still answers on the main port, and the journal (read on the control port) saw it
  const api = await get(`${o.main}/api/user/info?format=json`);
  t.equal(api.status, 200);
  t.match(JSON.parse(api.body), { ret: 3 });
  const journal = JSON.parse((await get(`${o.control}/_emulator/journal?path=/api/user/info`)).body) as { entries: { path: string }[] };
  t.ok(journal.entries.some((e) => e.path === '/api/user/info'), 'journalled');
  // closing the app closes the extra listener too
  await app.close();
  await t.rejects(fetch(`${o.control}/_emulator/health`), 'the control port is closed with the app');
});

t.test('control port with an admin token: 404 (not 401) on the main port, the token on the control port', async (t) => {
  const { app, o } = await started({ adminToken: 's3cret' }, { controlPort: 0 });
  t.teardown(() => app.close());
  const main = await get(`${o.main}/_emulator/info`, { headers: { authorization: 'Bearer s3cret' } });
  t.ok(isNotFound(main.status, main.body), 'main port: not found even with the token');
  t.equal((await get(`${o.main}/_emulator/info`)).status, 404, 'main port without the token: not found, no 401 telling the path exists');
  t.equal((await get(`${o.control}/_emulator/info`)).status, 401);
  t.equal((await get(`${o.control}/_emulator/info`, { headers: { authorization: 'Bearer s3cret' } })).status, 200);
  t.equal((await get(`${o.control}/_emulator/console`)).status, 200, 'the console page loads on the control port');
});

t.test('config.controlPort alone moves the control plane off the main port (start.ts path)', async (t) => {
  const app = await build({ controlPort: 1 });
  t.teardown(() => app.close());
  // inject arrives as the main listener
  const r = await app.inject({ method: 'GET', url: '/_emulator/health' });
  t.ok(isNotFound(r.statusCode, r.body), 'not served on the main listener');
  t.equal((await app.inject({ method: 'GET', url: '/api/user/info?format=json' })).statusCode, 200);
});

t.test('platform ports: every documented route on every listener', async (t) => {
  const { app, o } = await started({}, { controlPort: 0, graphPort: 0, weiboPort: 0 });
  t.teardown(() => app.close());
  const docs = routeDocs(app);
  t.ok(docs.length > 100, `${docs.length} routes`);
  const shared = /^\/(mblogpic|mbloghead)\//;
  const expected = (listener: keyof Origins, d: (typeof docs)[number]): boolean => {
    switch (listener) {
      case 'main':
        return d.platform !== 'emulator';
      case 'control':
        return d.platform === 'emulator';
      case 'graph':
        return d.platform === 'graph.qq.com' || shared.test(d.url);
      case 'weibo':
        return d.platform === 'open.t.qq.com';
    }
  };
  const seen = { graph: 0, weibo: 0, sharedOnGraph: 0 };
  for (const d of docs) {
    const path = d.url.replace(/:key/g, '0123456789abcdef0123456789abcdef').replace(/:[A-Za-z_]+/g, 'x');
    const method = d.methods[0];
    for (const listener of ['main', 'control', 'graph', 'weibo'] as const) {
      const r = await get(`${o[listener]}${path}`, { method });
      const served = !isNotFound(r.status, r.body);
      t.equal(served, expected(listener, d), `${listener} ${method} ${path} (${d.platform}): ${r.status} ${r.body.slice(0, 60)}`);
      if (served && listener === 'graph') seen.graph++;
      if (served && listener === 'weibo') seen.weibo++;
      if (served && listener === 'graph' && d.platform === 'open.t.qq.com') seen.sharedOnGraph++;
    }
  }
  t.ok(seen.graph > 20 && seen.weibo > 50, `served ${JSON.stringify(seen)}`);
  t.equal(seen.sharedOnGraph, 4, 'the four /mblogpic and /mbloghead routes are on the graph port too');
  // the host-name prefix of the other platform does not reach it either
  t.ok(isNotFound((await get(`${o.graph}/open.t.qq.com/api/user/info?format=json`)).status, (await get(`${o.graph}/open.t.qq.com/api/user/info?format=json`)).body));
  const pre = await get(`${o.weibo}/open.t.qq.com/api/user/info?format=json`);
  t.match(JSON.parse(pre.body), { ret: 3 }, 'its own prefix is fine');
});

t.test('graph port: an OpenAPI call and the avatar links it generates point at the graph port', async (t) => {
  const { app, o } = await started({}, { graphPort: 0 });
  t.teardown(() => app.close());
  const c = graphCreds(app, 'alice');
  const r = await get(`${o.graph}/user/get_user_info?${qs(c)}`);
  t.equal(r.status, 200);
  const b = JSON.parse(r.body) as { ret: number; nickname: string; figureurl_qq_1: string; figureurl: string };
  t.equal(b.ret, 0, r.body);
  t.ok(b.figureurl_qq_1.startsWith(`${o.graph}/qqapp/`), `figureurl_qq_1 ${b.figureurl_qq_1}`);
  t.ok(b.figureurl.startsWith(`${o.graph}/qzapp/`), `figureurl ${b.figureurl}`);
  const pic = await get(b.figureurl_qq_1);
  t.notOk(isNotFound(pic.status, pic.body), `the avatar link answers on the graph port (${pic.status})`);
  const weiboOnGraph = await get(`${o.graph}/api/user/info?format=json`);
  t.ok(isNotFound(weiboOnGraph.status, weiboOnGraph.body));
});

t.test('weibo port: node-oauth dance and signed calls; base URI and links use the weibo port', async (t) => {
  const { app, o } = await started({}, { graphPort: 0, weiboPort: 0 });
  t.teardown(() => app.close());
  app.world.rules.postBurst = 0;
  const W = o.weibo;
  const oa = new oauth.OAuth(`${W}/cgi-bin/request_token`, `${W}/cgi-bin/access_token`, WEIBO.appid, WEIBO.secret, '1.0', 'http://localhost:3000/weibo/callback', 'HMAC-SHA1');
  const rt = await new Promise<{ token: string; secret: string }>((resolve, reject) => oa.getOAuthRequestToken((err, token, secret) => (err ? reject(err) : resolve({ token, secret }))));
  t.match(rt.token, /^[0-9a-f]{32}$/);
  const auth = await fetch(`${W}/cgi-bin/authorize?oauth_token=${rt.token}&emu_user=bob`, { redirect: 'manual' });
  t.equal(auth.status, 302);
  const verifier = new URL(auth.headers.get('location')!).searchParams.get('oauth_verifier')!;
  const at = await new Promise<{ token: string; secret: string; name: unknown }>((resolve, reject) =>
    oa.getOAuthAccessToken(rt.token, rt.secret, verifier, (err, token, secret, results) => (err ? reject(err) : resolve({ token, secret, name: (results as { name?: unknown }).name }))),
  );
  t.equal(at.name, 'bob');
  const oaGet = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve) =>
      oa.get(url, at.token, at.secret, (err, data, res) => {
        const e = err as { statusCode?: number; data?: string } | null;
        resolve({ status: e?.statusCode ?? res?.statusCode ?? 0, body: String(e?.data ?? data ?? '') });
      }),
    );
  const info = await oaGet(`${W}/api/user/info?format=json`);
  t.equal(info.status, 200);
  t.match(JSON.parse(info.body), { ret: 0, data: { name: 'bob' } }, 'signed GET on the weibo port');
  const onGraph = await oaGet(`${o.graph}/api/user/info?format=json`);
  t.ok(isNotFound(onGraph.status, onGraph.body), 'the same call on the graph port: not found');

  // a signature over the main port's URL does not verify on the weibo port: the base URI is the port called
  const creds = { consumerKey: WEIBO.appid, token: at.token };
  const wrongBase = oauthParams(creds, {}, app.world.clock.now());
  const sigMain = sign('GET', `${o.main}/api/user/info`, { format: 'json', ...wrongBase }, WEIBO.secret, at.secret);
  const refused = JSON.parse((await get(`${W}/api/user/info?format=json`, { headers: { authorization: authHeader({ ...wrongBase, oauth_signature: sigMain }) } })).body);
  t.match(refused, { ret: 3 }, 'signed for the main port: refused on the weibo port');
  const okParams = oauthParams(creds, {}, app.world.clock.now());
  const sigWeibo = sign('GET', `${W}/api/user/info`, { format: 'json', ...okParams }, WEIBO.secret, at.secret);
  t.match(JSON.parse((await get(`${W}/api/user/info?format=json`, { headers: { authorization: authHeader({ ...okParams, oauth_signature: sigWeibo }) } })).body), { ret: 0 }, 'signed for the weibo port: accepted');

  // t/add_pic (multipart, oauth in the header): the picture link points at the weibo port and answers there
  const p = oauthParams(creds, {}, app.world.clock.now());
  const fields = { format: 'json', content: `weibo port pic ${Date.now()}`, clientip: '127.0.0.1' };
  const sig = sign('POST', `${W}/api/t/add_pic`, { ...fields, ...p }, WEIBO.secret, at.secret);
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('pic', new Blob([PNG_1x1], { type: 'image/png' }), 'p.png');
  const added = JSON.parse((await get(`${W}/api/t/add_pic`, { method: 'POST', body: form, headers: { authorization: authHeader({ ...p, oauth_signature: sig }) } })).body) as { ret: number; data: { id: string } };
  t.equal(added.ret, 0, JSON.stringify(added));
  const shown = JSON.parse((await oaGet(`${W}/api/t/show?format=json&id=${added.data.id}`)).body) as { ret: number; data: { image: string[] } };
  t.equal(shown.ret, 0);
  const img = shown.data.image?.[0] ?? '';
  t.ok(img.startsWith(`${W}/mblogpic/`), `image link on the weibo port: ${img}`);
  const bytes = await fetch(`${img}/460`);
  t.equal(bytes.status, 200, 'the picture answers on the weibo port');
  t.same(Buffer.from(await bytes.arrayBuffer()), PNG_1x1, 'the uploaded bytes');
  t.equal((await fetch(img.replace(W, o.graph))).status, 200, 'and on the graph port (graph answers link to /mblogpic too)');
});

t.test('HTTPS: the extra listeners use the same key and certificate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-listen-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tls = ensureCerts(dir);
  const { app, bound, o } = await started({ tls: { key: tls.key, cert: tls.cert } }, { controlPort: 0, weiboPort: 0 });
  t.teardown(() => app.close());
  t.ok(bound.every((b) => b.url.startsWith('https://')), bound.map((b) => b.url).join(' '));
  const hget = (origin: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(origin);
      https
        .get({ host: '127.0.0.1', port: Number(u.port), path, servername: 'localhost', ca: tls.ca, agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  t.equal((await hget(o.control, '/_emulator/health')).status, 200, 'control port over TLS, trusted with ca.pem');
  const api = await hget(o.weibo, '/api/user/info?format=json');
  t.match(JSON.parse(api.body), { ret: 3 }, 'weibo port over TLS');
  t.equal((await hget(o.main, '/_emulator/health')).status, 404);
});

/** A port free right now (listen on 0, close). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

t.test('start.ts prints every address; bin/healthcheck.js follows EMU_CONTROL_PORT', async (t) => {
  const [cp, gp, wp] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [START, '--port', '0', '--control-port', String(cp), '--graph-port', String(gp)], {
    cwd: root,
    env: { ...process.env, EMU_WEIBO_PORT: String(wp), EMU_DB: ':memory:' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    child.kill('SIGTERM');
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 30000);
    child.stdout.on('data', () => {
      if (/weibo port /.test(out) && /answers 404/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
  const main = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  t.ok(main, out);
  t.match(out, `control port http://127.0.0.1:${cp}`);
  t.match(out, `graph port http://127.0.0.1:${gp}`);
  t.match(out, `weibo port http://127.0.0.1:${wp}`);
  t.match(out, `console http://127.0.0.1:${cp}/_emulator/console · docs http://127.0.0.1:${cp}/_emulator/docs`, 'the console and docs URLs, on the control port');
  t.equal((await get(`http://127.0.0.1:${cp}/_emulator/health`)).status, 200);
  t.equal((await get(`${main}/_emulator/health`)).status, 404);
  t.match(JSON.parse((await get(`http://127.0.0.1:${gp}/oauth2.0/me?fmt=json`)).body), { error: 100007 });
  t.match(JSON.parse((await get(`http://127.0.0.1:${wp}/api/user/info?format=json`)).body), { ret: 3 });
  const health = (env: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const h = spawn(process.execPath, [join(root, 'bin', 'healthcheck.js')], { env: { ...process.env, EMU_HOST: '127.0.0.1', ...env }, stdio: 'ignore' });
      h.on('exit', (c) => resolve(c ?? -1));
    });
  const port = new URL(main!).port;
  t.equal(await health({ EMU_PORT: port, EMU_CONTROL_PORT: String(cp) }), 0, 'healthy through the control port');
  t.equal(await health({ EMU_PORT: port, EMU_CONTROL_PORT: '0' }), 1, 'the main port alone answers 404: unhealthy');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await t.rejects(fetch(`http://127.0.0.1:${cp}/_emulator/health`), 'stopped: the control port is closed');
});
