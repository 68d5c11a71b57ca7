// Benchmark target, run as a child process by bench/run.ts: `hello` is a bare fastify
// hello-world; `fixed <file>` a bare fastify route answering every GET with the bytes of one
// recorded emulator answer (the same headers, no auth, no store: what any server sending
// that answer could reach here); `emulator` is the app on an in-memory seeded world with the posting-speed and
// duplicate rules off (so t/add measures publishing, not refusals). Prints one JSON line.
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { buildApp } from '../server/app.js';
import { FIXTURES } from '../seed/generate.js';

const mode = process.argv[2] ?? 'emulator';
if (mode === 'hello') {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(JSON.stringify({ address }) + '\n');
} else if (mode === 'fixed') {
  const body = readFileSync(process.argv[3], 'utf8');
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
