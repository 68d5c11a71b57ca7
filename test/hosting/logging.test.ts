// Structured logs: JSON lines by default, pino-pretty for a developer at a terminal.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../helpers.js';
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
