// Issue 11 item 8: start-up and shutdown as an operator sees them, through the real process:
// bin/tencent-open-emulator.js as `npm start` runs it (test/dist.ts START: the bundle when dist/ is
// fresh), and once `node --import tsx server/start.ts` as `npm run dev` runs it. A bad setting or environment is one line
// on stderr naming the flag or path and the fix, no stack trace, exit 2 (1 for a busy port);
// SIGINT/SIGTERM logs "shutting down", waits at most --shutdown-timeout for in-flight requests,
// a second signal exits at once, and the store is checkpointed and closed either way.
import t, { type Test } from 'tap';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { START } from '../dist.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'emu-operator-'));
chmodSync(tmp, 0o755);
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

/** children still running when the file ends (a failed case) are killed, never left listening */
const children = new Set<ChildProcess>();
t.teardown(() => {
  for (const c of children) c.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<{ code: number | null; ms: number }>;
}

function start(args: string[], opts: { uid?: number; gid?: number; dev?: boolean } = {}): Run {
  const { dev, ...spawnOpts } = opts;
  const env: NodeJS.ProcessEnv = { ...process.env, EMU_LOG_PRETTY: '0', EMU_HOST: '127.0.0.1' };
  // dev: the sources through tsx (`npm run dev`); else what `npm start` runs
  const node = dev ? [process.execPath, '--import', 'tsx', join(root, 'server', 'start.ts'), ...args] : [process.execPath, START, ...args];
  // another user cannot write tap's process-info files: its loader hooks (NODE_OPTIONS, which tap
  // adds to every spawn) are left out through env -u
  const [cmd, ...argv] = opts.uid !== undefined ? ['/usr/bin/env', '-u', 'NODE_OPTIONS', ...node] : node;
  const child = spawn(cmd, argv, { cwd: root, env, ...spawnOpts });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const begun = Date.now();
  let signalledAt = 0;
  const kill = child.kill.bind(child);
  child.kill = (s?: NodeJS.Signals | number) => ((signalledAt ||= Date.now()), kill(s));
  const exit = new Promise<{ code: number | null; ms: number }>((resolve) => child.on('exit', (code) => resolve({ code, ms: Date.now() - (signalledAt || begun) })));
  return { child, out: () => out, err: () => err, exit };
}

/** Resolves with the main URL once the start line is printed. */
function listening(r: Run): Promise<string> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(r.out());
      if (m) resolve(m[1]);
    };
    r.child.stdout!.on('data', look);
    r.exit.then(() => reject(new Error(`exited before listening: ${r.err()}`)));
  });
}

function oneClearLine(t: Test, err: string, ...mentions: (string | RegExp)[]) {
  const lines = err.trimEnd().split('\n');
  t.equal(lines.length, 1, `one line: ${err}`);
  t.notMatch(err, /\n\s+at |Error:|node_modules/, 'no stack trace');
  for (const m of mentions) t.match(lines[0], m);
}

t.test('bad flag values: one line naming the flag and what it accepts, exit 2', async (t) => {
  const cases: [string[], RegExp[]][] = [
    [['--port', '99999'], [/--port/, /0 to 65535/, /99999/]],
    [['--size', 'huge'], [/--size/, /small, medium or a tweet count/, /huge/]],
    [['--log-level', 'loud'], [/--log-level/, /fatal, error, warn, info, debug/, /loud/]],
    [['--headers-timeout', '60', '--request-timeout', '30'], [/--headers-timeout/, /--request-timeout/]],
    [['--db', join(tmp, 'missing', 'w.sqlite')], [/--db/, /does not exist/, /:memory:/]],
  ];
  await Promise.all(
    cases.map(async ([args, mentions]) => {
      const r = start(args);
      const { code } = await r.exit;
      t.equal(code, 2, `${args.join(' ')}: exit 2`);
      oneClearLine(t, r.err(), ...mentions);
    }),
  );
});

