import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createPublicRequest, REQUEST_KINDS } from '../../domain/requests/index.js';
import { optionalPrincipal } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { safeText } from '../schemas/text.js';

/** The public side of requests: "Être rappelé" and the like, from the widget. */
export const publicRequestRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.post(
    '/v1/requests',
    {
      schema: {
        summary: 'Ask to be called back (or any request that is not a booking)',
        description:
          'Needs a solved proof-of-work challenge (`GET /v1/challenge`) like a booking, unless sent with a staff bearer token. Kinds: callback, out_of_area, no_window, quote, other.',
        tags: ['booking'],
        security: [{}, { bearer: [] as string[] }],
        body: z.object({
          kind: z.enum(REQUEST_KINDS),
          name: safeText(120),
          phone: safeText(40),
          email: z.email().max(254).nullable().optional(),
          postcode: z
            .string()
            .regex(/^\d{5}$/, 'must be a 5-digit French postal code')
            .nullable()
            .optional(),
          serviceId: z.uuid().nullable().optional(),
          message: safeText(2000, { multiline: true, min: 0 }).nullable().optional(),
          preferredTime: safeText(200).nullable().optional(),
          /** Honeypot: people leave it empty, form-filling robots do not. */
          website: safeText(200, { min: 0, trim: false }).optional(),
          pow: z
            .object({ challenge: safeText(300, { trim: false }), nonce: safeText(20, { trim: false }) })
            .optional(),
        }),
        response: { 201: z.object({ id: z.uuid(), reference: z.string() }) },
      },
    },
    async (request, reply) => {
      if (request.body.website)
        throw new HttpProblem(422, 'Unprocessable request', 'The request was refused.', {
          field: 'body.website',
        });
      const principal = await optionalPrincipal(ctx.db, request);
      const created = await createPublicRequest(ctx.db, request.body, {
        powDifficulty: ctx.config.TOURNEE_POW_DIFFICULTY,
        isStaff: principal !== undefined,
        actor: principal ? `${principal.role}:${principal.name}` : 'web',
        now: ctx.clock(),
      });
      return reply.code(201).send(created);
    },
  );
};
