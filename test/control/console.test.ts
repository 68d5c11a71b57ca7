// The admin console page (GET /_emulator/console), driven in Debian's chromium through
// playwright-core on a real port: users, tweets, relations, tokens, journal, Reset.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium, type Browser } from 'playwright-core';
import { build, weiboCreds, signed } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

t.test('the page is HTML with no outside references; with an admin token only the page loads without it', async (t) => {
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
  const page = await guarded.inject({ method: 'GET', url: '/_emulator/console' });
  t.equal(page.statusCode, 200, 'the page loads without the token');
  t.equal(page.body, res.body, 'the same HTML: no data in it');
  t.match(page.headers['content-security-policy'], /default-src 'none'/, 'same CSP');
  t.equal((await guarded.inject({ method: 'HEAD', url: '/_emulator/console' })).statusCode, 200, 'HEAD too');
  t.match(page.body, /<input id="token" name="token" type="password"/, 'a password input for the token');
  t.match(page.body, /sessionStorage/, 'kept in sessionStorage');
  // only the page: the data it reads, the other pages and writes still need the token
  for (const [method, url] of [['GET', '/_emulator/info'], ['GET', '/_emulator/export'], ['GET', '/_emulator/journal'], ['POST', '/_emulator/reset'], ['POST', '/_emulator/console'], ['GET', '/_emulator/docs'], ['GET', '/_emulator/openapi.json'], ['GET', '/_emulator/console/x'], ['GET', '/%5Femulator/info']] as const) {
    const r = await guarded.inject({ method, url });
    t.ok(r.statusCode === 401 || r.statusCode === 404, `${method} ${url} without the token: ${r.statusCode}`);
    t.notMatch(r.body, /"users"|"fixtures"|"entries"/, `${method} ${url}: no data`);
  }
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/info' })).statusCode, 401, 'info: 401');
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/info', headers: { authorization: 'Bearer s3cret' } })).statusCode, 200, 'info with the token');
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/console', headers: { authorization: 'Bearer wrong' } })).statusCode, 200, 'the page ignores a wrong token');
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
  // and an open.t.qq.com OAuth 2.0 token (it lives beside graph.qq.com's in oauth2_tokens)
  const v2 = await app.inject({ method: 'POST', url: '/_emulator/tokens/weibo', payload: { user: 'bob', flavour: 'oauth2' } });
  t.equal(v2.statusCode, 200, v2.body);

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
  const v2Row = await page.$$eval('#tokens tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  t.ok(v2Row.some((r) => r[0] === 'weibo OAuth 2.0' && r[1] === v2.json().access_token), 'the OAuth 2.0 token is labelled weibo, not graph');
  t.ok((await column('journal', 5)).includes('/api/t/add'), 'a journal row for the post');

  await page.click('#reset');
  await page.waitForFunction((id) => /^loaded /.test(document.getElementById('status')?.textContent ?? '') && ![...document.querySelectorAll('#tweets tbody tr td:first-child')].some((td) => td.textContent === id), id, { timeout: 10000 });
  t.notOk((await column('tweets', 4)).includes(text), 'gone from the page after Reset');
  t.ok((await column('users', 2)).includes('alice'), 'the seeded users are back');
  t.equal(count(), 0, 'gone from app.world');
  t.same(errors, [], 'no script errors');
});

t.test('with an admin token: the page loads, asks for the token, keeps it, sends it as Bearer', async (t) => {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install chromium)`);
  if (!existsSync(CHROMIUM)) return;
  const app = await build({ adminToken: 's3cret' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${addr.port}/_emulator/console`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // every answer to a data call the page makes, with the Authorization it sent
  const calls: { path: string; status: number; auth: string | undefined }[] = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.pathname !== '/_emulator/console') calls.push({ path: u.pathname, status: r.status(), auth: r.request().headers().authorization });
  });
  const settled = () => page.waitForFunction(() => /^(loaded |401|GET |POST )/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 10000 });
  const rows = () => page.$$eval('#users tbody tr', (trs) => trs.length);
  // the three data calls of one load, answered (Promise.all in the page settles on the first 401)
  const dataCalls = () => Promise.all(['/_emulator/info', '/_emulator/export', '/_emulator/journal'].map((p) => page.waitForResponse((r) => new URL(r.url()).pathname === p)));
  const promptShown = () => page.$eval('#auth', (f) => !(f as HTMLFormElement).hidden);

  const answered0 = dataCalls();
  const nav = await page.goto(url);
  await answered0;
  t.equal(nav?.status(), 200, 'the page loads with no token at all');
  await settled();
  t.match(await page.textContent('#status'), /^401/, 'the data calls are refused');
  t.ok(calls.length >= 3 && calls.every((c) => c.status === 401 && c.auth === undefined), 'info, export and journal answered 401 (no token sent)');
  t.ok(await promptShown(), 'the token prompt is shown');
  t.match(await page.textContent('#auth-message'), /needs its admin token/);
  t.equal(await page.getAttribute('#token', 'type'), 'password');
  t.equal(await rows(), 0, 'no data');

  // a wrong token: refused, a clear message, the prompt again
  calls.length = 0;
  await page.fill('#token', 'wrong');
  const answered1 = dataCalls();
  await page.click('#use-token');
  await answered1;
  await settled();
  t.match(await page.textContent('#status'), /^401/);
  t.ok(calls.length >= 3 && calls.every((c) => c.status === 401 && c.auth === 'Bearer wrong'), 'sent as Bearer, refused');
  t.match(await page.textContent('#auth-message'), /refused/, 'says the token was refused');
  t.ok(await promptShown(), 'asks again');
  t.equal(await page.inputValue('#token'), '', 'the input is cleared');
  t.equal(await rows(), 0, 'still no data');

  // the right token: every call carries it and succeeds
  calls.length = 0;
  await page.fill('#token', 's3cret');
  const answered2 = dataCalls();
  await page.click('#use-token');
  await answered2;
  await settled();
  t.match(await page.textContent('#status'), /^loaded /, 'loaded with the token');
  t.ok(calls.length >= 3 && calls.every((c) => c.status === 200 && c.auth === 'Bearer s3cret'), 'info, export and journal with Authorization: Bearer s3cret');
  t.notOk(await promptShown(), 'the prompt is gone');
  t.ok((await page.$$eval('#users tbody td:nth-child(2)', (tds) => tds.map((td) => td.textContent))).includes('alice'), 'data shows');
  t.equal(await page.evaluate(() => sessionStorage.getItem('emulator-admin-token')), 's3cret', 'kept in sessionStorage');
  t.notMatch(page.url(), /s3cret/, 'not in the URL');

  // a reload uses the kept token without asking; Reset sends it too
  calls.length = 0;
  const answered3 = dataCalls();
  await page.reload();
  await answered3;
  await settled();
  t.match(await page.textContent('#status'), /^loaded /, 'reload: loaded from the kept token');
  t.notOk(await promptShown());
  page.on('dialog', (d) => void d.accept());
  calls.length = 0;
  const resetDone = Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/_emulator/reset'), dataCalls()]);
  await page.click('#reset');
  await resetDone;
  await settled();
  const reset = calls.find((c) => c.path === '/_emulator/reset');
  t.same(reset && { status: reset.status, auth: reset.auth }, { status: 200, auth: 'Bearer s3cret' }, 'Reset sent the token');

  // Forget: back to the prompt, nothing shown
  const answered4 = dataCalls();
  await page.click('#forget');
  await answered4;
  await settled();
  t.match(await page.textContent('#status'), /^401/);
  t.ok(await promptShown());
  t.equal(await rows(), 0);
  t.equal(await page.evaluate(() => sessionStorage.getItem('emulator-admin-token')), null);
  t.same(errors, [], 'no script errors');
});
