// Isolated worlds: POST /_emulator/worlds opens a copy of the template with its own apps; API
// calls reach it by those apps' credentials (or a token it issued), so parallel tests never meet.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { World } from '../../db/world.js';
import type { Image } from '../../db/images.js';
import { Clock } from '../../db/clock.js';
import { imageBytes, worldFromImage } from '../../db/images.js';
import { hex32, hex32lower } from '../../db/ids.js';
import { worldCounts } from '../../db/transfer.js';
import { FIXTURES } from '../../seed/generate.js';
import { bodyParts, flatten } from '../args.js';
import { uniqueDigits } from './issuance.js';
import { holdWorld, retireWorld } from '../world_hold.js';
import { newWorldControl, placeWorld, PREFIX, Refusal, type Control, type WorldControl, type ControlDoc } from './context.js';

export interface IsolatedWorld {
  id: string;
  /** replaced by reset, snapshot restore and import (world=id); the id and credentials stay */
  world: World;
  created: number;
  graph: { appid: string; secret: string };
  weibo: { consumer_key: string; consumer_secret: string };
  /** its own journal, faults and snapshots */
  ctl: WorldControl;
}

/** The template's world plus an isolated world's two apps (what it starts as and resets to). */
export function isolatedWorld(template: Image, graph: IsolatedWorld['graph'], weibo: IsolatedWorld['weibo'], clock = new Clock()): World {
  return addApps(worldFromImage(imageBytes(template), clock), graph, weibo);
}
function addApps(w: World, graph: IsolatedWorld['graph'], weibo: IsolatedWorld['weibo']): World {
  const g = FIXTURES.graphApp;
  w.tx(() => {
    w.apps.create({ appid: graph.appid, secret: graph.secret, name: g.name, platform: 'graph', redirectUris: [...g.redirectUris], grantedApis: [...g.grantedApis], unionid: g.unionid });
    w.apps.create({ appid: weibo.consumer_key, secret: weibo.consumer_secret, name: FIXTURES.weiboApp.name, platform: 'weibo', redirectUris: [...FIXTURES.weiboApp.redirectUris] });
  });
  return w;
}

/** Pulls the credentials that pick a world out of a request: query, body, OAuth Authorization header. */
function credentialsOf(req: FastifyRequest): { keys: string[]; accessToken?: string } {
  const v: Record<string, string> = {};
  flatten(req.query, v);
  for (const [k, part] of bodyParts(req.body)) if (part.type === 'field') v[k] ??= part.value;
  const keys: string[] = [];
  if (v.client_id) keys.push(v.client_id);
  if (v.oauth_consumer_key) keys.push(v.oauth_consumer_key);
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^OAuth\s/i.test(auth)) {
    const m = /oauth_consumer_key="([^"]*)"/.exec(auth);
    if (m) keys.push(decodeURIComponent(m[1]));
  }
  return { keys, accessToken: v.access_token };
}

const CREDENTIALS = {
  graph: { type: 'object', required: ['appid', 'secret'], properties: { appid: { type: 'string' }, secret: { type: 'string' } } },
  weibo: { type: 'object', required: ['consumer_key', 'consumer_secret'], properties: { consumer_key: { type: 'string' }, consumer_secret: { type: 'string' } } },
};
const WORLD_DOC: ControlDoc = {
  summary: 'create an isolated world (a copy of the seeded one) with its own app credentials: calls made with them see only that world',
  answer: { type: 'object', required: ['id', 'graph', 'weibo'], properties: { id: { type: 'string' }, ...CREDENTIALS, ms: { type: 'number' } } },
  links: { delete: { operationId: 'delete_emulator_worlds_id', parameters: { id: '$response.body#/id' }, description: 'the world just created' } },
};
const WORLDS_DOC: ControlDoc = {
  summary: 'list isolated worlds',
  answer: {
    type: 'object',
    required: ['worlds'],
    properties: { worlds: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, ...CREDENTIALS, counts: { type: 'object', additionalProperties: { type: 'integer' } } } } } },
  },
};
const WORLD_DELETE_DOC: ControlDoc = { summary: 'delete an isolated world', answer: { type: 'object', required: ['id', 'deleted'], properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } } };

