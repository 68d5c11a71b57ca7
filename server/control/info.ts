// GET /_emulator/health and /_emulator/info: liveness, version, configuration, fixtures, counts.
import { readFileSync } from 'node:fs';
import { schemaVersion } from '../../db/store.js';
import { worldCounts } from '../../db/transfer.js';
import { FIXTURES } from '../../seed/generate.js';
import { clockState } from './clock.js';
import { journalStart } from './journal.js';
import type { Control, ControlDoc } from './context.js';
import { CODE_CACHE_STATE } from '../cache_dir.js';

/** The package version (from package.json, found from source, dist/server/control/ or the one-file bundle in dist/). */
export function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json', '../package.json']) {
    try {
      const p = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'tencent-open-emulator') return p.version ?? '0.0.0';
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}
const VERSION = readVersion();

const HEALTH_DOC: ControlDoc = { summary: 'liveness', answer: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } };
const INFO_DOC: ControlDoc = {
  summary: 'version, configuration, fixtures (seeded apps and users) and world counts',
  answer: {
    type: 'object',
    required: ['name', 'version', 'config', 'fixtures', 'clock', 'counts'],
    properties: {
      name: { type: 'string' },
      version: { type: 'string' },
      schemaVersion: { type: 'integer' },
      config: { type: 'object', additionalProperties: true },
      fixtures: { type: 'object', additionalProperties: true },
      clock: { type: 'object', additionalProperties: true },
      counts: { type: 'object', additionalProperties: { type: 'integer' } },
      snapshots: { type: 'integer' },
      worlds: { type: 'integer' },
      journal: { type: 'integer' },
      faults: { type: 'integer' },
      codeCache: { type: 'string', enum: ['used', 'missing', 'refused'], description: "the one-file build's V8 code cache at this start: used, missing (kept after it) or refused by V8 (kept again); absent in other builds" },
    },
  },
};

export function registerInfo({ app, state, route, scope }: Control): void {
  const config = app.emulatorConfig;
  route('GET', 'health', [], () => ({ status: 'ok' }), HEALTH_DOC);

  route('GET', 'info', ['world'], (_req, _reply, o) => {
    const s = scope(o);
    return {
    name: 'tencent-open-emulator',
    version: VERSION,
    schemaVersion: schemaVersion(s.world.db),
    config: {
      host: config.host,
      port: config.port,
      db: config.db,
      seed: config.seed,
      size: config.size,
      fixtures: config.fixtures,
      baseUrl: config.baseUrl,
      maxUpload: config.maxUpload,
      autoApproveUser: config.autoApproveUser,
      adminToken: config.adminToken ? true : false,
    },
    fixtures: {
      graphApp: { appid: FIXTURES.graphApp.appid, secret: FIXTURES.graphApp.secret },
      graphAppPlain: { appid: FIXTURES.graphAppPlain.appid, secret: FIXTURES.graphAppPlain.secret },
      weiboApp: { consumer_key: FIXTURES.weiboApp.appid, consumer_secret: FIXTURES.weiboApp.secret },
      users: FIXTURES.users.map((u) => u.name),
    },
    world: s.id,
    clock: clockState(s.world.clock),
    counts: worldCounts(s.world),
    snapshots: s.ctl.snapshots.size,
    worlds: state.worlds.size,
    journal: s.ctl.journal.length - journalStart(state, s.ctl),
    faults: s.ctl.faults.length,
    codeCache: (globalThis as Record<symbol, unknown>)[CODE_CACHE_STATE],
  };
  }, INFO_DOC);
}
