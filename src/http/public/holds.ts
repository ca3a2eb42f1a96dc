import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MAX_LIVE_HOLDS, placeHold, releaseHold, renewHold } from '../../domain/holds/index.js';
import { optionalPrincipal } from '../auth.js';
import { safeInstant } from '../schemas/text.js';

const windowSchema = z.object({ start: safeInstant(), end: safeInstant() });
const heldWindow = z.object({ id: z.uuid(), expiresAt: z.string(), renewable: z.boolean() });

/**
 * Holds: the widget keeps the window a customer chose while they type
 * (5 minutes, renewable once). The client is its network address: a hold
 * is only seen, renewed, released or booked from where it was placed.
 */
export const publicHoldRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  // A person holds a window or two; a robot trying to hold a whole day meets this first.
  const rateLimit = { max: Math.min(ctx.config.TOURNEE_RATE_LIMIT, 30), timeWindow: '1 minute' };

  app.post(
    '/v1/holds',
    {
      config: { rateLimit },
      schema: {
        summary: 'Hold an offered window for 5 minutes while the customer types',
        description: `201 with the hold's \`id\` (send it as \`holdId\` with the booking) and \`expiresAt\`. Counted like a booking for every other client; at most ${MAX_LIVE_HOLDS} live holds per client (429 beyond). 409 with \`alternatives\` when the window is not (or no longer) offered.`,
        tags: ['booking'],
        body: z
          .object({
            serviceId: z.uuid(),
            window: windowSchema,
            postcode: z.string().regex(/^\d{5}$/, 'must be a 5-digit French postal code'),
            lat: z.number().min(-90).max(90).optional(),
            lon: z.number().min(-180).max(180).optional(),
          })
          .refine((b) => (b.lat === undefined) === (b.lon === undefined), {
            message: 'lat and lon go together',
            path: ['lon'],
          }),
        response: { 201: heldWindow },
      },
    },
    async (request, reply) => {
      const principal = await optionalPrincipal(ctx.db, request);
      const body = request.body;
      const held = await placeHold(ctx.db, {
        serviceId: body.serviceId,
        window: body.window,
        address: { postcode: body.postcode, lat: body.lat, lon: body.lon },
        client: request.ip,
        isStaff: principal !== undefined,
        now: ctx.clock(),
      });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(held);
    },
  );

  app.post(
    '/v1/holds/:id/renew',
    {
      config: { rateLimit },
      schema: {
        summary: 'Five more minutes, once',
        tags: ['booking'],
        params: z.object({ id: z.uuid() }),
        response: { 200: heldWindow },
      },
    },
    async (request) => renewHold(ctx.db, request.params.id, request.ip, ctx.clock()),
  );

  app.delete(
    '/v1/holds/:id',
    {
      config: { rateLimit },
      schema: {
        summary: 'Release a hold: the window is free again at once',
        tags: ['booking'],
        params: z.object({ id: z.uuid() }),
      },
    },
    async (request, reply) => {
      await releaseHold(ctx.db, request.params.id, request.ip, ctx.clock());
      return reply.code(204).send();
    },
  );
};
