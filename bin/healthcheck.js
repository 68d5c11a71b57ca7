#!/usr/bin/env node
// Container health check (Dockerfile HEALTHCHECK, docker-compose healthcheck): exits 0 when
// GET /_emulator/health answers 200, else 1. Reads the same environment as the server:
// EMU_PORT (or EMU_CONTROL_PORT when set), EMU_HOST (0.0.0.0/:: → 127.0.0.1), EMU_HTTPS + EMU_CERT_DIR (trusts ca.pem there),
// EMU_ADMIN_TOKEN (sent as a Bearer token when set). Flags given to the server are not seen.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const secure = /^(1|true|yes|on)$/i.test(env.EMU_HTTPS ?? '');
const listen = env.EMU_HOST ?? '127.0.0.1';
const host = ['0.0.0.0', '::', ''].includes(listen) ? '127.0.0.1' : listen;
const options = {
  host,
  // with a control port the control plane (and /_emulator/health) is only there
  port: Number(env.EMU_CONTROL_PORT) > 0 ? Number(env.EMU_CONTROL_PORT) : Number(env.EMU_PORT || 8080),
  path: '/_emulator/health',
  headers: env.EMU_ADMIN_TOKEN ? { authorization: `Bearer ${env.EMU_ADMIN_TOKEN}` } : {},
  timeout: 2500,
};
const fail = (why) => {
  process.stderr.write(`unhealthy: ${why}\n`);
  process.exit(1);
};
if (secure) {
  try {
    Object.assign(options, { ca: readFileSync(join(env.EMU_CERT_DIR || './data/certs', 'ca.pem')), servername: 'localhost' });
  } catch (e) {
    fail(e.message);
  }
}
const req = (secure ? https : http).get(options, (res) => {
  res.resume();
  if (res.statusCode === 200) process.exit(0);
  fail(`HTTP ${res.statusCode}`);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => fail(e.message));
