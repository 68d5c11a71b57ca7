// The emulator's control plane under the reserved prefix /_emulator/ (no API path starts with
// it), one module per concern: health and info, saved states (reset, snapshots, export/import),
// direct issuance of apps, users, relations and tokens, the clock, write rules, a request
// journal, fault injection, isolated worlds, paged reads of a world's rows (tables) and fixtures. Control
// answers are plain JSON (application/json); errors are {error} with a 4xx status.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { saveImage } from '../../db/images.js';
import { CONSOLE_PATH } from '../console.js';
import { LANDING_PATH } from '../landing.js';
import { DOCS_PATH } from '../docs.js';

import { controlContext, newWorldControl, pathOf, PREFIX, refuse, type ControlState } from './context.js';
import { registerInfo } from './info.js';
import { registerSaved } from './saved.js';
import { registerIssuance } from './issuance.js';
import { registerClock } from './clock.js';
import { registerJournal } from './journal.js';
import { registerFaults } from './faults.js';
import { registerWorlds } from './worlds.js';
import { registerRules } from './rules.js';
import { registerTables } from './tables.js';
import { registerFixtures } from './fixtures.js';
import type { Fixtures } from '../../db/fixtures.js';
import type { Origin } from '../../db/origin.js';

/** Pages that hold no data and load without the admin token (GET and HEAD). */
export const isOpenPage = (routeUrl: string | undefined): boolean =>
  routeUrl === CONSOLE_PATH || routeUrl === LANDING_PATH || routeUrl === PREFIX + 'health' || routeUrl === DOCS_PATH || !!routeUrl?.startsWith(DOCS_PATH + '/');

export { PREFIX, type ControlState } from './context.js';
export { readVersion } from './info.js';
export type { JournalEntry } from './journal.js';
export type { Fault } from './faults.js';

/** Bytes each world's journal may hold (entries are cut to bounded sizes, server/control/journal.ts). */
export const JOURNAL_MAX_BYTES = 32 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    control: ControlState;
  }
}

/** `Authorization: Bearer <token>`, the scheme in any case (RFC 9110 §11.1), compared in constant time. */
export function adminTokenIn(header: string | undefined, token: string): boolean {
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Installs the control hooks and routes. Call before the API routes are registered. */
export function registerControl(app: FastifyInstance, fixtures?: { fixtures: Fixtures; source: string }, origin?: Origin): void {
  const state: ControlState = {
    template: saveImage(app.world.db),
    ...(origin && { origin }),
    main: { ...newWorldControl(), fixtures: fixtures ? [fixtures] : [] },
    journalMax: 10000,
    journalMaxBytes: JOURNAL_MAX_BYTES,
    journalSeq: 0,
    faultSeq: 0,
    worlds: new Map(),
    registry: new Map(),
  };
  app.decorate('control', state);
  const config = app.emulatorConfig;

  // the admin token guards every control call; registered first, so a refused call meets no other hook
  app.addHook('onRequest', (req, reply, done) => {
    if (!req.url.startsWith(PREFIX)) return done();
    // the console page's HTML holds no data and asks for the token itself (server/console.ts);
    // health holds nothing either, so a readiness loop needs no token; the landing page is a static
    // summary that leaves the secrets out then (server/landing.ts)
    // the docs UI's page and Swagger UI's files are constants too: a browser cannot send the token
    // when it opens a page, so the page takes it from the console's sessionStorage and sends it
    // for the description (server/docs.ts), which is guarded
    const open = isOpenPage(req.routeOptions.url) && (req.method === 'GET' || req.method === 'HEAD');
    if (config.adminToken && !open && !adminTokenIn(req.headers.authorization, config.adminToken)) {
      reply.header('www-authenticate', 'Bearer realm="emulator"');
      refuse(reply, 401, 'the control plane needs Authorization: Bearer <admin token>');
      return;
    }
    done();
  });

  const ctl = controlContext(app, state);
  registerInfo(ctl);
  registerSaved(ctl);
  registerIssuance(ctl);
  registerClock(ctl);
  registerRules(ctl);
  registerJournal(ctl);
  // the world is picked (preHandler) before a world's faults are looked up (preHandler after it)
  registerWorlds(ctl);
  registerFaults(ctl);
  registerTables(ctl);
  registerFixtures(ctl);

  // unknown control paths: JSON 404, not an API envelope
  app.all(PREFIX + '*', async (req, reply) => refuse(reply, 404, `no control endpoint ${req.method} ${pathOf(req.url)}`));
}
