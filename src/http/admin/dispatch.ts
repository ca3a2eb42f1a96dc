/**
 * The dispatcher's quick questions and urgent work (issue 16): can this
 * visit go there (asked while dragging, nothing written), and — for an
 * urgent job today — where it could go and creating it there. Planner role.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkMove } from '../../domain/planning/move-check.js';
import { safeInstant } from '../schemas/text.js';
import { idParams } from './schemas.js';

const security = [{ bearer: [] }];

export const adminDispatchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.post(
    '/visits/:id/move-check',
    {
      config: { role: 'planner' },
      schema: {
        summary:
          'Would this visit fit on that technician at that start? Same rules as a move, nothing written; reasons in French',
        tags: ['planner'],
        security,
        params: idParams,
        body: z.strictObject({ technicianId: z.uuid(), start: safeInstant() }),
        response: {
          200: z.object({
            feasible: z.boolean(),
            reasons: z.array(z.object({ code: z.string(), text: z.string() })),
          }),
        },
      },
    },
    async (request) => checkMove(ctx.db, { visitId: request.params.id, ...request.body, now: ctx.clock() }),
  );
};