t.test('--db in a directory the user cannot write: one line naming the path and the fix, exit 2', async (t) => {
  const dir = join(tmp, 'readonly');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  // root writes anywhere: run the server as nobody in a directory nobody cannot write
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, 0, 0);
  chmodSync(dir, 0o555);
  const r = start(['--db', join(dir, 'w.sqlite')], asRoot ? { uid: 65534, gid: 65534 } : {});
  const { code } = await r.exit;
  t.equal(code, 2, 'exit 2');
  oneClearLine(t, r.err(), dir, /cannot create files/, /EACCES/, /--db/);
});

t.test('a port already in use: one line naming it and --port, exit 1', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const r = start(['--port', String(port)]);
  const { code } = await r.exit;
  t.equal(code, 1, 'exit 1');
  oneClearLine(t, r.err(), `127.0.0.1:${port}`, /already in use \(EADDRINUSE\)/, /--port/);
});

/** Starts a server on a store file, writes through it, and parks one request behind a 20 s fault. */
async function busyServer(name: string, shutdownTimeout: number) {
  const db = join(tmp, `${name}.sqlite`);
  const r = start(['--port', '0', '--db', db, '--shutdown-timeout', String(shutdownTimeout)]);
  const url = await listening(r);
  const app = await (await fetch(`${url}/_emulator/apps`, { method: 'POST', body: new URLSearchParams({ platform: 'graph', name: `app-${name}` }) })).json();
  const fault = await fetch(`${url}/_emulator/faults`, { method: 'POST', body: new URLSearchParams({ path: '/oauth2.0/me', delayMs: '20000' }) });
  if (!fault.ok) throw new Error(`fault refused: ${await fault.text()}`);
  const inFlight = fetch(`${url}/oauth2.0/me`).then(
    (res) => res.status,
    () => 'cut',
  );
  await new Promise((resolve) => setTimeout(resolve, 300)); // the request is being served
  return { r, db, inFlight, appid: String(app.appid ?? app.app?.appid ?? '') };
}

function storeClosedAndHolds(t: Test, db: string, appName: string) {
  t.notOk(existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 0, 'no WAL left behind: checkpointed and closed');
  const file = new Database(db, { readonly: true });
  t.teardown(() => file.close());
  t.ok(file.prepare('SELECT 1 FROM apps WHERE name = ?').get(appName), 'the write made before the signal is in the store file');
}

t.test('SIGTERM with a request in flight: "shutting down", at most --shutdown-timeout, store closed', async (t) => {
  const { r, db, inFlight } = await busyServer('term', 1);
  r.child.kill('SIGTERM');
  const { code, ms } = await r.exit;
  t.match(r.out(), /SIGTERM: shutting down/, 'logs shutting down');
  t.match(r.out(), /still in flight after 1 s/, 'says it cut the request');
  t.ok(ms < 4000, `exited ${ms} ms after the signal (timeout 1 s; the fault delays 20 s)`);
  t.equal(code, 1, 'exit 1: a request was cut short');
  t.equal(await inFlight, 'cut', 'the in-flight request was closed');
  storeClosedAndHolds(t, db, 'app-term');
});

t.test('a second SIGINT exits at once, store still closed', async (t) => {
  const { r, db } = await busyServer('int', 60);
  r.child.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 300));
  r.child.kill('SIGINT');
  const { code, ms } = await r.exit;
  t.match(r.out(), /SIGINT: shutting down/);
  t.match(r.out(), /SIGINT again: closing in-flight requests and exiting now/);
  t.ok(ms < 3000, `exited ${ms} ms after the first signal (shutdown timeout 60 s)`);
  t.equal(code, 1);
  storeClosedAndHolds(t, db, 'app-int');
});

t.test('SIGTERM when idle (the sources through tsx, as `npm run dev`): exit 0 at once', async (t) => {
  const db = join(tmp, 'idle.sqlite');
  const r = start(['--port', '0', '--db', db], { dev: true });
  await listening(r);
  r.child.kill('SIGTERM');
  const { code, ms } = await r.exit;
  t.equal(code, 0);
  t.ok(ms < 3000, `exited ${ms} ms after the signal`);
  t.match(r.out(), /shutting down/);
  t.match(r.out(), /store checkpointed and closed/);
});
