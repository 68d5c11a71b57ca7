// Helpers for the robustness tests that speak real HTTP: spawning the server as a child
// process on a SQLite file, and OAuth 1.0a signed requests over the network.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oauthParams, sign, qs, FIXTURES, type WeiboCreds } from '../helpers.js';
import { openWorld } from '../../server/app.js';
import { START } from '../dist.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function tempDb(label: string): string {
  return join(mkdtempSync(join(tmpdir(), `emu-${label}-`)), 'world.sqlite');
}

/** Seeds a world into `file` and returns weibo access tokens for the named users (all users: '*'). */
export function prepareDb(file: string, names: string[] | '*', size: string | number = 'small'): Record<string, WeiboCreds> {
  const w = openWorld({ db: file, seed: 1, size: String(size) });
  if (names === '*') names = (w.db.prepare('SELECT name FROM users ORDER BY id').all() as { name: string }[]).map((r) => r.name);
  const out: Record<string, WeiboCreds> = {};
  for (const n of names) {
    const id = w.users.byName(n)!.id;
    const t = w.oauth1.createAccessToken(FIXTURES.weiboApp.appid, id);
    out[n] = { token: t.token, secret: t.secret, consumerKey: FIXTURES.weiboApp.appid, consumerSecret: FIXTURES.weiboApp.secret };
  }
  w.db.close();
  return out;
}

export interface Server {
  base: string;
  proc: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** The server (test/dist.ts START: `npm start`'s bundle when fresh, else the sources through tsx)
 * on `--db <file> --port 0`, resolved once it prints its address. */
export function startServer(file: string, extra: string[] = []): Promise<Server> {
  const proc = spawn(process.execPath, [START, '--db', file, '--port', '0', '--log-level', 'fatal', ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[1].replace('localhost', '127.0.0.1'), proc, output: () => out, stop });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${out}`));
    });
  });
}

export interface HttpAnswer {
  status: number;
  body: string;
  json: () => any;
}

export function http(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string, agent?: import('node:http').Agent): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** A signed open.t.qq.com call over HTTP, signed for the server's own address (its Host). */
export function signedHttp(base: string, c: WeiboCreds, method: 'GET' | 'POST', path: string, params: Record<string, string | number> = {}, agent?: import('node:http').Agent): Promise<HttpAnswer> {
  const p: Record<string, string> = Object.fromEntries(Object.entries({ format: 'json', ...params }).map(([k, v]) => [k, String(v)]));
  const oauth = oauthParams(c);
  const all = { ...p, ...oauth };
  const signature = sign(method, `${base}${path}`, all, c.consumerSecret, c.secret);
  const body = qs({ ...all, oauth_signature: signature });
  if (method === 'GET') return http('GET', `${base}${path}?${body}`, {}, undefined, agent);
  return http('POST', `${base}${path}`, { 'content-type': 'application/x-www-form-urlencoded' }, body, agent);
}
