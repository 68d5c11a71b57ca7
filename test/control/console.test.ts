// The admin console page (GET /_emulator/console), driven in Debian's chromium through
// playwright-core on a real port: users, tweets, relations, tokens, journal, Reset.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium, type Browser } from 'playwright-core';
import { build, weiboCreds, signed } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

t.test('the page is HTML with no outside references, guarded by the admin token', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/_emulator/console' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
  t.match(res.headers['content-security-policy'], /default-src 'none'/);
  t.notMatch(res.body, /https?:\/\//, 'no URL to another origin');
  t.notMatch(res.body, /innerHTML/, 'values are written as text');
  const guarded = await build({ adminToken: 's3cret' });
  t.teardown(() => guarded.close());
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/console' })).statusCode, 401, 'without the token');
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/console', headers: { authorization: 'Bearer s3cret' } })).statusCode, 200, 'with the token');
});

t.test('console in chromium: users, tweets, relations, tokens, journal, reset', async (t) => {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install chromium)`);
  if (!existsSync(CHROMIUM)) return; // already failed above: nothing to drive

  const app = await build();
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  const base = `http://127.0.0.1:${addr.port}`;

  // a tweet through the API first (journalled), with markup that must show as text
  const text = `console check <b>bold</b> ${Date.now()}`;
  app.world.rules.postBurst = 0;
  const res = await signed(app, weiboCreds(app, 'alice'), { method: 'POST', path: '/api/t/add', params: { format: 'json', content: text, clientip: '127.0.0.1' } });
  const body = res.json() as { ret: number; data: { id: string } };
  t.equal(body.ret, 0, 'tweet posted');
  const id = body.data.id;
  const count = () => (app.world.db.prepare('SELECT COUNT(*) n FROM tweets WHERE origtext = ?').get(text) as { n: number }).n;
  t.equal(count(), 1, 'in the world');
  // and a new relation (the table shows the newest follows first)
  const relRes = await app.inject({ method: 'POST', url: '/_emulator/relations', payload: { fan: 'dave', idol: 'erin', special: true } });
  t.equal(relRes.statusCode, 200, relRes.body);

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${base}/_emulator/console`);
  await page.waitForFunction(() => /^loaded /.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 10000 });

  const column = (table: string, n: number) => page.$$eval(`#${table} tbody tr td:nth-child(${n})`, (tds) => tds.map((td) => td.textContent ?? ''));
  t.ok((await column('users', 2)).includes('alice'), 'alice in the users table');
  const aliceRow = await page.$$eval('#users tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')).find((r) => r[1] === 'alice'));
  t.match(aliceRow?.[3], /^[0-9A-F]{32}$/, 'alice has an openid for the graph app');
  t.equal((await column('tweets', 1))[0], id, 'the posted tweet is the newest');
  t.ok((await column('tweets', 4)).includes(text), 'its text shows as is');
  t.equal(await page.$$eval('#tweets b', (b) => b.length), 0, 'markup in a tweet is not rendered');
  const rel = await page.$$eval('#relations tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  t.ok(rel.some((r) => r[0] === 'dave' && r[1] === 'erin' && r[2] === 'yes'), 'dave follows erin specially');
  t.ok((await column('tokens', 3)).includes('alice'), 'the weibo token of alice is listed');
  t.ok((await column('journal', 5)).includes('/api/t/add'), 'a journal row for the post');

  await page.click('#reset');
  await page.waitForFunction((id) => /^loaded /.test(document.getElementById('status')?.textContent ?? '') && ![...document.querySelectorAll('#tweets tbody tr td:first-child')].some((td) => td.textContent === id), id, { timeout: 10000 });
  t.notOk((await column('tweets', 4)).includes(text), 'gone from the page after Reset');
  t.ok((await column('users', 2)).includes('alice'), 'the seeded users are back');
  t.equal(count(), 0, 'gone from app.world');
  t.same(errors, [], 'no script errors');
});

t.test('with an admin token: the page sends ?token= as a Bearer header on its fetches', async (t) => {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install chromium)`);
  if (!existsSync(CHROMIUM)) return;
  const app = await build({ adminToken: 's3cret' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  // the page itself is guarded like every /_emulator/ path: add the header to the navigation only
  await page.route('**/_emulator/console*', (route) => route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer s3cret' } }));
  const settled = () => page.waitForFunction(() => /^(loaded |GET )/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 10000 });
  await page.goto(`http://127.0.0.1:${addr.port}/_emulator/console?token=s3cret`);
  await settled();
  t.match(await page.textContent('#status'), /^loaded /, 'loaded with the token');
  t.ok((await page.$$eval('#users tbody td:nth-child(2)', (tds) => tds.map((td) => td.textContent))).includes('alice'));
  await page.goto(`http://127.0.0.1:${addr.port}/_emulator/console?token=wrong`);
  await settled();
  t.match(await page.textContent('#status'), /401/, 'a wrong token shows the refusal');
  t.equal(await page.$$eval('#users tbody tr', (trs) => trs.length), 0, 'and no data');
});
