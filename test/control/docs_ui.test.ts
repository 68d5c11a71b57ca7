// The docs UI (GET /_emulator/docs, Swagger UI from swagger-ui-dist) in Debian's chromium
// through playwright-core, with every request to another origin refused: the page loads from
// the emulator alone, renders the description, and an operation opened shows its parameters
// with their seeded-world examples and its documented error example.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium, type Browser } from 'playwright-core';
import { build, listening } from '../helpers.js';
import { seedExamples } from '../../db/examples.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

t.test('the page and its assets come from the emulator', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const page = await app.inject({ method: 'GET', url: '/_emulator/docs' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.headers['content-security-policy'], /script-src 'self'/);
  t.notMatch(page.body, /https?:\/\//, 'no URL to another origin');
  for (const [file, type] of [['swagger-ui-bundle.js', /javascript/], ['swagger-ui.css', /text\/css/], ['init.js', /javascript/]] as const) {
    const r = await app.inject({ method: 'GET', url: `/_emulator/docs/${file}` });
    t.equal(r.statusCode, 200, file);
    t.match(r.headers['content-type'], type);
  }
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/docs/..%2Fpackage.json' })).statusCode, 404, 'only the listed assets');
});

t.test('Swagger UI in chromium, offline: parameters and examples of an operation', async (t) => {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install chromium)`);
  if (!existsSync(CHROMIUM)) return;
  const app = await build();
  t.teardown(() => app.close());
  const base = await listening(app);
  const ex = seedExamples(app.world);

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const context = await browser.newContext();
  const outside: string[] = [];
  // no network but the emulator: anything else is refused and recorded
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base + '/') || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/_emulator/docs`);
  // the sections start folded (docExpansion none): a long page renders only what is opened
  await page.waitForFunction(() => document.querySelectorAll('.opblock-tag').length >= 3, undefined, { timeout: 60000 });

  t.match(await page.textContent('.info'), /OAuth 1\.0a.*HMAC-SHA1.*base string/s, 'the OAuth 1.0a signing is explained on the page');
  t.match(await page.textContent('.info'), /oauth2\.0\/authorize.*oauth2\.0\/token.*oauth2\.0\/me/s, 'and the graph.qq.com OAuth 2.0 flow');
  const tags = await page.$$eval('.opblock-tag', (els) => els.map((e) => e.getAttribute('data-tag')));
  t.same([...tags].sort(), ['emulator', 'graph.qq.com', 'open.t.qq.com'], 'one section per platform');

  // open GET /api/t/show
  await page.click('.opblock-tag[data-tag="open.t.qq.com"]');
  const op = '.opblock[id$="-get_api_t_show"]';
  await page.click(`${op} .opblock-summary`, { timeout: 60000 });
  await page.waitForSelector(`${op} tr[data-param-name="id"]`, { timeout: 10000 });
  const params = await page.$$eval(`${op} tr[data-param-name]`, (trs) => trs.map((tr) => tr.getAttribute('data-param-name')));
  t.same(params.sort(), ['format', 'id'], 'its parameters are listed');
  const idRow = (await page.textContent(`${op} tr[data-param-name="id"]`)) ?? '';
  t.ok(await page.$(`${op} tr[data-param-name="id"] .parameter__name.required`), 'id is marked required');
  t.ok(idRow.includes(ex.tweetId), `the id example is a seeded tweet (${ex.tweetId})`);
  const responses = (await page.textContent(`${op} .responses-wrapper`)) ?? '';
  t.match(responses, /text\/html/, 'the response media type is the wire\'s text/html');
  t.match(responses, /error id param: missing/, 'the documented error example is shown');
  // a graph.qq.com operation with an openid example
  await page.click('.opblock-tag[data-tag="graph.qq.com"]');
  const other = '.opblock[id$="-get_user_get_other_info"]';
  await page.click(`${other} .opblock-summary`, { timeout: 60000 });
  await page.waitForSelector(`${other} tr[data-param-name="fopenid"]`, { timeout: 10000 });
  t.ok(((await page.textContent(`${other} tr[data-param-name="fopenid"]`)) ?? '').includes(ex.fopenid), 'the fopenid example is bob\'s openid');
  const shot = await page.screenshot({ fullPage: false });
  t.ok(shot.length > 1000, 'a screenshot was taken (elements are checked above, not pixels)');

  t.same(outside, [], 'no request left the emulator');
  t.same(errors, [], 'no script errors');
});

t.test('with an admin token: the page opens in a browser and reads the description with the token the console keeps', async (t) => {
  if (!existsSync(CHROMIUM)) return;
  const app = await build({ adminToken: 's3cret' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  const base = `http://127.0.0.1:${addr.port}`;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const context = await browser.newContext();
  await context.route('**/*', (route) => (route.request().url().startsWith(base + '/') ? route.continue() : route.abort()));
  // what the console's token field leaves behind (server/console.ts)
  await context.addInitScript(() => sessionStorage.setItem('emulator-admin-token', 's3cret'));
  const page = await context.newPage();
  const statuses: number[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/_emulator/openapi.json')) statuses.push(r.status());
  });
  const opened = await page.goto(`${base}/_emulator/docs`);
  t.equal(opened?.status(), 200, 'the page itself needs no token');
  await page.waitForFunction(() => document.querySelectorAll('.opblock-tag').length >= 3, undefined, { timeout: 60000 });
  t.same(statuses, [200], 'the description was fetched with the token');
});
