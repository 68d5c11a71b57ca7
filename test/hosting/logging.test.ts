// Structured logs: JSON lines by default, pino-pretty for a developer at a terminal.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../helpers.js';
import { bundleOfCheckout, ROOT } from '../dist.js';
import { loggerExtras } from '../../server/logging.js';

t.test('pretty only on a TTY outside production, and only when pino-pretty is installed', async (t) => {
  t.same(loggerExtras({}, false, true), {}, 'not a TTY (docker logs, CI): JSON lines');
  t.same(loggerExtras({ NODE_ENV: 'production' }, true, true), {}, 'production: JSON lines');
  t.same(loggerExtras({}, true, false), {}, 'pino-pretty missing (npm ci --omit=dev): JSON lines');
  t.equal(loggerExtras({}, true, true).transport?.target, 'pino-pretty');
  t.equal(loggerExtras({ NODE_ENV: 'development' }, true, true).transport?.target, 'pino-pretty');
  t.equal(loggerExtras({ EMU_LOG_PRETTY: '1' }, false, true).transport?.target, 'pino-pretty', 'forced on');
  t.same(loggerExtras({ EMU_LOG_PRETTY: '0' }, true, true), {}, 'forced off');
  t.equal(loggerExtras({ EMU_LOG_PRETTY: '1' }, false).transport?.target, 'pino-pretty', 'pino-pretty is installed here');
});

t.test('the pino-pretty transport prints readable request lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'out.log');
  const extras = loggerExtras({ EMU_LOG_PRETTY: '1' }, false);
  extras.transport!.options = { ...extras.transport!.options, destination: file, mkdir: true, sync: true };
  const app = await build({ logger: extras, logLevel: 'info' });
  const res = await app.inject({ method: 'GET', url: '/graph.qq.com/oauth2.0/me?access_token=nope' });
  t.equal(res.statusCode, 200);
  await app.close();
  // the transport runs in a worker: wait until it has written
  let text = '';
  for (let i = 0; i < 50 && !/request completed/.test(text); i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      text = readFileSync(file, 'utf8');
    } catch {}
  }
  t.match(text, /INFO/);
  t.match(text, /incoming request/);
  t.match(text, /request completed/);
  t.notMatch(text, /^\{"level"/m, 'not raw JSON lines');
});

// The one-file build carries pino inside it, but a transport's worker thread starts from files in
// node_modules (server/logging.ts names them): both kinds of log line, from the bundle itself.
t.test('the one-file build writes JSON lines, and pino-pretty lines when asked', async (t) => {
  const { bundle, drop } = bundleOfCheckout('emu-log-bundle-');
  t.teardown(drop);
  const logged = async (pretty: '0' | '1') => {
    const child = spawn(process.execPath, [bundle, '--port', '0', '--log-level', 'info'], {
      cwd: ROOT,
      env: { ...process.env, EMU_LOG_PRETTY: pretty },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
    let text = '';
    child.stdout!.on('data', (d) => (text += d));
    child.stderr!.on('data', (d) => (text += d));
    const exited = new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 300 && !/listening on http:\/\/[^\s]*:\d+/.test(text); i++) await new Promise((r) => setTimeout(r, 20));
    const port = /listening on http:\/\/[^\s]*:(\d+)/.exec(text)?.[1];
    t.ok(port, `listening: ${text}`);
    t.equal((await fetch(`http://127.0.0.1:${port}/_emulator/health`)).status, 200);
    for (let i = 0; i < 100 && !/request completed/.test(text); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await exited;
    return text;
  };
  const json = await logged('0');
  t.match(json, /^\{"level":30,.*"msg":"incoming request"\}$/m, 'JSON lines');
  const pretty = await logged('1');
  t.match(pretty, /INFO.*: request completed/);
  t.notMatch(pretty, /^\{"level"/m, 'not raw JSON lines');
  t.notMatch(pretty, /Error|Cannot find/, 'the transport started');
});
