import type { FastifyInstance } from 'fastify';
import { adminScope } from './admin/index.js';
import { healthRoutes } from './ops/health.js';
import { publicScope } from './public/index.js';

/**
 * The plugin tree: ops probes (never rate limited), the back office under /v1/admin (bearer token
 * and role per route), and the public scope (rate limited; holds the calendar feeds).
 * /docs is registered by server.ts with the OpenAPI generator.
 */
export async function registerScopes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  await app.register(adminScope, { prefix: '/v1/admin' });
  await app.register(publicScope);
}
