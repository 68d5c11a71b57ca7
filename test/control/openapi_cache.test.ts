// GET /_emulator/openapi.json is kept per (base URL, ?media=json, world) while the world's data
// version stays (server/openapi.ts openApiBody): a second GET is not rebuilt, and a kept document
// is the one a fresh build gives — the examples follow writes (a tweet posted through the API, a
// user added through the control plane, a reset), another host or media gets its own build.
import t from 'tap';
import { build, signed, weiboCreds } from '../helpers.js';
import { openApiBuilds } from '../../server/openapi.js';

const app = await build();
t.teardown(() => app.close());

type Doc = { servers: { url: string }[]; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { example?: string }> } }> } }>> };
const get = async (host = 'emu.test', query = '') => {
  const before = openApiBuilds.count;
  const res = await app.inject({ method: 'GET', url: `/_emulator/openapi.json${query}`, headers: { host } });
  return { body: res.body, built: openApiBuilds.count - before, doc: JSON.parse(res.body) as Doc, type: String(res.headers['content-type']) };
};
/** t/del's id example: alice's newest tweet (db/examples.ts ownTweetId). */
const ownTweetExample = (d: Doc) => d.paths['/api/t/del'].post.requestBody!.content['application/x-www-form-urlencoded'].schema.properties.id.example;
/** The same document as seen from another host (servers follow the host, nothing else does). */
const asHost = (body: string, from: string, to: string) => body.split(from).join(to);

t.test('a second GET is the kept document, not a new build', async (t) => {
  const first = await get();
  t.equal(first.built, 1, 'the first GET builds');
  t.match(first.type, /^application\/json; charset=utf-8/);
  const second = await get();
  t.equal(second.built, 0, 'the second is served as kept');
  t.equal(second.body, first.body, 'byte for byte');
  // what it is kept under: another host, or ?media=json, is another document
  const other = await get('other.test:8080');
  t.equal(other.built, 1, 'another host builds its own');
  t.equal(other.doc.servers[0].url, 'http://other.test:8080');
  t.equal(asHost(other.body, 'http://other.test:8080', 'http://emu.test'), first.body, 'and differs only by its servers');
  const media = await get('emu.test', '?media=json');
  t.equal(media.built, 1, '?media=json builds its own');
  t.ok(media.body.includes('"application/json"') && media.body !== first.body);
  t.equal((await get('emu.test', '?media=json')).built, 0, 'and keeps it');
  t.equal((await get('emu.test', '?media=json&x=1')).built, 0, 'other query parameters change nothing');
});

t.test('the kept document follows the world: writes, control-plane users, reset', async (t) => {
  const seeded = await get();
  const seededExample = ownTweetExample(seeded.doc);
  t.ok(seededExample, `t/del's example is alice's newest tweet (${seededExample})`);
  // a tweet alice posts through the API becomes her newest: the example follows
  const posted = (await signed(app, weiboCreds(app, 'alice'), { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'the newest one', clientip: '10.0.0.1' } })).json() as { ret: number; data: { id: string } };
  t.equal(posted.ret, 0);
  const after = await get();
  t.equal(after.built, 1, 'a write drops the kept document');
  t.equal(ownTweetExample(after.doc), posted.data.id, 'and the new one names the new tweet');
  t.equal(asHost((await get('fresh.test')).body, 'http://fresh.test', 'http://emu.test'), after.body, 'the kept document is what a fresh build gives');
  t.equal((await get()).built, 0, 'kept again until the next change');
  // a user added through the control plane: rebuilt (the examples do not name it, so the same text)
  const added = await app.inject({ method: 'POST', url: '/_emulator/users', payload: { name: 'cachetest', nick: 'Cache Test' } });
  t.equal(added.statusCode, 200);
  const rebuilt = await get();
  t.equal(rebuilt.built, 1, 'any change of the data rebuilds');
  t.equal(rebuilt.body, after.body, 'and the examples did not depend on that user');
  // reset puts the seeded world back (a new world object): the seeded example again
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', payload: {} })).statusCode, 200);
  const reset = await get();
  t.equal(reset.built, 1, 'the reset world builds its own');
  t.equal(ownTweetExample(reset.doc), seededExample, 'with the seeded examples');
  t.equal(reset.body, seeded.body, 'the document of the seeded world, as at first');
});
