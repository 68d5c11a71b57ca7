// The emulator's control plane under the reserved prefix /_emulator/ (no API path starts with
// it), one module per concern: health and info, saved states (reset, snapshots, export/import),
// direct issuance of apps, users, relations and tokens, the clock, a request journal, fault
// injection and isolated worlds. Control answers are plain JSON (application/json); errors are
// {error} with a 4xx status.
import type { FastifyInstance } from 'fastify';
import { saveImage } from '../../db/images.js';
import { CONSOLE_PATH } from '../console.js';
import { controlContext, pathOf, PREFIX, refuse, type ControlState } from './context.js';
import { registerInfo } from './info.js';
import { registerSaved } from './saved.js';
import { registerIssuance } from './issuance.js';
import { registerClock } from './clock.js';
import { registerJournal } from './journal.js';
import { registerFaults } from './faults.js';
import { registerWorlds } from './worlds.js';

export { PREFIX, type ControlState } from './context.js';
export { readVersion } from './info.js';
export type { JournalEntry } from './journal.js';
export type { Fault } from './faults.js';

declare module 'fastify' {
  interface FastifyInstance {
    control: ControlState;
  }
}

/** Installs the control hooks and routes. Call before the API routes are registered. */
export function registerControl(app: FastifyInstance): void {
  const state: ControlState = {
    template: saveImage(app.world.db),
    snapshots: new Map(),
    journal: [],
    journalMax: 10000,
    journalSeq: 0,
    faults: [],
    faultSeq: 0,
    worlds: new Map(),
    registry: new Map(),
  };
  app.decorate('control', state);
  const config = app.emulatorConfig;

  // the admin token guards every control call; registered first, so a refused call meets no other hook
  app.addHook('onRequest', (req, reply, done) => {
    if (!req.url.startsWith(PREFIX)) return done();
    // the console page's HTML holds no data and asks for the token itself (server/console.ts)
    const consolePage = req.routeOptions.url === CONSOLE_PATH && (req.method === 'GET' || req.method === 'HEAD');
    if (config.adminToken && !consolePage && req.headers.authorization !== `Bearer ${config.adminToken}`) {
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
  registerJournal(ctl);
  registerFaults(ctl);
  registerWorlds(ctl);

  // unknown control paths: JSON 404, not an API envelope
  app.all(PREFIX + '*', async (req, reply) => refuse(reply, 404, `no control endpoint ${req.method} ${pathOf(req.url)}`));
}
