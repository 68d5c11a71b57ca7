// Measures issue 11's parameter flood: one ~3.5 MB / 600 000-parameter form on a graph call and a
// signed weibo call, timed in-process (npx tsx test/robustness/measure_flood.ts). Not a tap test.
import { build, graphCreds, weiboCreds, oauthParams, sign, qs } from '../helpers.js';
const app = await build();
app.world.rules.postBurst = 0;
const g = graphCreds(app, 'alice');
const keys = Array.from({ length: 600000 }, (_, i) => i.toString(36));
const flood = keys.map((k) => `&${k}=`).join('');
const body = qs(g) + flood;
console.log('graph body bytes', body.length);
let t0 = performance.now();
let r = await app.inject({ method: 'POST', url: '/user/get_user_info', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
console.log('graph', Math.round(performance.now() - t0), 'ms', r.statusCode, r.body.replace(/\s+/g, ' ').slice(0, 100));
const w = weiboCreds(app, 'alice');
const params: Record<string, string> = { content: 'flood', clientip: '10.0.0.1', format: 'json' };
for (const k of keys) params[k] = '';
const o = oauthParams({ consumerKey: w.consumerKey, token: w.token }, {}, app.world.clock.now());
const sig = sign('POST', 'http://open.t.qq.com/api/t/add', { ...params, ...o }, w.consumerSecret, w.secret);
const wbody = qs({ ...o, oauth_signature: sig, content: 'flood', clientip: '10.0.0.1', format: 'json' }) + flood;
console.log('weibo body bytes', wbody.length);
t0 = performance.now();
r = await app.inject({ method: 'POST', url: '/api/t/add', headers: { host: 'open.t.qq.com', 'content-type': 'application/x-www-form-urlencoded' }, payload: wbody });
console.log('weibo signed', Math.round(performance.now() - t0), 'ms', r.statusCode, r.body.slice(0, 120));
await app.close();
