// The console (GET /_emulator/console), driven in Debian's chromium through playwright-core on a
// real port: the live journal with its filters and entry detail (a mis-signed call's refusal and
// diagnosis), paged tables, the token button, Reset, and the admin-token prompt. One browser launch.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, listening, weiboCreds, signed, graphGet, FIXTURES } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let browser: Browser | undefined;
const launch = async (): Promise<Browser> => (browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ARGS }));
t.teardown(() => browser?.close());
/** the page's data calls, any of which a load makes */
const DATA = ['/_emulator/info', '/_emulator/worlds', '/_emulator/journal', '/_emulator/users', '/_emulator/tweets', '/_emulator/relations', '/_emulator/tokens'];

t.test('the page is HTML with no outside references; with an admin token only the page loads without it', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/_emulator/console' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
  t.match(res.headers['content-security-policy'], /default-src 'none'/);
  t.notMatch(res.body, /https?:\/\//, 'no URL to another origin');
  t.notMatch(res.body, /innerHTML|insertAdjacentHTML|document\.write/, 'values are written as text');
  t.notMatch(res.body, /_emulator\/export/, 'the world is read a page at a time, never exported whole');
  const guarded = await build({ adminToken: 's3cret' });
  t.teardown(() => guarded.close());
  const page = await guarded.inject({ method: 'GET', url: '/_emulator/console' });
  t.equal(page.statusCode, 200, 'the page loads without the token');
  t.equal(page.body, res.body, 'the same HTML: no data in it');
  t.match(page.headers['content-security-policy'], /default-src 'none'/, 'same CSP');
  t.equal((await guarded.inject({ method: 'HEAD', url: '/_emulator/console' })).statusCode, 200, 'HEAD too');
  t.match(page.body, /<input id="token" name="token" type="password"/, 'a password input for the token');
  t.match(page.body, /sessionStorage/, 'kept in sessionStorage');
  // only the pages: the data the console reads, the description and writes still need the token
  for (const [method, url] of [['GET', '/_emulator/info'], ['GET', '/_emulator/export'], ['GET', '/_emulator/journal'], ['GET', '/_emulator/users'], ['GET', '/_emulator/tweets'], ['GET', '/_emulator/relations'], ['GET', '/_emulator/tokens'], ['POST', '/_emulator/tokens/graph'], ['POST', '/_emulator/reset'], ['POST', '/_emulator/console'], ['GET', '/_emulator/openapi.json'], ['GET', '/_emulator/console/x'], ['GET', '/%5Femulator/info']] as const) {
    const r = await guarded.inject({ method, url });
    t.ok(r.statusCode === 401 || r.statusCode === 404, `${method} ${url} without the token: ${r.statusCode}`);
    t.notMatch(r.body, /"users"|"fixtures"|"entries"/, `${method} ${url}: no data`);
  }
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/info' })).statusCode, 401, 'info: 401');
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/info', headers: { authorization: 'Bearer s3cret' } })).statusCode, 200, 'info with the token');
  t.equal((await guarded.inject({ method: 'GET', url: '/_emulator/console', headers: { authorization: 'Bearer wrong' } })).statusCode, 200, 'the page ignores a wrong token');
});

