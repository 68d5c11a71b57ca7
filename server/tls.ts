// HTTPS (--https, --https-port, --*-https-port). On first start a private CA and a server
// certificate for the emulated host names are generated into certDir with the `openssl` CLI:
//   ca.pem          the CA certificate: give it to clients/containers to trust (NODE_EXTRA_CA_CERTS,
//                   update-ca-certificates, curl --cacert …); also served at GET /_emulator/ca.pem
//                   and copied to caDir (--ca-dir), the folder meant for mounting into app containers
//   ca-key.pem      the CA key (mode 0600; kept so the server certificate can be re-issued). It never
//                   leaves certDir: keep certDir out of app containers, mount caDir instead
//   server.pem      the server certificate (SAN graph.qq.com, open.t.qq.com, localhost, 127.0.0.1, ::1)
//   server-key.pem  its key (mode 0600)
// The CA carries a critical X.509 name constraint (RFC 5280 §4.2.1.10) to those names and the
// loopback addresses, so trusting it cannot make any other site trustworthy, even if its key leaks.
// Later starts reuse the files, so a CA trusted once stays valid. The openssl CLI is used because
// Node's crypto cannot issue X.509 certificates and it avoids a runtime dependency; the Docker
// image installs it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CERT_HOSTS = ['graph.qq.com', 'open.t.qq.com', 'localhost'] as const;
export const CERT_IPS = ['127.0.0.1', '::1'] as const;

/** What the CA may vouch for: the emulated names (and their subdomains), localhost and loopback. */
export const NAME_CONSTRAINTS = [
  ...CERT_HOSTS.map((h) => `permitted;DNS:${h}`),
  'permitted;IP:127.0.0.0/255.0.0.0',
  'permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
].join(',');

export interface TlsMaterial {
  key: string;
  /** server certificate followed by the CA (the chain a client receives) */
  cert: string;
  ca: string;
  caPath: string;
  /** true when this call generated the files */
  generated: boolean;
  /** how long generating took (0 when reused) */
  ms: number;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('--https needs the `openssl` command to generate certificates (install openssl, or put ca.pem/server.pem/server-key.pem in --cert-dir)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? err.message}`);
  }
}

/** Reads the certificates in `dir`, generating a CA and a server certificate when they are missing. */
export function ensureCerts(dir: string, caDir?: string): TlsMaterial {
  const p = (f: string) => join(dir, f);
  let generated = false;
  const started = Date.now();
  if (!existsSync(p('server.pem')) || !existsSync(p('server-key.pem')) || !existsSync(p('ca.pem'))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    if (!existsSync(p('ca.pem')) || !existsSync(p('ca-key.pem'))) {
      openssl(['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '3650', '-sha256',
        '-subj', '/O=tencent-open-emulator/CN=tencent-open-emulator local CA',
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
        '-addext', `nameConstraints=critical,${NAME_CONSTRAINTS}`], dir);
    }
    const san = [...CERT_HOSTS.map((h) => `DNS:${h}`), ...CERT_IPS.map((ip) => `IP:${ip}`)].join(',');
    writeFileSync(p('server.ext'), [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`,
      '',
    ].join('\n'));
    openssl(['req', ...ec, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', `/O=tencent-open-emulator/CN=${CERT_HOSTS[0]}`], dir);
    // 825 days: the longest validity Apple/Chrome accept for a server certificate
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial',
      '-out', 'server.pem', '-days', '825', '-sha256', '-extfile', 'server.ext'], dir);
    for (const f of ['server.csr', 'server.ext', 'ca.srl']) rmSync(p(f), { force: true });
    for (const f of ['ca-key.pem', 'server-key.pem']) chmodSync(p(f), 0o600);
    generated = true;
  }
  const ms = generated ? Date.now() - started : 0;
  const ca = readFileSync(p('ca.pem'), 'utf8');
  const cert = readFileSync(p('server.pem'), 'utf8');
  let caPath = p('ca.pem');
  if (caDir && resolve(caDir) !== resolve(dir)) {
    // the public half alone, in the folder app containers mount (read-only)
    mkdirSync(caDir, { recursive: true });
    caPath = join(caDir, 'ca.pem');
    if (!existsSync(caPath) || readFileSync(caPath, 'utf8') !== ca) writeFileSync(caPath, ca, { mode: 0o644 });
  }
  return { key: readFileSync(p('server-key.pem'), 'utf8'), cert: cert.trimEnd() + '\n' + ca, ca, caPath, generated, ms };
}
