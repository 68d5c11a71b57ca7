// Saved states: POST /_emulator/reset, snapshots (save, list, restore, delete), export/import,
// each on the world named by world= (an isolated world keeps its id and credentials throughout).
// The store work (images, copies, row dumps) lives in db/images.ts and db/transfer.ts.
import { World } from '../../db/world.js';
import type { Clock } from '../../db/clock.js';
import { copyInto, dropImage, imageBytes, imageSize, restoreFile, saveImage, worldFromImage, type Image } from '../../db/images.js';
import { exportWorld, importWorld, worldCounts } from '../../db/transfer.js';
import { bool, placeWorld, Refusal, type Control, type ControlDoc, COUNTS, WORLD_FIELD } from './context.js';
import { isolatedWorld } from './worlds.js';
import { retireWorld } from '../world_hold.js';
import { applyFixtures } from '../../db/fixtures.js';
import { seededBytes, seededFileImage } from '../../seed/cache.js';

const SNAP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const SNAPSHOT_NAME = { name: 'before-test' };
const SNAPSHOT = { type: 'object', required: ['name', 'created', 'bytes'], properties: { name: { type: 'string' }, created: { type: 'integer' }, bytes: { type: 'integer' } } };
const RESET_DOC: ControlDoc = {
  summary: 'reset the world to its seeded state (the clock too, unless keepClock)',
  body: { keepClock: { type: 'boolean', default: false } },
  example: { keepClock: false },
  answer: { type: 'object', required: ['status', 'ms', 'counts'], properties: { status: { type: 'string', enum: ['reset'] }, ms: { type: 'number' }, counts: COUNTS } },
};
const SNAPSHOT_DOC: ControlDoc = { summary: 'take (or replace) a named snapshot of the world', path: SNAPSHOT_NAME, answer: SNAPSHOT };
const RESTORE_DOC: ControlDoc = {
  summary: 'restore a snapshot',
  path: SNAPSHOT_NAME,
  answer: { type: 'object', required: ['name', 'restored', 'counts'], properties: { name: { type: 'string' }, restored: { type: 'boolean' }, counts: COUNTS } },
};
const SNAPSHOTS_DOC: ControlDoc = { summary: 'list snapshots', answer: { type: 'object', required: ['snapshots'], properties: { snapshots: { type: 'array', items: SNAPSHOT } } } };
const SNAPSHOT_DELETE_DOC: ControlDoc = {
  summary: 'delete a snapshot',
  path: SNAPSHOT_NAME,
  answer: { type: 'object', required: ['name', 'deleted'], properties: { name: { type: 'string' }, deleted: { type: 'boolean' } } },
};
const EXPORT_DOC: ControlDoc = {
  summary: 'export the world as JSON (what POST /_emulator/import takes)',
  query: { world: WORLD_FIELD },
  answer: { type: 'object', additionalProperties: true },
  links: { import: { operationId: 'post_emulator_import', requestBody: '$response.body', description: 'the export is the body of an import' } },
};
const IMPORT_DOC: ControlDoc = {
  summary: 'replace the world with an export (the body GET /_emulator/export answered)',
  body: {},
  answer: { type: 'object', required: ['imported', 'counts'], properties: { imported: { type: 'boolean' }, counts: COUNTS } },
};

