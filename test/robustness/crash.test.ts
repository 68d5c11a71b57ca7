// Crash safety (issue 5): the server on a temp SQLite file takes a write load, is killed with
// SIGKILL in the middle of it, and restarts on the same file: the store passes
// PRAGMA integrity_check and every acknowledged write (ret 0 answer) is there.
import t from 'tap';
import { Agent } from 'node:http';
import Database from 'better-sqlite3';
import { counterDrift } from '../../db/counters.js';
import { tempDb, prepareDb, startServer, signedHttp, http } from './net.js';

t.test('kill -9 mid-load, restart: integrity ok, acknowledged writes kept', async (t) => {
  const file = tempDb('crash');
  const creds = prepareDb(file, '*');
  const names = Object.keys(creds);
  const server = await startServer(file);
  t.teardown(() => server.stop('SIGKILL'));
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  t.teardown(() => agent.destroy());

  const ackedTweets: string[] = [];
  const ackedPrivate: string[] = [];
  const ackedFollows: [string, string][] = [];
  let answers = 0;
  let failures = 0;
  let stop = false;
  // 16 writers, each cycling through users (the posting-speed rule is per user)
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const who = names[(w * 7 + i) % names.length];
      const kind = i % 4;
      try {
        if (kind < 2) {
          const r = await signedHttp(server.base, creds[who], 'POST', '/api/t/add', { content: `crash load ${w}-${i} ${Math.random()}`, clientip: '10.1.0.1' }, agent);
          const b = r.json();
          if (b.ret === 0) ackedTweets.push(b.data.id);
        } else if (kind === 2) {
          const to = names[(w + i + 1) % names.length];
          if (to === who) continue;
          const b = (await signedHttp(server.base, creds[who], 'POST', '/api/private/add', { name: to, content: `pm ${w}-${i}` }, agent)).json();
          if (b.ret === 0) ackedPrivate.push(b.data.id);
        } else {
          const idol = names[(w * 3 + i * 5) % names.length];
          if (idol === who) continue;
          const b = (await signedHttp(server.base, creds[who], 'POST', '/api/friends/add', { name: idol }, agent)).json();
          if (b.ret === 0) ackedFollows.push([who, idol]);
        }
        answers++;
      } catch {
        failures++; // connection reset by the kill
        if (stop || server.proc.exitCode !== null || server.proc.signalCode !== null) return;
      }
    }
  };
  const load = Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
  // kill once the load is well under way
  const started = Date.now();
  while (ackedTweets.length < 150 && Date.now() - started < 8000) await new Promise((r) => setTimeout(r, 20));
  server.proc.kill('SIGKILL');
  await new Promise((r) => server.proc.once('exit', r));
  stop = true;
  await load;
  t.ok(ackedTweets.length >= 50, `${ackedTweets.length} tweets, ${ackedPrivate.length} private messages, ${ackedFollows.length} follows acknowledged (${answers} answers) before the kill`);
  t.ok(failures > 0, `${failures} requests were cut by the kill (it happened mid-load)`);

  // restart on the same file
  const again = await startServer(file);
  t.teardown(() => again.stop());
  const check = await signedHttp(again.base, creds[names[0]], 'GET', '/api/t/show', { id: ackedTweets[ackedTweets.length - 1] }, agent);
  t.equal(check.json().ret, 0, 'the last acknowledged tweet is served after the restart');
  const more = await signedHttp(again.base, creds[names[1]], 'POST', '/api/t/add', { content: `after restart ${Date.now()}` }, agent);
  t.equal(more.json().ret, 0, 'the restarted server takes writes');
  await again.stop();

  const db = new Database(file, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'PRAGMA integrity_check = ok');
  t.same(db.pragma('foreign_key_check'), [], 'no broken references');
  const has = (sql: string, ...a: unknown[]) => db.prepare(sql).get(...a) !== undefined;
  const missingTweets = ackedTweets.filter((id) => !has('SELECT 1 FROM tweets WHERE id = ?', id));
  const missingPm = ackedPrivate.filter((id) => !has('SELECT 1 FROM private_messages WHERE id = ?', id));
  const missingFollows = ackedFollows.filter(([a, b]) => !has('SELECT 1 FROM follows f JOIN users x ON x.id = f.fan_id JOIN users y ON y.id = f.idol_id WHERE x.name = ? AND y.name = ?', a, b));
  t.same(missingTweets, [], `all ${ackedTweets.length} acknowledged tweets present`);
  t.same(missingPm, [], `all ${ackedPrivate.length} acknowledged private messages present`);
  t.same(missingFollows, [], `all ${ackedFollows.length} acknowledged follows present`);
  // tweet rows are whole: every acknowledged one has its author and content
  const broken = db.prepare(`SELECT COUNT(*) n FROM tweets WHERE id IN (${ackedTweets.map(() => '?').join(',')}) AND (origtext IS NULL OR user_id IS NULL)`).get(...ackedTweets) as { n: number };
  t.equal(broken.n, 0, 'no torn rows');
});

