// Issue 11: holes an outside fuzzer and a hostile client found — XML answers with characters
// XML 1.0 forbids, parameter floods, cut multipart fields, picture paths, Host and method
// refusals, the rate table's memory. Each case speaks HTTP through app.inject.
import t from 'tap';
import { build, weiboCreds, signed, graphCreds, graphGet, graphPost, parseXml } from '../helpers.js';
import { xml10Problem } from './xml10.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;
const alice = weiboCreds(app, 'alice');
const bob = weiboCreds(app, 'bob');
const galice = graphCreds(app, 'alice');

// every character XML 1.0 forbids that UTF-8 can carry over HTTP (lone surrogates cannot)
const CONTROLS = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)).join('') + '\uFFFE\uFFFF';

t.test('item 2: forbidden characters in a tweet never make an XML answer malformed; JSON keeps them', async (t) => {
  const content = `ctl ${CONTROLS} end`;
  const add = (await signed(app, alice, { method: 'POST', path: '/api/t/add', params: { format: 'json', content, clientip: '10.0.0.1' } })).json();
  t.equal(add.ret, 0, `api/t/add accepted it: ${add.msg}`);
  // bob follows alice: her tweet is in his home timeline
  const home = await signed(app, bob, { method: 'GET', path: '/api/statuses/home_timeline', params: { format: 'xml', reqnum: 5 } });
  t.equal(xml10Problem(home.body), undefined, "bob's home_timeline?format=xml is XML 1.0");
  t.match(home.body, 'ctl \uFFFD', 'a forbidden character is rendered as U+FFFD');
  const json = (await signed(app, bob, { method: 'GET', path: '/api/t/show', params: { format: 'json', id: add.data.id } })).json();
  t.equal(json.data.origtext, content, 'JSON gives back the stored text byte for byte');

  const g = (await graphPost(app, '/t/add_t', galice, { format: 'json', content: `graph ${CONTROLS}` })).json();
  t.equal(g.ret, 0, `t/add_t accepted it: ${g.msg}`);
  const info = await graphGet(app, '/user/get_info', galice, { format: 'xml' });
  t.equal(xml10Problem(info.body), undefined, 'graph user/get_info?format=xml is XML 1.0');

  const album = (await graphPost(app, '/photo/add_album', galice, { format: 'json', albumname: 'al\u0001\u001f\uFFFE', albumdesc: `d${CONTROLS}` })).json();
  t.equal(album.ret, 0, `photo/add_album accepted it: ${album.msg}`);
  const list = await graphGet(app, '/photo/list_album', galice, { format: 'xml' });
  t.equal(xml10Problem(list.body), undefined, 'graph photo/list_album?format=xml is XML 1.0');
  t.ok(parseXml(list.body), 'and parses');
});

t.test('item 2: error text echoing a forbidden character stays XML 1.0', async (t) => {
  const res = await signed(app, alice, { method: 'GET', path: '/api/statuses/home_timeline', params: { format: 'xml' }, oauth: { oauth_signature_method: `HMAC\u0001\uFFFF` } });
  t.match(res.body, /unsupported oauth_signature_method/);
  t.equal(xml10Problem(res.body), undefined, 'weibo error answer is XML 1.0');
});

t.test('the strict checker refuses what fast-xml-parser lets through', async (t) => {
  t.match(xml10Problem('<?xml version="1.0"?><a>\u0001</a>'), /forbidden character U\+0001/);
  t.match(xml10Problem('<a><b></a>'), /not well-formed/);
  t.equal(xml10Problem('<?xml version="1.0"?><a>\t\n\r\u00e9\uD83D\uDE00</a>'), undefined);
});