export function registerSaved({ app, state, route, scope }: Control): void {
  // the old world is closed once the requests that started on it (e.g. awaiting a multipart
  // body) have answered (server/world_hold.ts)
  // a file-backed store is rewritten in place (so the file keeps the state), an in-memory one swapped
  const swap = (w: World) => {
    const old = app.world;
    const cur = old.db;
    if (cur.memory || cur === w.db) {
      app.world = w;
      if (cur !== w.db) retireWorld(old);
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
    if (state.originImage) dropImage(state.originImage);
    for (const ctl of [state.main, ...[...state.worlds.values()].map((i) => i.ctl)]) {
      for (const s of ctl.snapshots.values()) dropImage(s.image);
      ctl.snapshots.clear();
    }
    done();
  });

  route('POST', 'reset', ['world', 'keepClock'], async (_req, _reply, o) => {
    const started = process.hrtime.bigint();
    const s = scope(o);
    const keepClock = bool(o.keepClock, 'keepClock') ?? false;
    const clock = s.world.clock;
    if (!keepClock) clock.reset();
    if (s.iso) placeWorld(s.iso, isolatedWorld(state.template, s.iso.graph, s.iso.weibo, clock));
    else {
      // a store file opened as it was left goes back to the seed it was made from
      if (state.origin && !state.originImage) {
        const cur = app.world.db;
        state.originImage = cur.memory ? { kind: 'memory', bytes: seededBytes(state.origin) } : seededFileImage(cur, state.origin);
      }
      await restore(state.originImage ?? state.template, clock);
    }
    // reset = seed + fixtures: those loaded over HTTP since start go in again
    const w = scope(o).world;
    for (const f of s.ctl.fixtures) applyFixtures(w, f.fixtures, f.source);
    return { status: 'reset', world: s.id, ms: Number(process.hrtime.bigint() - started) / 1e6, counts: worldCounts(scope(o).world) };
  }, RESET_DOC);

  route('POST', 'snapshots/:name', ['world'], (req, _reply, o) => {
    const name = (req.params as { name: string }).name;
    if (!SNAP_NAME.test(name)) throw new Refusal(400, 'snapshot name must be 1-64 of A-Z a-z 0-9 _ . -');
    const { world, ctl } = scope(o);
    const image = saveImage(world.db);
    const created = world.clock.now();
    const old = ctl.snapshots.get(name);
    ctl.snapshots.set(name, { image, created });
    if (old) dropImage(old.image);
    return { name, created, bytes: imageSize(image) };
  }, SNAPSHOT_DOC);
  route('POST', 'snapshots/:name/restore', ['world'], async (req, _reply, o) => {
    const name = (req.params as { name: string }).name;
    const { world, ctl, iso } = scope(o);
    const s = ctl.snapshots.get(name);
    if (!s) throw new Refusal(404, `no snapshot ${name}`);
    if (iso) placeWorld(iso, worldFromImage(imageBytes(s.image), world.clock));
    else await restore(s.image, world.clock);
    return { name, restored: true, counts: worldCounts(scope(o).world) };
  }, RESTORE_DOC);
  route('GET', 'snapshots', ['world'], (_req, _reply, o) => ({ snapshots: [...scope(o).ctl.snapshots].map(([name, s]) => ({ name, created: s.created, bytes: imageSize(s.image) })) }), SNAPSHOTS_DOC);
  route('DELETE', 'snapshots/:name', ['world'], (req, _reply, o) => {
    const name = (req.params as { name: string }).name;
    const { ctl } = scope(o);
    const s = ctl.snapshots.get(name);
    if (!s) throw new Refusal(404, `no snapshot ${name}`);
    ctl.snapshots.delete(name);
    dropImage(s.image);
    return { name, deleted: true };
  }, SNAPSHOT_DELETE_DOC);

  route('GET', 'export', ['world'], (_req, _reply, o) => exportWorld(scope(o).world), EXPORT_DOC);
  // the body is the export itself: its keys are the known parameters
  route('POST', 'import', ['world', 'schemaVersion', 'tables'], (req, _reply, o) => {
    const { world, iso } = scope(o);
    const b = req.body;
    let data: unknown;
    try {
      data = Buffer.isBuffer(b) ? JSON.parse(b.toString('utf8')) : b;
    } catch {
      throw new Refusal(400, 'body is not valid JSON');
    }
    const w = importWorld(data, world.clock);
    if (iso) placeWorld(iso, w);
    else swap(w);
    return { imported: true, counts: worldCounts(scope(o).world) };
  }, IMPORT_DOC);
}
