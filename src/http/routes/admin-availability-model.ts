/** The availability model's admin API (issue #3): catalogue, technicians and their hours, settings, availability. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import { adminAvailabilityRoutes } from './admin-availability.js';
import { adminCatalogueRoutes } from './admin-catalogue.js';
import { adminSettingsRoutes } from './admin-settings.js';
import { adminTechnicianRoutes } from './admin-technicians.js';

export const adminAvailabilityModelRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  await app.register(adminCatalogueRoutes, { ctx });
  await app.register(adminTechnicianRoutes, { ctx });
  await app.register(adminSettingsRoutes, { ctx });
  await app.register(adminAvailabilityRoutes, { ctx });
};
