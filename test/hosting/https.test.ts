// Optional HTTPS: generated CA + server certificate, served by buildApp({ tls }).
import t from 'tap';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, graphCreds, qs } from '../helpers.js';
import { ensureCerts } from '../../server/tls.js';
import { loadConfig, DEFAULTS } from '../../server/config.js';

const dir = mkdtempSync(join(tmpdir(), 'emu-certs-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('config: --https / EMU_HTTPS=1 and --cert-dir', async (t) => {
  t.equal(DEFAULTS.https, false);
  t.equal(DEFAULTS.certDir, './data/certs');
  t.equal(loadConfig([], {}).https, false);
  t.equal(loadConfig(['--https'], {}).https, true);
  t.equal(loadConfig([], { EMU_HTTPS: '1' }).https, true);
  t.equal(loadConfig([], { EMU_HTTPS: '0' }).https, false);
  t.equal(loadConfig(['--cert-dir', '/x'], { EMU_CERT_DIR: '/y' }).certDir, '/x', 'flag wins');
  t.equal(loadConfig([], { EMU_CERT_DIR: '/y' }).certDir, '/y');
});

t.test('first start generates a CA and a server certificate; later starts reuse them', async (t) => {
  const first = ensureCerts(dir);
  t.equal(first.generated, true);
  for (const f of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem']) t.ok(existsSync(join(dir, f)), f);
  t.equal(statSync(join(dir, 'server-key.pem')).mode & 0o077, 0, 'key not readable by others');
  const ca = new X509Certificate(first.ca);
  const leaf = new X509Certificate(readFileSync(join(dir, 'server.pem')));
  t.ok(ca.ca, 'ca.pem is a CA');
  t.notOk(leaf.ca);
  t.ok(leaf.verify(ca.publicKey), 'server certificate signed by the CA');
  for (const h of ['graph.qq.com', 'open.t.qq.com', 'localhost']) t.equal(leaf.checkHost(h), h, `SAN ${h}`);
  t.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  t.equal(leaf.checkHost('qq.com'), undefined, 'no other names');
  const again = ensureCerts(dir);
  t.equal(again.generated, false);
  t.equal(again.ca, first.ca, 'the CA stays the same');
});

t.test('HTTPS on port 0: trusted with ca.pem, SNI graph.qq.com and open.t.qq.com → 200', async (t) => {
  const tls = ensureCerts(dir);
  const app = await build({ tls: { key: tls.key, cert: tls.cert } });
  t.teardown(() => app.close());
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  t.match(address, /^https:\/\//);
  const port = Number(new URL(address).port);
  const c = graphCreds(app, 'alice');
  const get = (servername: string, path: string, trust: 'ca' | 'system' = 'ca') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path, servername, ca: trust === 'ca' ? tls.ca : undefined, headers: { host: servername }, agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  const g = await get('graph.qq.com', `/user/get_user_info?${qs(c)}`);
  t.equal(g.status, 200);
  const info = JSON.parse(g.body);
  t.equal(info.ret, 0);
  t.match(info.figureurl, /^https:\/\/graph\.qq\.com\/qzapp\//, 'generated links are https');
  const me = await get('open.t.qq.com', `/oauth2.0/me?access_token=${c.access_token}`);
  t.equal(me.status, 200);
  t.match(me.body, c.openid);
  const pre = await get('localhost', `/graph.qq.com/oauth2.0/me?access_token=${c.access_token}`);
  t.equal(pre.status, 200, 'prefix over https with SNI localhost');
  // without the CA the certificate is refused
  await t.rejects(get('graph.qq.com', '/oauth2.0/me', 'system'), /self[- ]signed|unable to verify|certificate/i);
  // a name outside the certificate is refused
  await t.rejects(get('example.com', '/oauth2.0/me'), /altnames|Hostname\/IP does not match/i);
});