// A reset of a file store overwrites it in place (db/images.ts, SQLite's backup API in one
// transaction, then a checkpoint): a kill at any point of it must leave either the old or the
// new state, never a mix.
t.test('kill -9 around resets of a file store under writes, restart: integrity ok, counters whole', async (t) => {
  const file = tempDb('crash-reset');
  const creds = prepareDb(file, ['alice', 'bob', 'carol', 'dave'], 20000);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  t.teardown(() => agent.destroy());
  let resetsAnswered = 0;
  let cutResets = 0;
  const rounds = 6;
  for (let round = 0; round < rounds; round++) {
    const server = await startServer(file);
    t.teardown(() => server.stop('SIGKILL'));
    let stop = false;
    const writers = Promise.all(
      Object.values(creds).map(async (c, w) => {
        for (let i = 0; !stop; i++) {
          try {
            await signedHttp(server.base, c, 'POST', '/api/t/add', { content: `reset load ${round}-${w}-${i} ${Math.random()}`, clientip: '10.1.0.2' }, agent);
          } catch {
            return; // cut by the kill
          }
        }
      }),
    );
    for (let i = 0; i < 3; i++) if ((await http('POST', `${server.base}/_emulator/reset`, {}, undefined, agent)).status === 200) resetsAnswered++;
    const last = http('POST', `${server.base}/_emulator/reset`, {}, undefined, agent).then(
      () => false,
      () => true,
    );
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
    server.proc.kill('SIGKILL');
    await server.stop('SIGKILL');
    stop = true;
    await writers;
    if (await last) cutResets++;
    // read-write: opening runs the WAL recovery a killed writer leaves to the next connection
    const db = new Database(file);
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity_check ok`);
    t.same(db.pragma('foreign_key_check'), [], `round ${round}: no broken references`);
    t.same(counterDrift(db), [], `round ${round}: counters equal a recount (no half-restored tables)`);
    db.close();
  }
  t.equal(resetsAnswered, 3 * rounds, 'every reset before the kill answered');
  t.ok(cutResets > 0, `${cutResets} of ${rounds} kills came before the last reset's answer`);
});

// kill -9 cannot show a store that skips syncing (the OS still holds the written pages), so the
// durability settings of a file store are checked directly (mutation-testing found
// `synchronous = OFF` + `journal_mode = MEMORY` passed the kill test)
t.test('a file store is opened durable: WAL journal, synchronous NORMAL or FULL', async (t) => {
  const { openDatabase } = await import('../../db/store.js');
  const db = openDatabase(tempDb('durable'));
  t.teardown(() => db.close());
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.ok((db.pragma('synchronous', { simple: true }) as number) >= 1, 'synchronous is NORMAL (1) or FULL (2)');
  t.ok((db.pragma('busy_timeout', { simple: true }) as number) > 0, 'writers wait for the lock instead of failing');
});
