// The compiled weibo serializers (server/serialize.ts) write only data their guard proved they
// write exactly as the reference renderer (sortKeys + JSON.stringify): fast-json-stringify alone
// would drop undeclared members and coerce values of other types. First through HTTP, with values
// of other types put in the store behind the API's back; then the response layer given each kind
// of data fast-json-stringify writes differently, compiled from a schema declared as routes
// declare theirs.
import t from 'tap';
import { build, serializerAudit, signed, weiboCreds } from '../helpers.js';
import { renderOk } from '../../server/respond.js';
import { dataSerializer } from '../../server/serialize.js';
import { array, int, map, NULL, object, orNull, str } from '../../server/schemas.js';

t.test('values of other types in the store reach the wire as the reference renderer writes them', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const alice = weiboCreds(app, 'alice');
  const info = async () => (await signed(app, alice, { method: 'GET', path: '/api/user/info', params: { format: 'json' } })).body;
  const audit = serializerAudit();
  t.match(await info(), /"exp":\d+,/, 'an integer exp, written by the compiled serializer');
  // SQLite keeps a REAL in an INTEGER column, and text that is no number
  app.world.db.prepare("UPDATE users SET exp = 2.5 WHERE name = 'alice'").run();
  t.match(await info(), /"exp":2\.5,/, 'exp 2.5 stays 2.5 (fast-json-stringify would write 2)');
  app.world.db.prepare("UPDATE users SET level = 'high' WHERE name = 'alice'").run();
  t.match(await info(), /"exp":2\.5,.*"level":"high",/, 'level "high" stays a string (fast-json-stringify would throw)');
  const id = (JSON.parse((await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'a time of its own' } })).body) as { data: { id: string } }).data.id;
  app.world.db.prepare('UPDATE tweets SET timestamp = 1.5 WHERE id = ?').run(id);
  t.match((await signed(app, alice, { method: 'GET', path: '/api/t/show', params: { format: 'json', id } })).body, /"timestamp":1\.5,/, 'a tweet timestamp 1.5 stays 1.5');
  // text to escape, read back in a timeline: written by the compiled serializer, the same bytes
  await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content: 'say "hi" \\ \u0001\u001f \u2028\u2029 </script><b> 😀 http://x.test/a?b="c"' } });
  const home = (await signed(app, alice, { method: 'GET', path: '/api/statuses/home_timeline', params: { format: 'json', reqnum: 5 } })).body;
  t.match(home, /say \\"hi\\" \\\\ \\u0001\\u001f \\u2028\\u2029 \\u003c\/script\\u003e\\u003cb\\u003e 😀/, 'escaped as the reference renderer escapes');
  const { written, refused } = audit.counts();
  t.ok((written.get('/api/statuses/home_timeline') ?? 0) >= 1, 'the timeline with that text was compiled');
  t.same([...refused.keys()].sort(), ['/api/t/show', '/api/user/info'], 'the guard refused exactly those answers');
  t.ok((written.get('/api/user/info') ?? 0) >= 1, 'the answer before was compiled');
  audit.check(t, { refusals: true });
});

t.test('data fast-json-stringify would write differently goes to the reference renderer', async (t) => {
  const ITEM = object({ x: int(), y: orNull(str()) });
  const SCHEMA = object({ b: str(), a: int(), m: map(str()), list: array(ITEM), none: NULL, opt: orNull(ITEM) }, { optional: ['opt'] });
  const serializer = dataSerializer('weibo', SCHEMA, '/test')!;
  const exact = () => ({ b: 'x', a: 1, m: { zed: 'z', ann: 'a' }, list: [{ y: null, x: 1 }], none: null });
  class Item {
    x = 1;
    y = null;
  }
  const cases: [string, unknown, boolean][] = [
    ['exact, members and map keys in any order', exact(), true],
    ['an optional member', { ...exact(), opt: { x: 2, y: 'y' } }, true],
    ['an optional member null', { ...exact(), opt: null }, true],
    ['map keys named like array indexes', { ...exact(), m: { b: '1', 10: '2', 9: '3', a: '4' } }, true],
    ['strings to escape', { ...exact(), b: '<a href="/x">\u2028\u2029\\ \u0000\ud800 "quoted"</a>'.repeat(3) }, true],
    ['data null', null, false],
    ['an undeclared member', { ...exact(), extra: 1 }, false],
    ['an undeclared member in an item', { ...exact(), list: [{ x: 1, y: null, z: 0 }] }, false],
    ['a member undefined', { ...exact(), opt: undefined }, false],
    ['a number for a string', { ...exact(), b: 5 }, false],
    ['null for a string', { ...exact(), b: null }, false],
    ['a Date for a string', { ...exact(), b: new Date(0) }, false],
    ['a string for an integer', { ...exact(), a: '1' }, false],
    ['a fraction for an integer', { ...exact(), a: 2.5 }, false],
    ['NaN for an integer', { ...exact(), a: NaN }, false],
    ['a boolean for an integer', { ...exact(), a: true }, false],
    ['a value for always-null', { ...exact(), none: 0 }, false],
    ['a missing required member', { b: 'x', m: {}, list: [], none: null }, true],
    ['a class instance for an object', { ...exact(), list: [new Item()] }, false],
    ['an array for an object', { ...exact(), opt: [] }, false],
    ['an object for an array', { ...exact(), list: { 0: { x: 1, y: null } } }, false],
    ['a hole in an array', { ...exact(), list: [, { x: 1, y: null }] }, false], // eslint-disable-line no-sparse-arrays
    ['a number in a map', { ...exact(), m: { a: 1 } }, false],
    ['a nested object in a map', { ...exact(), m: { a: { b: 'c' } } }, false],
    ['a function member', { ...exact(), a: () => 1 }, false],
  ];
  for (const [what, data, compiled] of cases) {
    const reference = renderOk('weibo', data, { format: 'json' }).body;
    t.equal(renderOk('weibo', data, { format: 'json', serializer }).body, reference, `${what}: the reference renderer's bytes`);
    t.equal(serializer(data) !== undefined, compiled, `${what}: ${compiled ? 'written by the compiled serializer' : 'refused by the guard'}`);
  }
  t.equal(renderOk('weibo', exact(), { format: 'json', serializer }).body, '{"data":{"a":1,"b":"x","list":[{"x":1,"y":null}],"m":{"ann":"a","zed":"z"},"none":null},"errcode":0,"msg":"ok","ret":0}', 'keys sorted at every level');
});