export function registerWorlds({ app, state, route }: Control): void {
  // callback style (nothing awaited): no promise per request on the hot path
  app.addHook('preHandler', (req, reply, done) => {
    if (!state.restoring) return pickWorld(req, reply, done);
    // a file store is being put back in place (db/images.ts): a write now would wait on the
    // backup's lock while blocking it; run on the restored world once it is done. Checked here,
    // after the body arrived, so a request still uploading when the restore began waits too.
    state.restoring.then(() => {
      holdWorld(req, reply, app.world);
      pickWorld(req, reply, done);
    });
  });
  const pickWorld = (req: FastifyRequest, reply: FastifyReply, done: (e?: Error) => void): void => {
    try {
      const iso = isolatedWorldOf(req);
      if (iso) holdWorld(req, reply, iso);
      done();
    } catch (e) {
      done(e as Error);
    }
  };
  /** The isolated world a request's credentials (or picture link) name, if any. */
  const isolatedWorldOf = (req: FastifyRequest): World | undefined => {
    if (!state.worlds.size || req.url.startsWith(PREFIX)) return undefined;
    const { keys, accessToken } = credentialsOf(req);
    for (const k of keys) {
      const id = state.registry.get(k);
      if (id) return state.worlds.get(id)?.world;
    }
    if (accessToken) {
      for (const iso of state.worlds.values()) if (iso.world.oauth2.getToken(accessToken)) return iso.world;
    }
    // picture links carry no credentials: /qzonepic/:appid/... names the app, and a
    // content-addressed key the current world lacks is looked up in the isolated worlds
    const params = (req.params ?? {}) as { appid?: string; key?: string };
    const byApp = params.appid ? state.registry.get(params.appid) : undefined;
    if (byApp && state.worlds.has(byApp)) return state.worlds.get(byApp)!.world;
    if (params.key && /^[0-9a-f]{32}$/.test(params.key) && !req.world.files.get(params.key)) {
      for (const iso of state.worlds.values()) if (iso.world.files.get(params.key)) return iso.world;
    }
    return undefined;
  };

  route('POST', 'worlds', [], () => {
    const started = process.hrtime.bigint();
    // ids taken anywhere: the registry, the default world, and the template the new world copies
    const fresh = worldFromImage(imageBytes(state.template));
    const taken = (id: string) => state.registry.has(id) || !!app.world.apps.get(id) || !!fresh.apps.get(id);
    const graph = { appid: uniqueDigits('1018', taken), secret: hex32() };
    const weibo = { consumer_key: uniqueDigits('8018', taken), consumer_secret: hex32lower() };
    const w = addApps(fresh, graph, weibo);
    let id: string;
    do id = 'w' + randomBytes(6).toString('hex');
    while (state.worlds.has(id));
    const iso: IsolatedWorld = { id, world: w, created: Date.now(), graph, weibo, ctl: newWorldControl() };
    placeWorld(iso, w);
    state.worlds.set(id, iso);
    state.registry.set(graph.appid, id);
    state.registry.set(weibo.consumer_key, id);
    return { id, graph: iso.graph, weibo: iso.weibo, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }, WORLD_DOC);
  route('GET', 'worlds', [], () => ({ worlds: [...state.worlds.values()].map((i) => ({ id: i.id, graph: i.graph, weibo: i.weibo, counts: worldCounts(i.world) })) }), WORLDS_DOC);
  route('DELETE', 'worlds/:id', [], (req) => {
    const id = (req.params as { id: string }).id;
    const iso = state.worlds.get(id);
    if (!iso) throw new Refusal(404, `no world ${id}`);
    state.worlds.delete(id);
    for (const [k, v] of state.registry) if (v === id) state.registry.delete(k);
    retireWorld(iso.world);
    return { id, deleted: true };
  }, WORLD_DELETE_DOC);
}
