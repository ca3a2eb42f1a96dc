import { sql } from 'kysely';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pendingMigrations } from '../../db/migrate.js';
import { registry } from '../../observability/metrics.js';
import type { AppContext } from '../context.js';
import { requireRole } from '../auth.js';

const probe = { config: { rateLimit: false }, logLevel: 'warn' as const };

/**
 * Probes for a load balancer or Kubernetes: /health says the process is alive (liveness: restart
 * it when this fails), /ready says it should receive traffic (database reachable, every migration
 * applied, not draining before a stop). /metrics is Prometheus text, for a token holder here or
 * unauthenticated on TOURNEE_METRICS_PORT.
 */
export const healthRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/health',
    {
      ...probe,
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['ops'],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const readiness = z.object({
    status: z.enum(['ready', 'unavailable']),
    database: z.enum(['postgres', 'pglite']),
    checks: z.object({ database: z.boolean(), migrations: z.boolean(), draining: z.boolean() }),
  });
  app.get(
    '/ready',
    {
      ...probe,
      schema: {
        summary: 'Readiness: database reachable, migrations applied, not draining',
        tags: ['ops'],
        response: { 200: readiness, 503: readiness },
      },
    },
    async (_request, reply) => {
      const checks = { database: false, migrations: false, draining: ctx.lifecycle.draining };
      try {
        await sql`SELECT 1`.execute(ctx.db);
        checks.database = true;
        checks.migrations = (await pendingMigrations(ctx.db)).length === 0;
      } catch {
        // reported through the checks
      }
      const ready = checks.database && checks.migrations && !checks.draining;
      reply.header('cache-control', 'no-store');
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', database: ctx.database.kind, checks });
    },
  );

  if (ctx.config.TOURNEE_METRICS_PORT === undefined) {
    app.get(
      '/metrics',
      {
        config: { rateLimit: false },
        logLevel: 'warn',
        preHandler: requireRole(ctx.db, 'admin'),
        schema: { summary: 'Prometheus metrics (admin token)', tags: ['ops'], security: [{ bearer: [] }] },
      },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );
  }
};
