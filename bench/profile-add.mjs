// t/add's cost in one process, no sockets: N signed posts through app.inject on the compiled build
// (npm run build first). `node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-add.mjs 15000`, then
// `node bench/profile-top.mjs /tmp/prof 40` for the self and inclusive shares. Prints CPU µs per post.
import { buildApp } from '../dist/server/app.js';
import { FIXTURES } from '../dist/seed/generate.js';
import oauthSign from 'oauth-sign';
import { randomBytes } from 'node:crypto';
const app = await buildApp({ db: ':memory:', seed: 1, size: 'small', logger: false });
const w = app.world; w.rules.postBurst = 0; w.rules.duplicateWindowSeconds = 0; w.rules.rateLimit = 0;
const alice = w.users.byName('alice').id;
const t = w.oauth1.createAccessToken(FIXTURES.weiboApp.appid, alice);
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
let n = 0;
function body() {
  const all = { format: 'json', content: `bench post ${++n}`, clientip: '127.0.0.1', oauth_consumer_key: FIXTURES.weiboApp.appid, oauth_nonce: randomBytes(12).toString('hex'), oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: String(Math.floor(Date.now() / 1000)), oauth_token: t.token, oauth_version: '1.0' };
  const sig = oauthSign.hmacsign('POST', 'http://localhost/api/t/add', all, FIXTURES.weiboApp.secret, t.secret);
  return Object.entries({ ...all, oauth_signature: sig }).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}
const N = Number(process.argv[2] ?? 3000);
const bodies = Array.from({ length: N + 300 }, body);
let i = 0;
const one = async () => { const r = await app.inject({ method: 'POST', url: '/api/t/add', headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' }, payload: bodies[i++] }); if (!r.body.includes('"ret":0')) throw new Error(r.body); };
for (let k = 0; k < 300; k++) await one();
const t0 = process.cpuUsage(); const w0 = performance.now();
for (let k = 0; k < N; k++) await one();
const c = process.cpuUsage(t0);
console.log('per t/add: cpu', ((c.user + c.system) / N).toFixed(0), 'µs, wall', ((performance.now() - w0) * 1000 / N).toFixed(0), 'µs');
await app.close();
