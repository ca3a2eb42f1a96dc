import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { healthRoutes } from './health.js';
import { adminMessageRoutes } from '../admin/messages.js';
import { publicMessageRoutes } from '../public/messages.js';
import { devMailRoutes } from '../pages/dev-mail.js';
import { adminTokenRoutes } from './admin-tokens.js';
import { widgetRoutes } from './widget.js';
import { adminVisitRoutes } from './admin-visits.js';
import { publicBookingRoutes } from './public-booking.js';
import { publicHoldRoutes } from './public-holds.js';
import { feedRoutes } from './feeds.js';
import { adminFeedRoutes } from './admin-feeds.js';
import { adminPlanRoutes } from './admin-plans.js';
import { plannerPageRoutes } from './planner-page.js';
import { adminAvailabilityModelRoutes } from './admin-availability-model.js';

/** Every route plugin of the service, in one place. */
export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(healthRoutes, { ctx });
  await app.register(adminTokenRoutes, { ctx, prefix: '/v1/admin' });
  await app.register(widgetRoutes, { ctx });
  await app.register(publicBookingRoutes, { ctx });
  await app.register(publicHoldRoutes, { ctx });
  await app.register(adminVisitRoutes, { ctx, prefix: '/v1/admin' });
  await app.register(feedRoutes, { ctx });
  await app.register(adminFeedRoutes, { ctx, prefix: '/v1/admin' });
  await app.register(adminPlanRoutes, { ctx, prefix: '/v1/admin' });
  await app.register(plannerPageRoutes, { ctx });
  await app.register(adminAvailabilityModelRoutes, { ctx, prefix: '/v1/admin' });
  await app.register(adminMessageRoutes, { ctx, prefix: '/v1/admin' });
  await app.register(publicMessageRoutes, { ctx });
  await app.register(devMailRoutes, { ctx });
}
