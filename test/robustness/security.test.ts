// Security properties (issue 5): tokens bound to their user and app, private messages private,
// JSONP callbacks restricted, JSON/XML escaping of user content, upload caps and type checks, no
// path traversal through pictures, and SQL built only with bound parameters.
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, graphCreds, graphGet, graphPost, weiboCreds, signed, parseXml, PNG_1x1, GRAPH, GRAPH_PLAIN, WEIBO, userId, type WeiboCreds } from '../helpers.js';

const app = await build();
t.teardown(() => app.close());
app.world.rules.postBurst = 0;

type Body = { ret: number; errcode: number; msg: string; data: any };
const call = async (c: WeiboCreds, method: 'GET' | 'POST', path: string, params: Record<string, string | number> = {}): Promise<Body> =>
  (await signed(app, c, { method, path, params: { format: 'json', ...params } })).json();

t.test('graph tokens never cross users or apps', async (t) => {
  const alice = graphCreds(app, 'alice');
  const bob = graphCreds(app, 'bob');
  const ok = (await graphGet(app, '/user/get_user_info', alice)).json();
  t.equal(ok.ret, 0, 'own token, own openid, own app');
  // alice's token with bob's openid
  const crossUser = (await graphGet(app, '/user/get_user_info', { ...alice, openid: bob.openid })).json();
  t.not(crossUser.ret, 0, `token + another user's openid refused (${crossUser.ret} ${crossUser.msg})`);
  // alice's token presented by another app
  const plainOpenid = app.world.apps.openidFor(GRAPH_PLAIN.appid, userId(app, 'alice'));
  const crossApp = (await graphGet(app, '/user/get_user_info', { ...alice, oauth_consumer_key: GRAPH_PLAIN.appid, openid: plainOpenid })).json();
  t.not(crossApp.ret, 0, `token + another app's appid refused (${crossApp.ret} ${crossApp.msg})`);
  // openids differ per app, so one app's openid does not name the user in another
  t.not(plainOpenid, alice.openid, 'openids are per app');
  // a write with bob's openid and alice's token changes nothing of bob's
  const before = app.world.db.prepare('SELECT COUNT(*) n FROM tweets WHERE user_id = ?').get(userId(app, 'bob')) as { n: number };
  const w = (await graphPost(app, '/t/add_t', { ...alice, openid: bob.openid }, { content: 'cross user write', format: 'json' })).json();
  t.not(w.ret, 0, 'write with another openid refused');
  const after = app.world.db.prepare('SELECT COUNT(*) n FROM tweets WHERE user_id = ?').get(userId(app, 'bob')) as { n: number };
  t.equal(after.n, before.n, "bob's tweets unchanged");
  // /oauth2.0/me names the token's own user only
  const me = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${bob.access_token}` });
  t.match(me.body, bob.openid);
  t.notMatch(me.body, alice.openid);
});

t.test('weibo access tokens never cross users or apps', async (t) => {
  const alice = weiboCreds(app, 'alice');
  const bob = weiboCreds(app, 'bob');
  t.equal((await call(alice, 'GET', '/api/user/info')).data.name, 'alice');
  // bob's token signed with alice's token secret
  const mixed = await call({ ...bob, secret: alice.secret }, 'GET', '/api/user/info');
  t.equal(mixed.ret, 3, 'token with another token secret refused');
  // a second weibo app cannot use the first app's token
  const other = app.world.apps.create({ appid: '801009999', secret: 'othersecret0000000000000000000000', name: 'Other', platform: 'weibo' });
  const crossApp = await call({ ...alice, consumerKey: other.appid, consumerSecret: 'othersecret0000000000000000000000' }, 'GET', '/api/user/info');
  t.equal(crossApp.ret, 3, `token used by another consumer refused (errcode ${crossApp.errcode})`);
  // a request token is not an access token
  const rt = app.world.oauth1.createRequestToken(WEIBO.appid, 'oob');
  const withRequest = await call({ ...alice, token: rt.token, secret: rt.secret }, 'GET', '/api/user/info');
  t.equal(withRequest.ret, 3, 'request token refused on an API');
});

t.test("a user cannot read or delete another user's private messages", async (t) => {
  const alice = weiboCreds(app, 'alice');
  const bob = weiboCreds(app, 'bob');
  const carol = weiboCreds(app, 'carol');
  const secret = `secret for bob ${Date.now()}`;
  const sent = await call(alice, 'POST', '/api/private/add', { name: 'bob', content: secret });
  t.equal(sent.ret, 0, 'alice → bob');
  const id = sent.data.id as string;
  const del = await call(carol, 'POST', '/api/private/del', { id });
  t.equal(del.ret, 4, 'carol cannot delete it');
  t.equal(del.errcode, 5);
  const row = app.world.db.prepare('SELECT deleted_by_sender s, deleted_by_recipient r FROM private_messages WHERE id = ?').get(id) as { s: number; r: number };
  t.same(row, { s: 0, r: 0 }, 'message untouched');
  for (const box of ['recv', 'send']) {
    const page = await call(carol, 'GET', `/api/private/${box}`, { reqnum: 100, pageflag: 0, pagetime: 0 });
    t.notOk(JSON.stringify(page).includes(secret), `not in carol's ${box}`);
  }
  const bobRecv = await call(bob, 'GET', '/api/private/recv', { reqnum: 20, pageflag: 0, pagetime: 0 });
  t.ok(JSON.stringify(bobRecv).includes(secret), "in bob's inbox");
  // bob deletes his copy; alice still has hers
  t.equal((await call(bob, 'POST', '/api/private/del', { id })).ret, 0);
  const aliceSend = await call(alice, 'GET', '/api/private/send', { reqnum: 20, pageflag: 0, pagetime: 0 });
  t.ok(JSON.stringify(aliceSend).includes(secret), "alice's outbox keeps it");
  t.equal((await call(bob, 'POST', '/api/private/del', { id })).ret, 4, 'a second delete by bob is refused');
});

