// The image as a container sees it, without a Docker engine (issue 10): the Dockerfile's CMD with
// its ENV (ports 80 and 443), compiled, run inside a network namespace of its own (`unshare -n`,
// loopback up) and a mount namespace whose /etc/hosts sends graph.qq.com and open.t.qq.com to
// 127.0.0.1, as a compose network alias does. The server runs as an unprivileged user allowed to
// bind 80/443 by the net.ipv4.ip_unprivileged_port_start sysctl, as docker-compose.yml sets it. In
// the same namespaces examples/consumer.mjs (compose's example-app) calls the hard-coded URLs,
// trusting the CA by NODE_EXTRA_CA_CERTS alone: QQ code flow + get_user_info over HTTPS, OAuth 1.0a
// request token over HTTPS, signed api/t/add and read-back over plain HTTP.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleInto, freshDist } from '../dist.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---- the runtime stage of the Dockerfile: ENV and CMD as written ------------------------------
const lines = readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const runtime = lines.slice(lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true));
const env: Record<string, string> = {};
for (const l of runtime.filter((x) => /^ENV\s/i.test(x))) for (const m of l.slice(4).matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
const cmd = JSON.parse(runtime.find((l) => /^CMD\s/i.test(l))!.slice(4)) as string[];

/** Why this kernel / user cannot run the test (undefined: it can). */
function unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'unshare -n needs root (CI runs as root)';
  const probe = spawnSync('unshare', ['-n', '-m', 'true'], { encoding: 'utf8' });
  if (probe.error) return `no unshare command: ${probe.error.message}`;
  if (probe.status !== 0) return `the kernel refuses namespaces: ${probe.stderr.trim()}`;
  return undefined;
}

const why = unavailable();
t.test('the image start command on ports 80/443 in its own network namespace serves an unmodified client', { skip: why }, async (t) => {
  t.equal(cmd[0], 'node');
  t.equal(env.EMU_PORT, '80', 'the image listens on 80');
  t.equal(env.EMU_HTTPS_PORT, '443', 'and on 443');
  const scratch = mkdtempSync(join(tmpdir(), 'emu-netns-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  chmodSync(scratch, 0o755);
  // the compiled server: dist as CI built it (.ci/run, npm ci's prepare), or a build of our own
  // when the sources are newer
  let dist = join(root, 'dist');
  if (!freshDist(cmd[1])) {
    mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
    dist = mkdtempSync(join(root, 'node_modules', '.cache', 'emu-netns-'));
    t.teardown(() => rmSync(dist, { recursive: true, force: true }));
    const b = bundleInto(join(dist, cmd[1].replace(/^dist\//, '')));
    t.equal(b.status, 0, `bundle: ${b.stdout}${b.stderr}`);
    chmodSync(dist, 0o755);
  }
  const start = join(dist, cmd[1].replace(/^dist\//, ''));
  // what the container would have: its volumes (/data, /ca) here under scratch, writable by the user
  const data = join(scratch, 'data');
  const ca = join(scratch, 'ca');
  for (const d of [data, ca]) mkdirSync(d, { mode: 0o777 });
  chmodSync(data, 0o777);
  chmodSync(ca, 0o777);
  writeFileSync(join(scratch, 'hosts'), '127.0.0.1 localhost\n127.0.0.1 graph.qq.com open.t.qq.com\n::1 localhost\n');
  const serverEnv = { ...env, EMU_DB: join(data, 'world.sqlite'), EMU_CERT_DIR: join(data, 'certs'), EMU_CA_DIR: ca };
  const log = join(scratch, 'server.log');
  // non-root like the image's USER node, when setpriv is there (util-linux); else as root
  const asUser = spawnSync('setpriv', ['--version']).status === 0 ? 'setpriv --reuid=65534 --regid=65534 --clear-groups' : '';
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    'set -u',
    `mount --bind ${q(join(scratch, 'hosts'))} /etc/hosts || exit 90`,
    'ip link set lo up || exit 91',
    // docker-compose.yml's sysctl: unprivileged users may bind ports from 0
    'echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start || exit 92',
    `env -i PATH="$PATH" ${Object.entries(serverEnv).map(([k, v]) => `${k}=${q(v)}`).join(' ')} ${asUser} ${q(process.execPath)} ${q(start)} ${cmd.slice(2).map(q).join(' ')} > ${q(log)} 2>&1 &`,
    'SRV=$!',
    `i=0; until grep -q 'listening on' ${q(log)} 2>/dev/null; do i=$((i+1)); [ $i -gt 600 ] && exit 93; kill -0 $SRV 2>/dev/null || exit 94; sleep 0.05; done`,
    // the client: nothing but the real URLs and the CA from the environment
    `env -i PATH="$PATH" NODE_EXTRA_CA_CERTS=${q(join(ca, 'ca.pem'))} ${q(process.execPath)} ${q(join(root, 'examples', 'consumer.mjs'))}`,
    'RC=$?',
    'kill $SRV; wait $SRV',
    'exit $RC',
  ].join('\n');
  const started = Date.now();
  // a container's environment: nothing of this process's (`env -i` above: tap's process hooks add
  // NODE_OPTIONS to every spawn)
  const run = spawnSync('unshare', ['-n', '-m', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
  t.equal(run.status, 0, `namespace run: rc ${run.status}\n${run.stdout}${run.stderr}\nserver: ${serverLog}`);
  t.comment(`namespace run ${Date.now() - started} ms; ${serverLog.split('\n').filter(Boolean).join(' | ')}`);
  t.match(serverLog, /listening on http:\/\/127\.0\.0\.1:80 and https:\/\/127\.0\.0\.1:443/, 'one process, both schemes');
  const steps = Object.fromEntries(
    run.stdout.split('\n').filter(Boolean).map((l) => {
      const o = JSON.parse(l) as { step: string };
      return [o.step, o];
    }),
  ) as Record<string, Record<string, string>>;
  t.match(steps.qq, { openid: /^[0-9A-F]{32}$/, nickname: '鲍勃', figureurl: /^https:\/\/graph\.qq\.com\/qzapp\// }, 'QQ code flow + get_user_info over https://graph.qq.com');
  t.match(steps['weibo-login'], { name: 'bob' }, 'OAuth 1.0a over https://open.t.qq.com/cgi-bin/');
  t.match(steps.weibo, { id: /^\d+$/, name: 'bob', origtext: /unmodified app/ }, 'signed t/add and t/show over http://open.t.qq.com/api/');
  t.ok(steps.done, 'the consumer finished');
  // the folder apps mount holds the certificate alone; the CA key is 0600 on the data volume
  t.same(readdirSync(ca), ['ca.pem']);
  t.equal(statSync(join(data, 'certs', 'ca-key.pem')).mode & 0o077, 0);
  t.notMatch(serverLog, /Error|EACCES/, 'the server stopped cleanly');
});
