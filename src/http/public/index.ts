import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { feedScope } from '../feeds/index.js';
import { devMailRoutes } from '../pages/dev-mail.js';
import { deskPageRoutes } from '../pages/desk-page.js';
import { plannerPageRoutes } from '../pages/planner-page.js';
import { publicBookingRoutes } from './bookings.js';
import { publicHoldRoutes } from './holds.js';
import { publicMessageRoutes } from './messages.js';
import { publicRequestRoutes } from './requests.js';
import { widgetRoutes } from './widget.js';

/**
 * Everything a stranger can reach: the widget and its API, manage links, pages, calendar feeds.
 * One rate limit per client for the whole scope (TOURNEE_RATE_LIMIT a minute); a route may lower it
 * (`config: { rateLimit: { max } }`) or opt out for static assets (`config: { rateLimit: false }`).
 * A new public route: a plugin in ./<aggregate>.ts (pages in ../pages/), one register line below.
 */
export const publicScope: FastifyPluginAsyncZod = async (app) => {
  await app.register(rateLimit, {
    global: true,
    max: app.ctx.config.TOURNEE_RATE_LIMIT,
    timeWindow: '1 minute',
    addHeadersOnExceeding: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': true,
    },
    addHeaders: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': true,
      'retry-after': true,
    },
  });
  await app.register(widgetRoutes);
  await app.register(publicBookingRoutes);
  await app.register(publicHoldRoutes);
  await app.register(publicRequestRoutes);
  await app.register(feedScope);
  await app.register(plannerPageRoutes);
  await app.register(deskPageRoutes);
  await app.register(publicMessageRoutes);
  await app.register(devMailRoutes);
};
