// The README's open.t.qq.com OAuth 1.0a walk-through, run as written: the ```js block under
// "OAuth 1.0a with an ordinary client library" is taken from README.md and run by node (the npm
// `oauth` package, as a user would) against a listening emulator. It must print bob and 0, and
// the tweet it posts must be bob's.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { build, listening } from '../helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The first ```js block after the walk-through's heading. */
function walkthrough(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const at = readme.indexOf('### open.t.qq.com OAuth 1.0a with an ordinary client library');
  if (at < 0) throw new Error('README: the walk-through heading is gone');
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error('README: no js block in the walk-through');
  return m[1];
}

t.test("the README's node-oauth walk-through runs as written", async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const base = await listening(app);
  const code = walkthrough();
  t.match(code, "from 'oauth'", 'it uses the npm oauth package');

  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // cwd: the repo, so `oauth` resolves from its node_modules as from an app's
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env: { ...process.env, EMU: base } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
  t.equal(out.code, 0, `exit 0 ${out.stderr}`);
  t.equal(out.stdout, 'bob\n0\n', 'prints bob and 0');
  const row = app.world.db.prepare("SELECT u.name FROM tweets t JOIN users u ON u.id = t.user_id WHERE t.origtext = 'hello from node-oauth'").get() as { name: string } | undefined;
  t.equal(row?.name, 'bob', 'the posted tweet is in the world, by bob');
  const journal = (await app.inject({ method: 'GET', url: '/_emulator/journal?limit=10' })).json() as { entries: { path: string; ok: boolean }[] };
  const paths = journal.entries.map((e) => `${e.path} ${e.ok}`).reverse();
  t.same(paths, ['/cgi-bin/request_token true', '/cgi-bin/authorize true', '/cgi-bin/access_token true', '/api/user/info true', '/api/t/add true'], 'the journal saw the five steps, each answered ok');
});
