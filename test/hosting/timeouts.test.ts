// Issue 11 item 5: request and header timeouts on a real port. A body trickled a byte at a time or
// headers that never end are cut off after --request-timeout / --headers-timeout; a keep-alive
// connection still carries request after request, idle gaps included.
import t from 'tap';
import net from 'node:net';
import { build } from '../helpers.js';
import { DEFAULTS, loadConfig } from '../../server/config.js';

// the three socket sessions below are independent (a socket each) and mostly wait for the
// server's timers: they run side by side (tap's jobs: buffered subtests, output in order)
t.jobs = 4;

const app = await build({ requestTimeout: 1, headersTimeout: 1 });
await app.listen({ host: '127.0.0.1', port: 0 });
t.teardown(() => app.close());
const port = (app.server.address() as net.AddressInfo).port;

/** Opens a socket and collects what the server sends until it closes (or `within` ms pass). */
function session(within: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d));
  const started = Date.now();
  const closed = new Promise<{ ms: number; received: string; closed: boolean }>((resolve) => {
    const timer = setTimeout(() => resolve({ ms: Date.now() - started, received, closed: false }), within);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, received, closed: true });
    });
  });
  socket.on('error', () => {});
  return { socket, closed, received: () => received };
}

t.test('a body sent one byte every 300 ms is cut off by the request timeout', async (t) => {
  const s = session(6000);
  s.socket.write('POST /oauth2.0/me HTTP/1.1\r\nHost: graph.qq.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na');
  const drip = setInterval(() => s.socket.writable && s.socket.write('a'), 300);
  const r = await s.closed;
  clearInterval(drip);
  s.socket.destroy();
  t.ok(r.closed, `the server closed the connection (after ${r.ms} ms; timeout 1 s, checked every 1 s)`);
  t.ok(r.ms < 4000, 'within a few seconds');
  t.match(r.received, /^HTTP\/1\.1 408/, 'answered 408 Request Timeout');
});

t.test('headers that never end are cut off by the headers timeout', async (t) => {
  const s = session(6000);
  s.socket.write('GET /oauth2.0/me HTTP/1.1\r\nHost: graph.qq.com\r\nX-Slow: ');
  const r = await s.closed;
  s.socket.destroy();
  t.ok(r.closed && r.ms < 4000, `closed after ${r.ms} ms`);
});

t.test('keep-alive: one connection serves requests separated by idle gaps longer than the timeouts', async (t) => {
  const s = session(10000);
  const ask = async () => {
    const before = s.received().length;
    s.socket.write('GET /oauth2.0/me?fmt=json HTTP/1.1\r\nHost: graph.qq.com\r\n\r\n');
    for (let i = 0; i < 100 && !/\r\n\r\n[\s\S]*\}/.test(s.received().slice(before)); i++) await new Promise((r) => setTimeout(r, 20));
    return s.received().slice(before);
  };
  t.match(await ask(), /^HTTP\/1\.1 200[\s\S]*[Cc]onnection: keep-alive/, 'first answer keeps the connection');
  await new Promise((r) => setTimeout(r, 2200));
  t.match(await ask(), /^HTTP\/1\.1 200/, 'second answer on the same socket after a 2.2 s gap');
  s.socket.destroy();
});

t.test('settings: defaults, flags and variables', async (t) => {
  t.equal(DEFAULTS.requestTimeout, 30);
  t.equal(DEFAULTS.headersTimeout, 10);
  const c = loadConfig(['--request-timeout', '60', '--headers-timeout', '5'], {});
  t.same([c.requestTimeout, c.headersTimeout], [60, 5]);
  const e = loadConfig([], { EMU_REQUEST_TIMEOUT: '0', EMU_HEADERS_TIMEOUT: '7', EMU_SHUTDOWN_TIMEOUT: '2' });
  t.same([e.requestTimeout, e.headersTimeout, e.shutdownTimeout], [0, 7, 2]);
});
