import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { databaseReadiness } from '../../domain/readiness.js';
import { registry } from '../../observability/metrics.js';
import { guardRoutesByRole } from '../auth.js';

const probe = { logLevel: 'warn' as const };

/**
 * Probes for a load balancer or Kubernetes: /health says the process is alive (liveness: restart
 * it when this fails), /ready says it should receive traffic (database reachable, every migration
 * applied, not draining before a stop). /metrics is Prometheus text, for a token holder here or
 * unauthenticated on TOURNEE_METRICS_PORT.
 */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  // Only /metrics declares a role; the probes answer anyone.
  guardRoutesByRole(app, ctx.db, { everyRoute: false });
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
      const checks = { ...(await databaseReadiness(ctx.db)), draining: ctx.lifecycle.draining };
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
        logLevel: 'warn',
        config: { role: 'admin' },
        schema: { summary: 'Prometheus metrics (admin token)', tags: ['ops'], security: [{ bearer: [] }] },
      },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );
  }
};