t.test('console in chromium: live journal, filters, entry detail of a refused signature, paged tables, token button, reset', async (t) => {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install chromium)`);
  if (!existsSync(CHROMIUM)) return; // already failed above: nothing to drive

  const app = await build();
  t.teardown(() => app.close());
  const base = await listening(app);

  // a tweet through the API first (journalled), with markup that must show as text
  const text = `console check <b>bold</b> ${Date.now()}`;
  app.world.rules.postBurst = 0;
  const res = await signed(app, weiboCreds(app, 'alice'), { method: 'POST', path: '/api/t/add', params: { format: 'json', content: text, clientip: '127.0.0.1' } });
  const body = res.json() as { ret: number; data: { id: string } };
  t.equal(body.ret, 0, 'tweet posted');
  const id = body.data.id;
  const count = () => (app.world.db.prepare('SELECT COUNT(*) n FROM tweets WHERE origtext = ?').get(text) as { n: number }).n;
  t.equal(count(), 1, 'in the world');
  // a call signed with the wrong consumer secret: refused (ret 3, errcode 9)
  const bad = await signed(app, { ...weiboCreds(app, 'bob'), consumerSecret: 'not-the-secret' }, { method: 'GET', path: '/api/user/info', params: { format: 'json' } });
  t.match(bad.json(), { ret: 3, errcode: 9 }, 'the mis-signed call is refused');
  // and a new relation (the table shows the newest follows first)
  const relRes = await app.inject({ method: 'POST', url: '/_emulator/relations', payload: { fan: 'dave', idol: 'erin', special: true } });
  t.equal(relRes.statusCode, 200, relRes.body);
  // and an open.t.qq.com OAuth 2.0 token (it lives beside graph.qq.com's in oauth2_tokens)
  const v2 = await app.inject({ method: 'POST', url: '/_emulator/tokens/weibo', payload: { user: 'bob', flavour: 'oauth2' } });
  t.equal(v2.statusCode, 200, v2.body);
  const journal = (await app.inject({ method: 'GET', url: '/_emulator/journal?path=/api/user/info' })).json() as { entries: { seq: number; diagnosis?: Record<string, unknown> }[] };
  const refused = journal.entries[0];

  const page: Page = await (await launch()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${base}/_emulator/console`);
  const loaded = () => page.waitForFunction(() => /^loaded /.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 10000 });
  await loaded();

  const column = (table: string, n: number) => page.$$eval(`#${table} tbody tr:not(.detail) > td:nth-child(${n})`, (tds) => tds.map((td) => td.textContent ?? ''));
  // the journal comes first on the page
  t.ok(await page.evaluate(() => !!(document.getElementById('journal')!.compareDocumentPosition(document.getElementById('users')!) & Node.DOCUMENT_POSITION_FOLLOWING)), 'the journal is above the tables');
  const paths = await column('journal', 5);
  t.ok(paths.includes('/api/t/add') && paths.includes('/api/user/info'), 'both calls in the journal');
  const failedRow = `#journal tr.entry[data-seq="${refused.seq}"]`;
  t.equal(await page.getAttribute(failedRow, 'class'), 'entry failed', 'the refusal is marked failed');
  t.same((await page.$$eval(`${failedRow} td`, (tds) => tds.map((td) => td.textContent)))!.slice(7, 10), [String(bad.statusCode), '3', '9'], 'status, ret 3, errcode 9');

  // outcome filter: failed calls only
  await page.selectOption('#f-outcome', 'false');
  await page.click('#f-apply');
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'journal filtered', undefined, { timeout: 10000 });
  const onlyFailed = await page.$$eval('#journal tr.entry', (trs) => trs.map((tr) => tr.className));
  t.ok(onlyFailed.length >= 1 && onlyFailed.every((c) => c === 'entry failed'), `failed entries only (${onlyFailed.length})`);
  t.notOk((await column('journal', 5)).includes('/api/t/add'), 'the successful post is filtered out');

  // the refused entry opens to its request, its answer and the signature diagnosis
  await page.click(failedRow);
  const detail = `#journal .detail[data-seq="${refused.seq}"]`;
  await page.waitForSelector(detail);
  t.match(await page.textContent(`${detail} .request-line`), /^GET \/api\/user\/info /);
  const params = await page.$$eval(`${detail} table tr`, (trs) => Object.fromEntries(trs.map((tr) => [tr.children[0]?.textContent ?? '', tr.children[1]?.textContent ?? ''])));
  t.equal(params.oauth_consumer_key, FIXTURES.weiboApp.appid, 'the parameters as sent');
  t.equal(params.oauth_signature, '***', 'the signature masked');
  t.match(await page.textContent(`${detail} .outcome`), /^HTTP \d+ — failed, ret 3, errcode 9/);
  t.match(await page.textContent(`${detail} .response-body`), /"errcode":9/, 'the answer body');
  t.ok(refused.diagnosis, 'the journal entry of the refusal carries a diagnosis');
  const diag = (await page.textContent(`${detail} .diagnosis`, { timeout: 5000 })) ?? '';
  for (const v of Object.values(refused.diagnosis ?? {})) if (typeof v === 'string') t.ok(diag.includes(v), `the diagnosis shows ${v.slice(0, 60)}`);
  // signed() injects with Host open.t.qq.com: the base URI the server signs over
  t.match(diag, 'GET&http%3A%2F%2Fopen.t.qq.com%2Fapi%2Fuser%2Finfo&format%3Djson%26oauth_consumer_key%3D801000001%26', 'the base string the server computed');
  t.notMatch(diag, /not-the-secret|a63f4a0e1242462fb8c11e53159ba294/, 'no secret in it');

  // live: a call made after the page loaded shows up without a reload
  await page.selectOption('#f-outcome', '');
  await page.click('#f-apply');
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'journal filtered', undefined, { timeout: 10000 });
  const later = await graphGet(app, '/user/get_user_info', { access_token: 'live-check', oauth_consumer_key: FIXTURES.graphApp.appid, openid: 'x' });
  t.equal(later.statusCode, 200);
  await page.waitForFunction(() => [...document.querySelectorAll('#journal tr.entry td:nth-child(5)')].some((td) => td.textContent === '/user/get_user_info'), undefined, { timeout: 10000 });
  t.pass('the new call appeared by polling');

  // paged tables
  t.ok((await column('users', 2)).includes('alice'), 'alice in the users table');
  const aliceRow = await page.$$eval('#users tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')).find((r) => r[1] === 'alice'));
  t.equal(aliceRow?.[3], '54C1E9379DCED958BE5DB9487D077538', 'alice has her openid for the graph app');
  t.equal((await column('tweets', 1))[0], id, 'the posted tweet is the newest');
  t.ok((await column('tweets', 4)).includes(text), 'its text shows as is');
  t.equal(await page.$$eval('#tweets b', (b) => b.length), 0, 'markup in a tweet is not rendered');
  const tweetsTotal = (app.world.db.prepare('SELECT COUNT(*) n FROM tweets').get() as { n: number }).n;
  t.equal(await page.textContent('#tweets-note'), `rows 1–50 of ${tweetsTotal}`);
  await page.click('.pager[data-table="tweets"] button[data-step="1"]');
  await page.waitForFunction(() => /^rows 51–100 /.test(document.getElementById('tweets-note')?.textContent ?? ''), undefined, { timeout: 10000 });
  t.notOk((await column('tweets', 1)).includes(id), 'the second page of tweets');
  const rel = await page.$$eval('#relations tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  t.same(rel[0]?.slice(0, 3), ['dave', 'erin', 'yes'], 'dave follows erin specially, the newest follow');
  t.ok((await column('tokens', 3)).includes('alice'), 'the weibo token of alice is listed');
  const v2Row = await page.$$eval('#tokens tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  t.ok(v2Row.some((r) => r[0] === 'weibo OAuth 2.0' && r[1] === v2.json().access_token), 'the OAuth 2.0 token is labelled weibo, not graph');

  // a token for bob in one click, and it works
  await page.click('#users tbody tr:nth-child(2) button.issue-graph');
  await page.waitForFunction(() => /^issued a graph token for bob/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 10000 });
  const issued = JSON.parse(((await page.textContent('#issued')) ?? '').replace(/^[^\n]*\n/, '')) as { access_token: string; openid: string; oauth_consumer_key: string };
  t.equal(issued.openid, '6FAB71C8E72B660EB12FB269B5357593', "bob's openid");
  const info = (await graphGet(app, '/user/get_user_info', issued)).json() as { ret: number; nickname: string };
  t.match(info, { ret: 0, nickname: '鲍勃' }, 'the issued token reads bob through the API');
  const tokRow = await page.$$eval('#tokens tbody tr', (trs) => [...trs[0].children].map((c) => c.textContent ?? ''));
  t.same(tokRow.slice(0, 3), ['graph', issued.access_token, 'bob'], 'the new token tops the tokens table');
  // and an open.t.qq.com OAuth 2.0 token for bob in one click: it reads bob through /api/* unsigned
  await page.click('#users tbody tr:nth-child(2) button.issue-weibo-oauth2');
  await page.waitForFunction(() => /^issued a weibo OAuth 2.0 token for bob/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 10000 });
  const v2issued = JSON.parse(((await page.textContent('#issued')) ?? '').replace(/^[^\n]*\n/, '')) as { access_token: string; openid: string; oauth_consumer_key: string };
  const v2query = new URLSearchParams({ format: 'json', oauth_consumer_key: v2issued.oauth_consumer_key, access_token: v2issued.access_token, openid: v2issued.openid, clientip: '127.0.0.1', oauth_version: '2.a', scope: 'all' });
  const v2info = (await app.inject({ method: 'GET', url: `/api/user/info?${v2query}`, headers: { host: 'open.t.qq.com' } })).json() as { ret: number; data: { name: string } };
  t.match(v2info, { ret: 0, data: { name: 'bob' } }, 'the OAuth 2.0 token from the button reads bob');
  // (tokens made in the same second are ordered by token value: look for the row, not the top)
  await page.waitForFunction((tok) => [...document.querySelectorAll('#tokens tbody tr td:nth-child(2)')].some((td) => td.textContent === tok), v2issued.access_token, { timeout: 10000 });
  const v2row = await page.$$eval('#tokens tbody tr', (trs, tok) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')).find((r) => r[1] === tok), v2issued.access_token);
  t.same(v2row?.slice(0, 3), ['weibo OAuth 2.0', v2issued.access_token, 'bob'], 'listed as a weibo OAuth 2.0 token');

  await page.click('#reset');
  await page.waitForFunction((id) => /^loaded /.test(document.getElementById('status')?.textContent ?? '') && ![...document.querySelectorAll('#tweets tbody tr td:first-child')].some((td) => td.textContent === id), id, { timeout: 10000 });
  t.notOk((await column('tweets', 4)).includes(text), 'gone from the page after Reset');
  t.ok((await column('users', 2)).includes('alice'), 'the seeded users are back');
  t.equal(count(), 0, 'gone from app.world');
  t.same(errors, [], 'no script errors');
  await page.close();
});

