// Saved states: POST /_emulator/reset, snapshots (save, list, restore, delete), export/import.
// The store work (images, copies, row dumps) lives in db/images.ts and db/transfer.ts.
import { World } from '../../db/world.js';
import type { Clock } from '../../db/clock.js';
import { copyInto, dropImage, imageBytes, imageSize, restoreFile, saveImage, worldFromImage, type Image } from '../../db/images.js';
import { exportWorld, importWorld, worldCounts } from '../../db/transfer.js';
import { bool, Refusal, type Control } from './context.js';

const SNAP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function registerSaved({ app, state, route, targetWorld }: Control): void {
  // the old world is not closed: a request that started on it (e.g. awaiting a multipart body)
  // may still read it; it is freed once nothing references it
  // a file-backed store is rewritten in place (so the file keeps the state), an in-memory one swapped
  const swap = (w: World) => {
    const cur = app.world.db;
    if (cur.memory || cur === w.db) {
      app.world = w;
      return;
    }
    copyInto(cur, w.db.serialize());
    w.db.close();
    app.world = new World(cur, w.clock, w.rules);
  };
  /** Puts a saved state back as a fresh world (default rules) on `clock`. */
  const restore = async (image: Image, clock: Clock): Promise<void> => {
    const cur = app.world.db;
    if (cur.memory || image.kind === 'memory') return swap(worldFromImage(imageBytes(image), clock));
    const done = restoreFile(cur, image);
    // what waiting requests wait on: settles either way (a failure is this route's to report)
    state.restoring = done.catch(() => undefined);
    try {
      await done;
    } finally {
      state.restoring = undefined;
    }
    app.world = new World(cur, clock);
  };
  app.addHook('onClose', (_app, done) => {
    dropImage(state.template);
    for (const s of state.snapshots.values()) dropImage(s.image);
    state.snapshots.clear();
    done();
  });

  route('POST', 'reset', async (_req, _reply, o) => {
    const started = process.hrtime.bigint();
    const keepClock = bool(o.keepClock, 'keepClock') ?? false;
    const clock = app.world.clock;
    if (!keepClock) clock.reset();
    await restore(state.template, clock);
    return { status: 'reset', ms: Number(process.hrtime.bigint() - started) / 1e6, counts: worldCounts(app.world) };
  });

  route('POST', 'snapshots/:name', (req) => {
    const name = (req.params as { name: string }).name;
    if (!SNAP_NAME.test(name)) throw new Refusal(400, 'snapshot name must be 1-64 of A-Z a-z 0-9 _ . -');
    const image = saveImage(app.world.db);
    const created = app.world.clock.now();
    const old = state.snapshots.get(name);
    state.snapshots.set(name, { image, created });
    if (old) dropImage(old.image);
    return { name, created, bytes: imageSize(image) };
  });
  route('POST', 'snapshots/:name/restore', async (req) => {
    const name = (req.params as { name: string }).name;
    const s = state.snapshots.get(name);
    if (!s) throw new Refusal(404, `no snapshot ${name}`);
    await restore(s.image, app.world.clock);
    return { name, restored: true, counts: worldCounts(app.world) };
  });
  route('GET', 'snapshots', () => ({ snapshots: [...state.snapshots].map(([name, s]) => ({ name, created: s.created, bytes: imageSize(s.image) })) }));
  route('DELETE', 'snapshots/:name', (req) => {
    const name = (req.params as { name: string }).name;
    const s = state.snapshots.get(name);
    if (!s) throw new Refusal(404, `no snapshot ${name}`);
    state.snapshots.delete(name);
    dropImage(s.image);
    return { name, deleted: true };
  });

  route('GET', 'export', (_req, _reply, o) => exportWorld(targetWorld(o)));
  route('POST', 'import', (req) => {
    const b = req.body;
    let data: unknown;
    try {
      data = Buffer.isBuffer(b) ? JSON.parse(b.toString('utf8')) : b;
    } catch {
      throw new Refusal(400, 'body is not valid JSON');
    }
    swap(importWorld(data, app.world.clock));
    return { imported: true, counts: worldCounts(app.world) };
  });
}