t.test('JSONP callback names are restricted on /oauth2.0/me', async (t) => {
  const c = graphCreds(app, 'alice');
  const good = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${c.access_token}&callback=jQuery123_456` });
  t.match(good.body, /^jQuery123_456\( \{/, 'plain identifier kept');
  const nasty = ['alert(1);x', '<script>', 'a b', 'x-y', '</script><script>alert(1)</script>', 'a'.repeat(300), 'x\u2028', '1abc', 'a..b', 'eval("x")'];
  for (const cb of nasty) {
    const res = await app.inject({ method: 'GET', url: `/oauth2.0/me?access_token=${c.access_token}&callback=${encodeURIComponent(cb)}` });
    t.ok(res.statusCode < 500, 'no 5xx');
    t.match(res.body, /^callback\( \{/, `unsafe ${encodeURIComponent(cb.slice(0, 20))} replaced by callback`);
    t.notOk(res.body.includes('<script'), 'no markup echoed');
  }
});

const NASTY = `<script>alert("x")</script> ]]> & 'q' "dq" &amp; <![CDATA[ x ]]> \u00e9中文 ${Date.now()}`;

t.test('weibo JSON and XML outputs escape user content and round-trip it', async (t) => {
  const alice = weiboCreds(app, 'alice');
  const add = await call(alice, 'POST', '/api/t/add', { content: NASTY, clientip: '127.0.0.1' });
  t.equal(add.ret, 0, 'posted');
  const id = add.data.id;
  const json = await signed(app, alice, { method: 'GET', path: '/api/t/show', params: { id, format: 'json' } });
  t.notOk(json.body.includes('</script>'), 'no raw </script> in JSON');
  t.equal(json.json().data.origtext, NASTY, 'JSON origtext round-trips');
  t.notMatch(json.json().data.text, /<script/, 'text (HTML) escapes markup');
  const xml = await signed(app, alice, { method: 'GET', path: '/api/t/show', params: { id, format: 'xml' } });
  t.notOk(xml.body.includes('<script>'), 'no raw <script> in XML');
  const x = parseXml(xml.body) as { root: { ret: string; data: { origtext: string; text: string } } };
  t.equal(x.root.ret, '0', 'XML parses');
  // the parser resolves XML entities once: a literal '&amp;' in the post must come back as '&amp;'
  t.equal(x.root.data.origtext, NASTY, 'XML origtext round-trips');
  // private message content in XML
  const pm = await call(alice, 'POST', '/api/private/add', { name: 'bob', content: NASTY });
  t.equal(pm.ret, 0);
  const recv = await signed(app, weiboCreds(app, 'bob'), { method: 'GET', path: '/api/private/recv', params: { reqnum: 5, pageflag: 0, pagetime: 0, format: 'xml' } });
  t.notOk(recv.body.includes('<script>'), 'no raw <script> in the inbox XML');
  t.doesNotThrow(() => parseXml(recv.body));
});

t.test('graph JSON and XML outputs escape user content', async (t) => {
  const c = graphCreds(app, 'alice');
  const add = (await graphPost(app, '/t/add_t', c, { content: NASTY + ' graph', format: 'json' })).json();
  t.equal(add.ret, 0, `posted through graph (${add.msg})`);
  const xml = await graphPost(app, '/t/add_t', c, { content: NASTY + ' graph xml', format: 'xml' });
  t.notOk(xml.body.includes('<script>'));
  t.doesNotThrow(() => parseXml(xml.body));
  // an error message that echoes a parameter is escaped too
  const bad = await graphGet(app, '/relation/get_fanslist', c, { reqnum: '<script>', format: 'xml' });
  t.notOk(bad.body.includes('<script>'), 'error echo escaped in XML');
  t.doesNotThrow(() => parseXml(bad.body));
  const badJson = await graphGet(app, '/relation/get_fanslist', c, { reqnum: '</script>', format: 'json' });
  t.doesNotThrow(() => badJson.json());
});

t.test('uploads are capped and type-checked; filenames never reach the store', async (t) => {
  const alice = weiboCreds(app, 'alice');
  const files = () => (app.world.db.prepare('SELECT COUNT(*) n FROM files').get() as { n: number }).n;
  const n0 = files();
  const big = Buffer.concat([PNG_1x1, Buffer.alloc(app.emulatorConfig.maxUpload + 1)]);
  const tooBig = (await signed(app, alice, { method: 'POST', path: '/api/t/add_pic', params: { content: 'big', format: 'json' }, files: { pic: { filename: 'a.png', contentType: 'image/png', data: big } } })).json();
  t.equal(tooBig.ret, 1, 'oversized upload refused');
  t.match(tooBig.msg, /pic/);
  const notImage = (await signed(app, alice, { method: 'POST', path: '/api/t/add_pic', params: { content: 'text', format: 'json' }, files: { pic: { filename: 'a.png', contentType: 'image/png', data: Buffer.from('#!/bin/sh\nrm -rf /\n') } } })).json();
  t.equal(notImage.ret, 1, 'non-image refused whatever its content type says');
  t.equal(files(), n0, 'nothing stored');
  const ok = (await signed(app, alice, { method: 'POST', path: '/api/t/add_pic', params: { content: 'traversal name', format: 'json' }, files: { pic: { filename: '../../../../etc/passwd', contentType: 'image/png', data: PNG_1x1 } } })).json();
  t.equal(ok.ret, 0, 'a valid picture with a hostile filename is accepted');
  const keys = app.world.db.prepare('SELECT key FROM files').all() as { key: string }[];
  for (const k of keys) if (!/^[0-9a-f]{32}$/.test(k.key)) t.fail(`stored key ${k.key} is not a content hash`);
  t.ok(keys.every((k) => !k.key.includes('passwd')), 'filename not used as a key');
  const show = await call(alice, 'GET', '/api/t/show', { id: ok.data.id });
  const url = String(show.data.image[0]);
  t.match(url, /\/mblogpic\/[0-9a-f]{32}$/, 'picture url is the hash');
  const pic = await app.inject({ method: 'GET', url: new URL(url).pathname });
  t.equal(pic.statusCode, 200);
  t.same(pic.rawPayload, PNG_1x1, 'served back byte for byte');
  for (const p of ['/mblogpic/../../etc/passwd', '/mblogpic/..%2f..%2fetc%2fpasswd', '/mblogpic/%2e%2e/%2e%2e/etc/passwd', '/qzonepic/..%2F..%2Fpackage.json/b', '/mbloghead/....//....//etc/passwd', '/mblogpic/' + '0'.repeat(32)]) {
    const res = await app.inject({ method: 'GET', url: p });
    t.equal(res.statusCode, 404, `${p} → 404`);
    t.notMatch(res.body, /root:|"name"/, 'no file content');
  }
});

// ---- SQL only with bound parameters ----------------------------------------------------

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Interpolations allowed inside SQL text: identifiers, placeholders and fragments from constant maps. */
const SAFE_INTERPOLATION = [
  /^[A-Z_]+(\[[a-zA-Z_.]+\])?$/, // constant maps: BOX_FILTER[box], ORDER[kind]
  /^(cols|columns|select|filter|from|where|order|orderBy|by|idCol|timeCol|table|sets?|clauses?|conds?|conditions|joins?|extra|sql|fields|col|column|what|dir|cmp|op|limitSql|kindSql|visible|VISIBLE|base|placeholders|marks|qs|inList|ph|frag|part|parts\.join\([^)]*\)|[a-z]+\.join\([^)]*\)|[a-zA-Z]+Sql|[a-zA-Z]+Clause|[a-zA-Z]+Where|[a-zA-Z]+Cols?|[a-zA-Z]+Filter)$/,
  /^[a-zA-Z_.]+\.map\(\(\) => '\?'\)\.join\([^)]*\)$/, // ids.map(() => '?').join(',')
  /^'\?'|\?'\)\.join|\.fill\('\?'\)/, // placeholder lists
  /^(n|name|t|tb)$/, // table names from sqlite_master / constant lists
  /^[\w.]+(\s*[!=]==?\s*'?\w*'?)?\s*\?\s*'[^'$`]*'\s*:\s*'[^'$`]*'$/, // cond ? 'constant SQL' : 'constant SQL'
];

