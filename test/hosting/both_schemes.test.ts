// Both schemes in one process (issue 10): --port beside --https-port on one fastify instance and
// one world; links and OAuth 1.0a base strings follow the scheme and port called; plain HTTP sent
// to a TLS port gets a readable 400; GET /_emulator/ca.pem; the CA's name constraint.
import t from 'tap';
import https from 'node:https';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import oauth from 'oauth';
import { build, graphCreds, qs, weiboCreds, WEIBO } from '../helpers.js';
import { listen } from '../../server/listen.js';
import { HELP, loadConfig, needsTls } from '../../server/config.js';
import { ensureCerts } from '../../server/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'emu-both-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const certs = ensureCerts(join(dir, 'certs'), join(dir, 'ca'));
const tls = { key: certs.key, cert: certs.cert, ca: certs.ca };

interface Reply {
  status: number;
  body: string;
  type: string;
}

/** A request over TLS trusting the emulator's CA (SNI as given). */
function hreq(url: string, opts: { method?: string; body?: string; headers?: Record<string, string>; servername?: string } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', ca: certs.ca, servername: opts.servername ?? 'localhost', headers: opts.headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Plain HTTP/1.1 on a raw socket: what a client that got the scheme wrong sends. */
function plain(port: number, path: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', reject);
    s.on('end', () => {
      const [head, ...rest] = got.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head, body: rest.join('\r\n\r\n') });
    });
    s.write(`GET ${path} HTTP/1.1\r\nHost: graph.qq.com:${port}\r\nConnection: close\r\n\r\n`);
  });
}

t.test('config: --https-port / EMU_HTTPS_PORT and the --*-https-port twins', async (t) => {
  t.equal(loadConfig([], {}).httpsPort, 0);
  t.equal(loadConfig(['--https-port', '8443'], { EMU_HTTPS_PORT: '1' }).httpsPort, 8443, 'flag wins');
  t.equal(loadConfig([], { EMU_HTTPS_PORT: '443' }).httpsPort, 443);
  const c = loadConfig(['--graph-https-port', '1', '--weibo-https-port', '2', '--control-https-port', '3', '--ca-dir', '/ca'], {});
  t.same([c.graphHttpsPort, c.weiboHttpsPort, c.controlHttpsPort, c.caDir], [1, 2, 3, '/ca']);
  t.equal(needsTls(loadConfig([], {})), false);
  t.equal(needsTls(loadConfig(['--https-port', '443'], {})), true);
  t.equal(loadConfig(['--https-port', '443'], {}).https, false, '--https keeps its meaning (main port TLS) and is not implied');
  for (const f of ['--https-port', 'EMU_HTTPS_PORT', '--graph-https-port', '--weibo-https-port', '--control-https-port', '--ca-dir', 'EMU_CA_DIR']) t.match(HELP, f, `HELP names ${f}`);
});

