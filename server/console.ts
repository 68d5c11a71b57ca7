// The console at GET /_emulator/console: a debugger for the emulator, one self-contained HTML page
// (inline CSS and JS, nothing fetched from elsewhere) over the control plane's JSON calls.
//   - the request journal first and live (polled with the since= cursor, so each poll carries
//     only what is new), filterable by world, path, app, user and outcome; a click on an entry opens
//     its request (parameters, masked headers), its answer (status, outcome, body) and, for an
//     OAuth 1.0a signature refusal, the diagnosis the server attached (the base string it computed)
//   - paged tables of users, tweets, relations and tokens read through GET /_emulator/users,
//     /tweets, /relations, /tokens (server/control/tables.ts): a page at a time, never the world
//   - a token for a user in one click (POST /_emulator/tokens/graph or /tokens/weibo), and Reset.
// Every value is written with textContent, never parsed as HTML. With an admin token configured
// the page's HTML (which holds no data) still loads without it (server/control/index.ts exempts exactly
// GET/HEAD of this path); every data call needs it: on a 401 the page shows a password prompt, keeps
// the token in sessionStorage (this tab only) and sends it as `Authorization: Bearer …`.
import type { FastifyInstance } from 'fastify';

export const CONSOLE_PATH = '/_emulator/console';

