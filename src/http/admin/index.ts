import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { guardRoutesByRole } from '../auth.js';
import { adminAvailabilityRoutes } from './availability.js';
import { adminCatalogueRoutes } from './catalogue.js';
import { adminCustomerRoutes } from './customers.js';
import { adminDispatchRoutes } from './dispatch.js';
import { adminRequestRoutes } from './requests.js';
import { adminFeedRoutes } from './feeds.js';
import { adminMessageRoutes } from './messages.js';
import { adminPlanRoutes } from './plans.js';
import { adminRefusalRoutes } from './refusals.js';
import { adminSettingsRoutes } from './settings.js';
import { adminTechnicianRoutes } from './technicians.js';
import { adminTokenRoutes } from './tokens.js';
import { adminVisitRoutes } from './visits.js';

/**
 * The back office, mounted at /v1/admin. Every route declares the least role it needs
 * (`config: { role: 'agent' | 'planner' | 'admin' }`); one onRequest hook checks the bearer token.
 * Not rate limited: every caller holds a token that can be revoked.
 * A new aggregate: its routes in ./<aggregate>.ts (paths relative to /v1/admin), one register line below.
 */
export const adminScope: FastifyPluginAsyncZod = async (app) => {
  guardRoutesByRole(app, app.ctx.db, { everyRoute: true });
  await app.register(adminTokenRoutes);
  await app.register(adminVisitRoutes);
  await app.register(adminFeedRoutes);
  await app.register(adminPlanRoutes);
  await app.register(adminDispatchRoutes);
  await app.register(adminCatalogueRoutes);
  await app.register(adminTechnicianRoutes);
  await app.register(adminSettingsRoutes);
  await app.register(adminAvailabilityRoutes);
  await app.register(adminMessageRoutes);
  await app.register(adminCustomerRoutes);
  await app.register(adminRefusalRoutes);
  await app.register(adminRequestRoutes);
};
