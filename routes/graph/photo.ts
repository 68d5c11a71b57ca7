import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute } from '../../server/api.js';

// TODO(owner): not yet implemented
const routes: ApiRoute[] = [];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