/** rows per table page and journal entries kept on the page */
const ROWS = 50;
const JOURNAL_ROWS = 200;
/** journal polling interval while "live" is on */
const POLL_MS = 1000;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Emulator console</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td { max-width: 40em; overflow-wrap: anywhere; }
#status { margin-left: 1em; color: #555; }
#status.error, #auth-message { color: #b00; }
#auth { border: 1px solid #e0b4b4; background: #fff6f6; padding: 0.5em 1em; }
.note { color: #777; font-size: 0.9em; }
button { font-size: 1em; padding: 2px 10px; }
#journal tbody tr.entry { cursor: pointer; }
#journal tr.failed td { background: #fff0f0; }
#journal tr.detail > td { background: #fafafa; padding: 0.5em 1em; }
.detail h3 { font-size: 1em; margin: 0.6em 0 0.2em; }
.detail pre, #issued { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f5f5; padding: 0.4em; margin: 0.2em 0; }
.detail table { width: auto; }
.filters label { margin-right: 0.8em; }
.pager { margin: 0.3em 0; }
</style>
</head>
<body>
<h1>Tencent open-platform emulator — console</h1>
<form id="auth" hidden><p id="auth-message"></p>
<p><label for="token">Admin token</label> <input id="token" name="token" type="password" autocomplete="current-password" required> <button id="use-token" type="submit">Use token</button></p>
<p class="note">Kept in this tab's sessionStorage and sent as Authorization: Bearer on the console's own calls.</p></form>
<p><label>World <select id="world"><option value="default">default</option></select></label>
<button id="refresh" type="button">Refresh</button> <button id="reset" type="button">Reset world</button> <button id="forget" type="button" hidden>Forget token</button><span id="status"></span></p>
<p id="summary" class="note"></p>

<h2>Request journal</h2>
<form id="journal-filters" class="filters">
<label>path <input id="f-path" name="path" placeholder="/api/t/* or exact" size="22"></label>
<label>app <input id="f-app" name="app" size="10"></label>
<label>user <input id="f-user" name="user" size="10"></label>
<label>outcome <select id="f-outcome" name="ok"><option value="">all</option><option value="true">ok</option><option value="false">failed</option></select></label>
<button id="f-apply" type="submit">Filter</button>
<label><input id="live" type="checkbox" checked> live</label>
<button id="clear-journal" type="button">Clear</button>
</form>
<p class="note" id="journal-note"></p>
<table id="journal"><thead><tr><th>seq</th><th>at</th><th>method</th><th>host</th><th>path</th><th>app</th><th>user</th><th>status</th><th>ret</th><th>errcode</th><th>msg</th><th>ms</th></tr></thead><tbody></tbody></table>

<h2>Users</h2><p class="note" id="users-note"></p>
<div class="pager" data-table="users"><button type="button" data-step="-1">‹ prev</button> <button type="button" data-step="1">next ›</button></div>
<pre id="issued" hidden></pre>
<table id="users"><thead><tr><th>id</th><th>name</th><th>nick</th><th>openid</th><th>unionid</th><th>sex</th><th>location</th><th>token</th></tr></thead><tbody></tbody></table>
<h2>Tweets</h2><p class="note" id="tweets-note"></p>
<div class="pager" data-table="tweets"><button type="button" data-step="-1">‹ prev</button> <button type="button" data-step="1">next ›</button></div>
<table id="tweets"><thead><tr><th>id</th><th>author</th><th>type</th><th>text</th><th>time</th></tr></thead><tbody></tbody></table>
<h2>Relations</h2><p class="note" id="relations-note"></p>
<div class="pager" data-table="relations"><button type="button" data-step="-1">‹ prev</button> <button type="button" data-step="1">next ›</button></div>
<table id="relations"><thead><tr><th>fan</th><th>idol</th><th>special</th><th>since</th></tr></thead><tbody></tbody></table>
<h2>Tokens</h2><p class="note" id="tokens-note"></p>
<div class="pager" data-table="tokens"><button type="button" data-step="-1">‹ prev</button> <button type="button" data-step="1">next ›</button></div>
<table id="tokens"><thead><tr><th>platform</th><th>token</th><th>user</th><th>app</th><th>scope / kind</th><th>created</th><th>state</th></tr></thead><tbody></tbody></table>
<script>
(function () {
  'use strict';
  var ROWS = ${ROWS}, JOURNAL_ROWS = ${JOURNAL_ROWS}, POLL_MS = ${POLL_MS};
  var KEY = 'emulator-admin-token';
  var token = null;
  try { token = sessionStorage.getItem(KEY); } catch (e) { token = null; }
  var $ = function (id) { return document.getElementById(id); };
  function keep(t) {
    token = t;
    try { if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY); } catch (e) { /* storage off: this page only */ }
    $('forget').hidden = !t;
  }
  keep(token);
  function headers() { return token ? { Authorization: 'Bearer ' + token } : {}; }
  function query(o) {
    var q = [];
    Object.keys(o).forEach(function (k) { if (o[k] !== undefined && o[k] !== null && o[k] !== '') q.push(encodeURIComponent(k) + '=' + encodeURIComponent(o[k])); });
    return q.length ? '?' + q.join('&') : '';
  }
  function call(method, path, params) {
    var url = path + query(params || {});
    return fetch(url, { method: method, headers: headers(), cache: 'no-store' }).then(function (r) {
      return r.text().then(function (text) {
        var body;
        try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
        if (!r.ok) {
          var err = new Error(method + ' ' + path + ': ' + r.status + ' ' + (body && body.error ? body.error : ''));
          err.unauthorized = r.status === 401;
          throw err;
        }
        return body;
      });
    });
  }
  function world() { var v = $('world').value; return v === 'default' ? undefined : v; }
  function status(text, isError) {
    var s = $('status');
    s.textContent = text;
    s.className = isError ? 'error' : '';
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function when(sec) { return sec ? new Date(sec * 1000).toISOString().replace('.000Z', 'Z') : ''; }

  // ---- paged tables
  var TABLES = {
    users: { path: '/_emulator/users', cells: function (u) { return [u.id, u.name, u.nick, u.openid, u.unionid, u.sex, u.location]; }, actions: true },
    tweets: { path: '/_emulator/tweets', cells: function (w) { return [w.id, w.user, w.type, w.origtext, when(w.timestamp)]; } },
    relations: { path: '/_emulator/relations', cells: function (f) { return [f.fan, f.idol, f.special ? 'yes' : '', when(f.created_at)]; } },
    tokens: { path: '/_emulator/tokens', cells: function (k) { return [k.platform, k.token, k.user, k.appid, k.scope, when(k.created_at), k.state === 'live' && k.expires_at ? 'expires ' + when(k.expires_at) : k.state]; } },
  };
  var offsets = { users: 0, tweets: 0, relations: 0, tokens: 0 };
  function tokenButton(label, platform, user, flavour) {
    var b = el('button', label);
    b.type = 'button';
    b.className = 'issue-' + platform + (flavour ? '-' + flavour : '');
    b.addEventListener('click', function () { issue(platform, user, flavour); });
    return b;
  }
  function fill(id, page) {
    var spec = TABLES[id];
    var body = document.querySelector('#' + id + ' tbody');
    while (body.firstChild) body.removeChild(body.firstChild);
    page.rows.forEach(function (row) {
      var tr = document.createElement('tr');
      spec.cells(row).forEach(function (v) { tr.appendChild(el('td', v === null || v === undefined ? '' : v)); });
      if (spec.actions) {
        var td = document.createElement('td');
        td.appendChild(tokenButton('QQ token', 'graph', row.name));
        td.appendChild(document.createTextNode(' '));
        td.appendChild(tokenButton('Weibo token', 'weibo', row.name));
        td.appendChild(document.createTextNode(' '));
        // open.t.qq.com's 2012+ flavour: used unsigned with access_token, openid and oauth_version=2.a
        td.appendChild(tokenButton('Weibo OAuth 2.0 token', 'weibo', row.name, 'oauth2'));
        tr.appendChild(td);
      }
      body.appendChild(tr);
    });
    $(id + '-note').textContent = page.total ? 'rows ' + (page.offset + 1) + '–' + (page.offset + page.rows.length) + ' of ' + page.total : 'no rows';
    var pager = document.querySelector('.pager[data-table="' + id + '"]');
    pager.children[0].disabled = page.offset <= 0;
    pager.children[1].disabled = page.offset + page.rows.length >= page.total;
  }
  function loadTable(id) {
    return call('GET', TABLES[id].path, { world: world(), offset: offsets[id], limit: ROWS }).then(function (page) { fill(id, page); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('.pager'), function (pager) {
    var id = pager.getAttribute('data-table');
    Array.prototype.forEach.call(pager.children, function (b) {
      b.addEventListener('click', function () {
        offsets[id] = Math.max(0, offsets[id] + Number(b.getAttribute('data-step')) * ROWS);
        loadTable(id).catch(failed);
      });
    });
  });
  function issue(platform, user, flavour) {
    var what = platform + (flavour === 'oauth2' ? ' OAuth 2.0' : '');
    var body = { world: world(), user: user };
    if (flavour) body.flavour = flavour;
    status('issuing a ' + what + ' token for ' + user + '…');
    call('POST', '/_emulator/tokens/' + platform, body).then(function (t) {
      var box = $('issued');
      box.textContent = what + ' token for ' + user + ':\\n' + JSON.stringify(t, null, 2);
      box.hidden = false;
      offsets.tokens = 0;
      return loadTable('tokens');
    }).then(function () { status('issued a ' + what + ' token for ' + user); }).catch(failed);
  }

  // ---- the journal
  var entries = [];      // newest first, as shown
  var cursor = 0;        // the journal's last seq seen: the next poll asks since= it
  var open = {};         // seq -> true for entries shown expanded
  var filters = {};
  function readFilters() {
    filters = { path: $('f-path').value.trim(), app: $('f-app').value.trim(), user: $('f-user').value.trim(), ok: $('f-outcome').value };
  }
  function kv(title, obj) {
    var box = document.createElement('div');
    box.appendChild(el('h3', title));
    var keys = Object.keys(obj || {});
    if (!keys.length) { box.appendChild(el('p', '(none)', 'note')); return box; }
    var t = document.createElement('table');
    keys.forEach(function (k) {
      var tr = document.createElement('tr');
      tr.appendChild(el('th', k));
      var v = obj[k];
      var td = el('td');
      if (v !== null && typeof v === 'object') td.appendChild(el('pre', JSON.stringify(v, null, 2)));
      else if (typeof v === 'string' && (v.length > 80 || v.indexOf('&') >= 0)) td.appendChild(el('pre', v));
      else td.textContent = v === null || v === undefined ? '' : String(v);
      tr.appendChild(td);
      t.appendChild(tr);
    });
    box.appendChild(t);
    return box;
  }
  function detail(e) {
    var box = document.createElement('div');
    box.className = 'detail';
    box.setAttribute('data-seq', String(e.seq));
    box.appendChild(el('h3', 'Request'));
    box.appendChild(el('pre', e.method + ' ' + e.path + '  (host ' + e.host + (e.listener ? ', ' + e.listener + ' listener' : '') + ', world ' + e.world + ')', 'request-line'));
    box.appendChild(kv('Parameters', e.params));
    box.appendChild(kv('Headers', e.headers));
    box.appendChild(el('h3', 'Answer'));
    box.appendChild(el('pre', 'HTTP ' + e.status + (e.ok === false ? ' — failed' : '') + (e.ret !== null && e.ret !== undefined ? ', ret ' + e.ret : '') + (e.errcode !== null && e.errcode !== undefined ? ', errcode ' + e.errcode : '') + (e.msg ? ', msg ' + e.msg : '') + ' · ' + e.ms + ' ms', 'outcome'));
    if (e.response) {
      box.appendChild(el('p', (e.response.type || '') + ', ' + e.response.bytes + ' bytes' + (e.response.truncated ? ' (cut)' : ''), 'note'));
      box.appendChild(el('pre', e.response.body, 'response-body'));
    }
    if (e.diagnosis) {
      var d = kv('Signature diagnosis', e.diagnosis);
      d.className = 'diagnosis';
      box.appendChild(d);
    }
    return box;
  }
  function renderJournal(total) {
    var body = document.querySelector('#journal tbody');
    while (body.firstChild) body.removeChild(body.firstChild);
    entries.forEach(function (e) {
      var tr = document.createElement('tr');
      tr.className = 'entry' + (e.ok === false ? ' failed' : '');
      tr.setAttribute('data-seq', String(e.seq));
      [e.seq, e.at, e.method, e.host, e.path, e.app, e.user, e.status, e.ret, e.errcode, e.msg, e.ms].forEach(function (v) { tr.appendChild(el('td', v === null || v === undefined ? '' : v)); });
      tr.addEventListener('click', function () { open[e.seq] = !open[e.seq]; renderJournal(); });
      body.appendChild(tr);
      if (open[e.seq]) {
        var dr = document.createElement('tr');
        dr.className = 'detail';
        var td = document.createElement('td');
        td.colSpan = 12;
        td.appendChild(detail(e));
        dr.appendChild(td);
        body.appendChild(dr);
      }
    });
    if (total !== undefined) journalTotal = total;
    $('journal-note').textContent = journalTotal > entries.length ? 'showing the newest ' + entries.length + ' of ' + journalTotal + ' matching' : entries.length + ' matching entr' + (entries.length === 1 ? 'y' : 'ies') + ' · click one for its request and answer';
  }
  var journalTotal = 0;
  function journalParams(extra) {
    var p = { world: world(), limit: JOURNAL_ROWS, path: filters.path, app: filters.app, user: filters.user, ok: filters.ok };
    Object.keys(extra || {}).forEach(function (k) { p[k] = extra[k]; });
    return p;
  }
  function loadJournal() {
    return call('GET', '/_emulator/journal', journalParams()).then(function (j) {
      entries = j.entries || [];
      cursor = j.last || 0;
      renderJournal(j.total);
    });
  }
  // only what came after the cursor: new entries go on top
  var polling = false, loaded = false;
  function poll() {
    if (polling || !loaded || !$('live').checked || !$('auth').hidden) return;
    polling = true;
    call('GET', '/_emulator/journal', journalParams({ since: cursor })).then(function (j) {
      cursor = j.last || cursor;
      // a poll that crossed a full reload may repeat what the reload brought
      var top = entries.length ? entries[0].seq : 0;
      var fresh = (j.entries || []).filter(function (e) { return e.seq > top; });
      if (fresh.length) {
        entries = fresh.concat(entries).slice(0, JOURNAL_ROWS);
        renderJournal(journalTotal + j.total);
      }
    }).catch(function (e) { if (e && e.unauthorized) askToken(); }).then(function () { polling = false; });
  }
  setInterval(poll, POLL_MS);
  $('journal-filters').addEventListener('submit', function (ev) {
    ev.preventDefault();
    readFilters();
    open = {};
    loadJournal().then(function () { status('journal filtered'); }).catch(failed);
  });
  $('clear-journal').addEventListener('click', function () {
    call('DELETE', '/_emulator/journal', { world: world() }).then(loadJournal).catch(failed);
  });

  // ---- the page
  function clearAll() {
    Object.keys(TABLES).forEach(function (id) { fill(id, { rows: [], total: 0, offset: 0 }); });
    entries = [];
    renderJournal(0);
    $('summary').textContent = '';
    $('issued').hidden = true;
  }
  function askToken() {
    var msg = token ? 'The admin token was refused (401). Enter the token the emulator was started with (--admin-token / EMU_ADMIN_TOKEN).' : 'This emulator needs its admin token (401): enter it to load the data.';
    $('auth-message').textContent = msg;
    $('auth').hidden = false;
    clearAll();
    status('401: admin token needed', true);
    $('token').focus();
  }
  function failed(e) {
    if (e && e.unauthorized) return askToken();
    status(String(e && e.message ? e.message : e), true);
  }
  function summary(info, worlds) {
    var sel = $('world'), keepId = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    (worlds.worlds || []).forEach(function (w) { var o = el('option', w.id + ' (graph ' + w.graph.appid + ', weibo ' + w.weibo.consumer_key + ')'); o.value = w.id; sel.appendChild(o); });
    sel.value = keepId;
    if (sel.value !== keepId) sel.value = 'default';
    var counts = info.counts || {};
    $('summary').textContent = 'version ' + info.version + ' · world ' + sel.value + ': ' + Object.keys(counts).map(function (k) { return k + ' ' + counts[k]; }).join(', ') + ' · openid column: app ' + (info.fixtures && info.fixtures.graphApp ? info.fixtures.graphApp.appid : '');
  }
  function load() {
    status('loading…');
    readFilters();
    return Promise.all([call('GET', '/_emulator/info', { world: world() }), call('GET', '/_emulator/worlds'), loadJournal()].concat(Object.keys(TABLES).map(loadTable)))
      .then(function (r) { $('auth').hidden = true; loaded = true; summary(r[0], r[1]); status('loaded ' + new Date().toISOString()); })
      .catch(failed);
  }
  $('auth').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = $('token');
    keep(input.value);
    input.value = '';
    load();
  });
  $('forget').addEventListener('click', function () { keep(null); clearAll(); status('token forgotten'); load(); });
  $('refresh').addEventListener('click', load);
  $('world').addEventListener('change', function () { Object.keys(offsets).forEach(function (k) { offsets[k] = 0; }); open = {}; load(); });
  $('reset').addEventListener('click', function () {
    if (!confirm('Reset the world to its seeded state?')) return;
    status('resetting…');
    call('POST', '/_emulator/reset', { world: world() }).then(function () { Object.keys(offsets).forEach(function (k) { offsets[k] = 0; }); return load(); }).catch(failed);
  });
  load();
})();
</script>
</body>
</html>
`;

export function registerConsole(app: FastifyInstance): void {
  app.get(CONSOLE_PATH, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      // inline script and style only; fetches go to this origin
      .header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'")
      .send(PAGE),
  );
}