/**
 * Interpolations judged safe by reading the code (file → expressions): column names chosen by
 * the code, SQL fragments whose values are bound with `?`, constant fragments.
 */
const REVIEWED: Record<string, string[]> = {
  // `other` is 'fan_id' | 'idol_id' from a constant pair
  'db/graph_relations.ts': ['other'],
  // `ts` and `id` are column names passed by the store's own callers (t.timestamp, t.id …);
  // cursorClause's `where` is a constant fragment with `?` placeholders, `order` 'ASC' | 'DESC';
  // `authors` is a constant subquery written in db/tweets.ts with its values bound
  'db/paging.ts': ['ts', 'id', 'k.where', 'k.order', 'authors'],
  // contains(col) returns `instr(lower(col), lower(?)) > 0`: the keyword is bound
  'db/search.ts': ["contains('u.name')", "contains('u.nick')", "contains('g.name')", "contains('t.origtext')"],
  // `types` is one of three constant lists, the ternary a constant fragment
  'db/tweets.ts': ['types', "originalOnly ? ' AND type = 1' : ''"],
  // column names are the keys of a NewUser built in code; values bound as @named parameters
  'db/users.ts': ["cols.map((c) => '@' + c).join(',')"],
  // trigger SQL generated at load time from constant arguments only (KEY literals, NEW/OLD, ±1,
  // constant conditions); calls of its helpers are matched by REVIEWED_CALLS below
  'db/migrations.ts': ['key', 'id', 'by', 'when', 'select', 'r', 'UPSERT', 'KEY.mentions', 'KEY.topic', 'COUNTERS_SELECT'],
  // hasSeq('main' | 'src'): an attached schema's name, called with constants only
  'db/images.ts': ['schema'],
};