t.test('with an admin token: the page loads, asks for the token, keeps it, sends it as Bearer', async (t) => {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install chromium)`);
  if (!existsSync(CHROMIUM)) return;
  const app = await build({ adminToken: 's3cret' });
  t.teardown(() => app.close());
  const url = `${await listening(app)}/_emulator/console`;
  const context = await (await launch()).newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
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
  // the data calls of one load, answered (Promise.all in the page settles on the first 401)
  const dataCalls = () => Promise.all(DATA.map((p) => page.waitForResponse((r) => new URL(r.url()).pathname === p)));
  const promptShown = () => page.$eval('#auth', (f) => !(f as HTMLFormElement).hidden);

  const answered0 = dataCalls();
  const nav = await page.goto(url);
  await answered0;
  t.equal(nav?.status(), 200, 'the page loads with no token at all');
  await settled();
  t.match(await page.textContent('#status'), /^401/, 'the data calls are refused');
  t.ok(calls.length >= DATA.length && calls.every((c) => c.status === 401 && c.auth === undefined), 'every data call answered 401 (no token sent)');
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
  t.ok(calls.length >= DATA.length && calls.every((c) => c.status === 401 && c.auth === 'Bearer wrong'), 'sent as Bearer, refused');
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
  t.ok(calls.length >= DATA.length && calls.every((c) => c.status === 200 && c.auth === 'Bearer s3cret'), 'every data call with Authorization: Bearer s3cret');
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
