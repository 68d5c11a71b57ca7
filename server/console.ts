// A small admin console at GET /_emulator/console: one self-contained HTML page (inline CSS and JS,
// nothing fetched from elsewhere) that reads the control plane's JSON endpoints (/_emulator/info,
// /_emulator/export, /_emulator/journal) and offers a Reset button (POST /_emulator/reset).
// Every value is written with textContent, never parsed as HTML. With an admin token configured
// the page's HTML (which holds no data) still loads without it (server/control/index.ts exempts exactly
// GET/HEAD of this path); every data call needs it: on a 401 the page shows a password prompt, keeps
// the token in sessionStorage (this tab only) and sends it as `Authorization: Bearer …`.
import type { FastifyInstance } from 'fastify';

export const CONSOLE_PATH = '/_emulator/console';

/** rows shown per table (the newest first where the data has an order) */
const ROWS = 200;

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
</style>
</head>
<body>
<h1>Tencent open-platform emulator — console</h1>
<form id="auth" hidden><p id="auth-message"></p>
<p><label for="token">Admin token</label> <input id="token" name="token" type="password" autocomplete="current-password" required> <button id="use-token" type="submit">Use token</button></p>
<p class="note">Kept in this tab's sessionStorage and sent as Authorization: Bearer on the console's own calls.</p></form>
<p><button id="refresh" type="button">Refresh</button> <button id="reset" type="button">Reset world</button> <button id="forget" type="button" hidden>Forget token</button><span id="status"></span></p>
<p id="summary" class="note"></p>
<h2>Users</h2><p class="note" id="users-note"></p>
<table id="users"><thead><tr><th>id</th><th>name</th><th>nick</th><th>openid</th><th>unionid</th><th>sex</th><th>location</th></tr></thead><tbody></tbody></table>
<h2>Recent tweets</h2><p class="note" id="tweets-note"></p>
<table id="tweets"><thead><tr><th>id</th><th>author</th><th>type</th><th>text</th><th>time</th></tr></thead><tbody></tbody></table>
<h2>Relations</h2><p class="note" id="relations-note"></p>
<table id="relations"><thead><tr><th>fan</th><th>idol</th><th>special</th><th>since</th></tr></thead><tbody></tbody></table>
<h2>Tokens</h2><p class="note" id="tokens-note"></p>
<table id="tokens"><thead><tr><th>platform</th><th>token</th><th>user</th><th>app</th><th>scope / kind</th><th>created</th><th>state</th></tr></thead><tbody></tbody></table>
<h2>Request journal</h2><p class="note" id="journal-note"></p>
<table id="journal"><thead><tr><th>seq</th><th>at</th><th>method</th><th>host</th><th>path</th><th>user</th><th>status</th><th>ret</th><th>errcode</th><th>ms</th></tr></thead><tbody></tbody></table>
<script>
(function () {
  'use strict';
  var ROWS = ${ROWS};
  var KEY = 'emulator-admin-token';
  var token = null;
  try { token = sessionStorage.getItem(KEY); } catch (e) { token = null; }
  function keep(t) {
    token = t;
    try { if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY); } catch (e) { /* storage off: this page only */ }
    document.getElementById('forget').hidden = !t;
  }
  keep(token);
  function headers() { return token ? { Authorization: 'Bearer ' + token } : {}; }
  function call(method, path) {
    return fetch(path, { method: method, headers: headers(), cache: 'no-store' }).then(function (r) {
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
  function clearTables() {
    ['users', 'tweets', 'relations', 'tokens', 'journal'].forEach(function (id) { fill(id, [], 0); });
    document.getElementById('summary').textContent = '';
  }
  function askToken() {
    var msg = token ? 'The admin token was refused (401). Enter the token the emulator was started with (--admin-token / EMU_ADMIN_TOKEN).' : 'This emulator needs its admin token (401): enter it to load the data.';
    document.getElementById('auth-message').textContent = msg;
    document.getElementById('auth').hidden = false;
    clearTables();
    status('401: admin token needed', true);
    document.getElementById('token').focus();
  }
  function failed(e) {
    if (e && e.unauthorized) return askToken();
    status(String(e && e.message ? e.message : e), true);
  }
  function status(text, isError) {
    var s = document.getElementById('status');
    s.textContent = text;
    s.className = isError ? 'error' : '';
  }
  function fill(id, rows, total) {
    var body = document.querySelector('#' + id + ' tbody');
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (v) {
        var td = document.createElement('td');
        td.textContent = v === null || v === undefined ? '' : String(v);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    document.getElementById(id + '-note').textContent = total > rows.length ? 'showing ' + rows.length + ' of ' + total : total + ' row(s)';
  }
  function when(sec) { return sec ? new Date(sec * 1000).toISOString().replace('.000Z', 'Z') : ''; }
  function render(info, exp, journal) {
    var t = exp.tables || {};
    var users = t.users || [], tweets = t.tweets || [], follows = t.follows || [], openids = t.openids || [];
    var names = {};
    users.forEach(function (u) { names[u.id] = u.name; });
    var graphApp = info.fixtures && info.fixtures.graphApp ? info.fixtures.graphApp.appid : '';
    var openid = {};
    openids.forEach(function (o) { if (o.appid === graphApp) openid[o.user_id] = o.openid; });
    var counts = info.counts || {};
    document.getElementById('summary').textContent = 'version ' + info.version + ' · world ' + Object.keys(counts).map(function (k) { return k + ' ' + counts[k]; }).join(', ') + ' · openid column: app ' + graphApp;
    fill('users', users.slice(0, ROWS).map(function (u) { return [u.id, u.name, u.nick, openid[u.id] || '', u.unionid, u.sex, u.location]; }), users.length);
    var recent = tweets.slice().sort(function (a, b) { return b.timestamp - a.timestamp || b.id - a.id; }).slice(0, ROWS);
    fill('tweets', recent.map(function (w) { return [w.id, names[w.user_id] || w.user_id, w.type, w.origtext, when(w.timestamp)]; }), tweets.length);
    var rel = follows.slice().sort(function (a, b) { return b.seq - a.seq; }).slice(0, ROWS);
    fill('relations', rel.map(function (f) { return [names[f.fan_id] || f.fan_id, names[f.idol_id] || f.idol_id, f.special ? 'yes' : '', when(f.created_at)]; }), follows.length);
    var toks = [];
    var platformOf = {};
    (t.apps || []).forEach(function (a) { platformOf[a.appid] = a.platform; });
    (t.oauth2_tokens || []).forEach(function (k) { toks.push({ at: k.created_at, row: [platformOf[k.appid] === 'weibo' ? 'weibo OAuth 2.0' : 'graph', k.access_token, names[k.user_id] || k.user_id, k.appid, k.scope, when(k.created_at), k.revoked ? 'revoked' : 'expires ' + when(k.expires_at)] }); });
    (t.oauth1_tokens || []).forEach(function (k) { toks.push({ at: k.created_at, row: ['weibo', k.token, k.user_id === null ? '' : names[k.user_id] || k.user_id, k.appid, k.kind, when(k.created_at), k.revoked ? 'revoked' : k.used ? 'used' : ''] }); });
    toks.sort(function (a, b) { return b.at - a.at; });
    fill('tokens', toks.slice(0, ROWS).map(function (x) { return x.row; }), toks.length);
    var entries = journal.entries || [];
    fill('journal', entries.map(function (e) { return [e.seq, e.at, e.method, e.host, e.path, e.user, e.status, e.ret, e.errcode, e.ms]; }), journal.total || entries.length);
  }
  function load() {
    status('loading…');
    return Promise.all([call('GET', '/_emulator/info'), call('GET', '/_emulator/export'), call('GET', '/_emulator/journal?limit=' + ROWS)])
      .then(function (r) { document.getElementById('auth').hidden = true; render(r[0], r[1], r[2]); status('loaded ' + new Date().toISOString()); })
      .catch(failed);
  }
  document.getElementById('auth').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = document.getElementById('token');
    keep(input.value);
    input.value = '';
    load();
  });
  document.getElementById('forget').addEventListener('click', function () { keep(null); clearTables(); status('token forgotten'); load(); });
  document.getElementById('refresh').addEventListener('click', load);
  document.getElementById('reset').addEventListener('click', function () {
    if (!confirm('Reset the world to its seeded state?')) return;
    status('resetting…');
    call('POST', '/_emulator/reset').then(load).catch(failed);
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