t.test('--port + --https-port: one world on both schemes; links and base strings follow the scheme called', async (t) => {
  const app = await build({ tls, httpsPort: 1 });
  t.teardown(() => app.close());
  const bound = await listen(app, { host: '127.0.0.1', port: 0, httpsPort: 0 });
  t.same(bound.map((b) => [b.name, b.secure]), [['main', false], ['main', true]]);
  const [http, tlsUrl] = bound.map((b) => b.url);
  t.match(http, /^http:\/\//);
  t.match(tlsUrl, /^https:\/\//);

  // graph.qq.com over HTTPS (as its SDKs call it), links https on that port
  const g = graphCreds(app, 'alice');
  const info = await hreq(`${tlsUrl}/user/get_user_info?${qs(g)}`);
  t.equal(info.status, 200);
  t.match(JSON.parse(info.body), { ret: 0, figureurl: new RegExp(`^https://127\\.0\\.0\\.1:${bound[1].port}/`) }, "links are https on the TLS port");
  t.match((await (await fetch(`${http}/user/get_user_info?${qs(g)}`)).json()) as object, { ret: 0, figureurl: new RegExp(`^http://127\\.0\\.0\\.1:${bound[0].port}/`) }, 'and http on the plain port');

  // open.t.qq.com: a write over plain HTTP, read back over TLS: one world
  const c = weiboCreds(app, 'bob');
  const oa = new oauth.OAuth('', '', WEIBO.appid, WEIBO.secret, '1.0', null, 'HMAC-SHA1');
  const content = `both schemes ${Date.now()}`;
  const add = await fetch(oa.signUrl(`${http}/api/t/add?${qs({ format: 'json', content })}`, c.token, c.secret, 'POST'), { method: 'POST' });
  const added = (await add.json()) as { ret: number; data: { id: string } };
  t.equal(added.ret, 0, 'signed over http://127.0.0.1:<port>');
  const localhostTls = tlsUrl.replace('127.0.0.1', 'localhost');
  const show = await hreq(oa.signUrl(`${localhostTls}/api/t/show?${qs({ format: 'json', id: added.data.id })}`, c.token, c.secret, 'GET').replace('localhost', '127.0.0.1'), {
    headers: { host: `localhost:${bound[1].port}` },
  });
  t.match(JSON.parse(show.body), { ret: 0, data: { origtext: content } }, 'signed over https://localhost:<tls port>, the same tweet');
  // the plain port's base string does not verify on the TLS port
  const wrong = await hreq(oa.signUrl(`${http}/api/t/show?${qs({ format: 'json', id: added.data.id })}`, c.token, c.secret, 'GET').replace(http, tlsUrl));
  t.match(JSON.parse(wrong.body), { ret: 3, errcode: 9 }, 'signed for http://, sent to https://: refused');
  // one journal: the plain write and the TLS read are both in it, read over either scheme
  const journal = JSON.parse((await hreq(`${tlsUrl}/_emulator/journal?path=/api/t/*`)).body) as { entries: { path: string; method: string; ret: number }[] };
  t.same(journal.entries.map((e) => [e.method, e.path, e.ret]).reverse(), [['POST', '/api/t/add', 0], ['GET', '/api/t/show', 0], ['GET', '/api/t/show', 3]]);
  t.same((await (await fetch(`${http}/_emulator/journal?path=/api/t/*`)).json() as { entries: unknown[] }).entries, journal.entries, 'the same journal on the plain port');
});

t.test('plain HTTP on a TLS port: a readable 400 naming the https URL; TLS on the same port still works', async (t) => {
  const app = await build({ tls, httpsPort: 1 });
  t.teardown(() => app.close());
  const bound = await listen(app, { host: '127.0.0.1', port: 0, httpsPort: 0, graphHttpsPort: 0 });
  for (const b of bound.filter((x) => x.secure)) {
    const r = await plain(b.port, '/oauth2.0/me?x=1');
    t.equal(r.status, 400, `${b.name} ${b.url}`);
    t.match(r.head, /content-type: text\/plain/i);
    t.match(r.body, new RegExp(`speaks HTTPS.*\\n.*https://graph\\.qq\\.com:${b.port}/oauth2\\.0/me\\?x=1`, 's'), 'names the https URL');
    const ok = await hreq(`${b.url}/oauth2.0/me?access_token=${graphCreds(app).access_token}`);
    t.equal(ok.status, 200, 'TLS on the same port');
  }
  // --https (main port TLS) has the same guard
  const solo = await build({ tls });
  t.teardown(() => solo.close());
  const [main] = await listen(solo, { host: '127.0.0.1', port: 0 });
  t.equal(main.secure, true);
  t.equal((await plain(main.port, '/')).status, 400, 'main TLS port');
  // a client that connects and hangs up before a byte does not disturb the server
  await new Promise<void>((resolve) => net.connect(main.port, '127.0.0.1', function (this: net.Socket) {
    this.destroy();
    resolve();
  }));
  t.equal((await hreq(`${main.url}/_emulator/health`)).status, 200);
});

t.test('GET /_emulator/ca.pem: the CA certificate, never a key; 404 with HTTPS off', async (t) => {
  const app = await build({ tls, httpsPort: 1 });
  t.teardown(() => app.close());
  const r = await app.inject({ method: 'GET', url: '/_emulator/ca.pem' });
  t.equal(r.statusCode, 200);
  t.match(r.headers['content-type'], /application\/x-pem-file/);
  t.equal(r.body, certs.ca);
  t.match(r.body, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  t.notMatch(r.body, /PRIVATE KEY/);
  const off = await build();
  t.teardown(() => off.close());
  const none = await off.inject({ method: 'GET', url: '/_emulator/ca.pem' });
  t.equal(none.statusCode, 404);
  t.match(none.json(), { error: /HTTPS is off/ });
});

t.test('the CA: name-constrained, key apart (0600) from the ca folder made for mounting', async (t) => {
  const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'ca', 'ca.pem')], { encoding: 'utf8' });
  t.match(text, /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:graph\.qq\.com\s+DNS:open\.t\.qq\.com\s+DNS:localhost\s+IP:127\.0\.0\.0\/255\.0\.0\.0\s+IP:0:0:0:0:0:0:0:1\//);
  t.same(readdirSync(join(dir, 'ca')), ['ca.pem'], 'the ca folder holds the certificate alone');
  t.equal(statSync(join(dir, 'certs', 'ca-key.pem')).mode & 0o077, 0, 'CA key 0600');
  t.equal(certs.caPath, join(dir, 'ca', 'ca.pem'));
  // the emulator's own leaf verifies; a leaf the same CA signs for another name does not
  const certsDir = join(dir, 'certs');
  const verify = (leaf: string) => {
    try {
      return execFileSync('openssl', ['verify', '-CAfile', join(certsDir, 'ca.pem'), leaf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      return String((e as { stdout?: string }).stdout) + String((e as { stderr?: string }).stderr);
    }
  };
  t.match(verify(join(certsDir, 'server.pem')), /: OK/);
  const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'evil-key.pem', '-out', 'evil.csr', '-subj', '/CN=www.example.com']);
  writeFileSync(join(dir, 'evil.ext'), 'subjectAltName=DNS:www.example.com\n');
  ossl(['x509', '-req', '-in', 'evil.csr', '-CA', join(certsDir, 'ca.pem'), '-CAkey', join(certsDir, 'ca-key.pem'), '-CAcreateserial', '-out', 'evil.pem', '-days', '1', '-extfile', 'evil.ext']);
  t.match(verify(join(dir, 'evil.pem')), /permitted subtree violation|name constraint/i, 'a leaf for www.example.com does not verify');
});
