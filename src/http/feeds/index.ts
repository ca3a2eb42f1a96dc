import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { feedRoutes } from './calendars.js';

/**
 * Calendar subscriptions (/v1/feeds): no login, the secret is in the URL. Registered inside the public
 * scope, so calendar clients share the per-client rate limit with the widget.
 */
export const feedScope: FastifyPluginAsyncZod = async (app) => {
  await app.register(feedRoutes);
};
