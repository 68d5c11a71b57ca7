// Benchmark target, run as a child process by bench/run.ts: `hello` is a bare fastify
// hello-world; `fixed <file>` a bare fastify route answering every GET with the bytes of one
// recorded emulator answer (the same headers, no auth, no store: what any server sending
// that answer could reach here); `emulator` is the app on an in-memory seeded world with the posting-speed and
// duplicate rules off (so t/add measures publishing, not refusals). Prints one JSON line.
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { buildApp } from '../server/app.js';
import { FIXTURES } from '../seed/generate.js';
import { hmacSha1, signatureBase, signingKey } from '../server/auth/oauth1_signature.js';

const mode = process.argv[2] ?? 'emulator';
if (mode === 'hello') {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(JSON.stringify({ address }) + '\n');
} else if (mode === 'fixed') {
  // the answer's bytes, as read: sending a string would encode it to UTF-8 at every send
  const body = readFileSync(process.argv[3]);
  const app = Fastify({ logger: false });
  // a form body (t/add's) is read whole and not parsed: the least any server must do with it
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, b, done) => done(null, b));
  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: (req, reply) => {
      reply.code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);
    },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(JSON.stringify({ address, pid: process.pid }) + '\n');
} else if (mode === 'add-floor') {
  // `add-floor <credentials json>`: the least any faithful t/add does, on a bare route — the form
  // parsed, the HMAC-SHA1 signature checked (token secret from a Map), the nonce spent and the
  // tweet inserted in one transaction into the store's own tables (their indexes), the id
  // answered. No mentions, topics, unread counters, journal or envelope rules.
  const c = JSON.parse(process.argv[3]) as { token: string; secret: string; consumerKey: string; consumerSecret: string };
  const emu = await buildApp({ db: ':memory:', seed: 1, size: 'small', logger: false });
  const db = emu.world.db;
  const alice = emu.world.users.byName('alice')!.id;
  const secrets = new Map([[c.token, c.secret]]);
  const nonce = db.prepare('INSERT OR IGNORE INTO oauth1_nonces (appid, nonce, timestamp) VALUES (?, ?, ?)');
  const insert = db.prepare(`INSERT INTO tweets (user_id, type, status, origtext, timestamp, source_id, root_id, from_label, from_url, client_ip, jing, wei, image, appid)
    VALUES (?, 1, 0, ?, ?, NULL, NULL, '腾讯微博', '', ?, '0', '0', NULL, ?)`);
  const publish = db.transaction((p: Record<string, string>, now: number) => {
    if (nonce.run(p.oauth_consumer_key, p.oauth_nonce, Number(p.oauth_timestamp)).changes !== 1) return undefined;
    return Number(insert.run(alice, p.content, now, p.clientip, p.oauth_consumer_key).lastInsertRowid);
  });
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, b, done) => done(null, Object.fromEntries(new URLSearchParams(b as string))));
  app.post('/api/t/add', (req, reply) => {
    const p = req.body as Record<string, string>;
    const bag: Record<string, string[]> = Object.create(null);
    for (const k in p) bag[k] = [p[k]];
    const tokenSecret = secrets.get(p.oauth_token);
    // the emulator's own base string and HMAC (the fastest faithful check known here)
    const ok = tokenSecret !== undefined && p.oauth_consumer_key === c.consumerKey && hmacSha1(signingKey(c.consumerSecret, tokenSecret), signatureBase('POST', `http://${req.headers.host}/api/t/add`, bag, 'oauth_signature')) === p.oauth_signature;
    const now = Math.floor(Date.now() / 1000);
    const id = ok ? publish(p, now) : undefined;
    const body = id === undefined ? { data: null, errcode: 3, msg: 'check sign error', ret: 3 } : { data: { id, time: now }, errcode: 0, msg: 'ok', ret: 0, seqid: id };
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(JSON.stringify(body));
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(JSON.stringify({ address, pid: process.pid }) + '\n');
} else {
  // `emulator [file]`: the small in-memory world, or a seeded store file (the scale runs)
  const db = process.argv[3] ?? ':memory:';
  const app = await buildApp({ db, seed: 1, size: 'small', logger: false });
  const w = app.world;
  w.rules.postBurst = 0;
  w.rules.duplicateWindowSeconds = 0;
  w.rules.rateLimit = 0;
  const alice = w.users.byName('alice')!.id;
  const g = w.oauth2.issueToken(FIXTURES.graphApp.appid, alice, 'all');
  const t = w.oauth1.createAccessToken(FIXTURES.weiboApp.appid, alice);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(
    JSON.stringify({
      address,
      pid: process.pid,
      graph: { access_token: g.access_token, oauth_consumer_key: FIXTURES.graphApp.appid, openid: w.apps.openidFor(FIXTURES.graphApp.appid, alice) },
      weibo: { token: t.token, secret: t.secret, consumerKey: FIXTURES.weiboApp.appid, consumerSecret: FIXTURES.weiboApp.secret },
    }) + '\n',
  );
}