/** Calls of SQL-building helpers whose every argument is a literal or a KEY constant (file → pattern). */
const REVIEWED_CALLS: Record<string, RegExp> = {
  'db/migrations.ts': /^(bump|tweetCounts|followCounts)\((\s*(KEY\.\w+|'[^'$`]*'|false)\s*,?)*\)$/,
};

/** Template literals that look like SQL, with the expressions interpolated into them. */
function sqlTemplates(src: string): { sql: string; exprs: string[]; line: number }[] {
  const out: { sql: string; exprs: string[]; line: number }[] = [];
  const re = /`([^`]*)`/g;
  for (const m of src.matchAll(re)) {
    const body = m[1];
    if (!/\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES|FROM)\b/.test(body) || !body.includes('${')) continue;
    const exprs = [...body.matchAll(/\$\{([^}]*)\}/g)].map((e) => e[1].trim());
    out.push({ sql: body, exprs, line: src.slice(0, m.index).split('\n').length });
  }
  return out;
}

t.test('SQL is built with bound parameters: no values interpolated into SQL text', async (t) => {
  const files = [...tsFiles(join(root, 'db')), ...tsFiles(join(root, 'routes')), ...tsFiles(join(root, 'server'))];
  t.ok(files.length > 20, `${files.length} source files scanned`);
  const offenders: string[] = [];
  let templates = 0;
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const s of sqlTemplates(src)) {
      templates++;
      for (const e of s.exprs) {
        // a value interpolated inside quotes ('${x}') is never an identifier: always an offence
        const quoted = new RegExp(`'\\$\\{${e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\}'`).test(s.sql);
        const rel = f.slice(root.length + 1);
        if (quoted || !(SAFE_INTERPOLATION.some((r) => r.test(e)) || REVIEWED[rel]?.includes(e) || REVIEWED_CALLS[rel]?.test(e))) offenders.push(`${rel}:${s.line} \${${e}} in ${s.sql.replace(/\s+/g, ' ').slice(0, 120)}`);
      }
    }
  }
  t.ok(templates > 0, `${templates} SQL templates with interpolations examined`);
  t.same(offenders, [], 'every interpolation is an identifier, a placeholder list or a constant fragment');
  // and the grep sees an offence when there is one
  const planted = sqlTemplates("db.prepare(`SELECT * FROM users WHERE name = '${name}'`)");
  t.equal(planted.length, 1);
  t.ok(planted[0].exprs.length === 1 && /'\$\{name\}'/.test(planted[0].sql), 'a quoted value is detected');
  const planted2 = sqlTemplates('db.prepare(`SELECT * FROM users WHERE id = ${req.query.id}`)');
  t.notOk(SAFE_INTERPOLATION.some((r) => r.test(planted2[0].exprs[0])), 'a request value is not an allowed interpolation');
});

t.test('hostile strings in parameters are data, not SQL', async (t) => {
  const alice = weiboCreds(app, 'alice');
  const users = (app.world.db.prepare('SELECT COUNT(*) n FROM users').get() as { n: number }).n;
  for (const name of ["alice' OR '1'='1", 'bob"; DROP TABLE users; --', "x' UNION SELECT secret FROM apps --"]) {
    const r = await call(alice, 'GET', '/api/user/other_info', { name });
    t.not(r.ret, 0, `${name} is no user`);
    t.notOk(JSON.stringify(r).includes(GRAPH.secret), 'no secret leaks');
    const s = await call(alice, 'GET', '/api/search/user', { keyword: name, pagesize: 10, page: 1 });
    t.ok(s.ret === 0 || s.ret === 1, 'search answers normally');
    t.notOk(JSON.stringify(s).includes(GRAPH.secret));
  }
  t.equal((app.world.db.prepare('SELECT COUNT(*) n FROM users').get() as { n: number }).n, users, 'users table intact');
});
