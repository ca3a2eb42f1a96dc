import { sql } from 'kysely';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';

export const healthRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/health',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Liveness and database check',
        tags: ['ops'],
        response: {
          200: z.object({ status: z.literal('ok'), database: z.enum(['postgres', 'pglite']) }),
          503: z.object({ status: z.literal('unavailable'), database: z.enum(['postgres', 'pglite']) }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await sql`SELECT 1`.execute(ctx.db);
        return { status: 'ok' as const, database: ctx.database.kind };
      } catch {
        return reply.code(503).send({ status: 'unavailable' as const, database: ctx.database.kind });
      }
    },
  );
};
