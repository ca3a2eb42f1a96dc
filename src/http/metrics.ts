import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import {
  bookingOutcomes,
  collectProcessMetrics,
  httpRequestDuration,
  registry,
  watchOutbox,
  watchPool,
} from '../observability/metrics.js';
import { outboxBacklog } from '../domain/messages/admin.js';
import type { AppContext } from './context.js';

const BOOKING_ROUTE = '/v1/bookings';

/**
 * Request metrics for every route (root-level hook), and the unauthenticated metrics listener when
 * TOURNEE_METRICS_PORT is set (an internal port that only the scraper reaches).
 */
export async function registerMetrics(app: FastifyInstance, ctx: AppContext): Promise<void> {
  collectProcessMetrics();
  if (ctx.database.poolStats) watchPool(ctx.database.poolStats);
  watchOutbox(() => outboxBacklog(ctx.database.db));

  app.addHook('onResponse', async (request, reply) => {
    // The route template keeps label values bounded: never a raw URL with ids or tokens.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    httpRequestDuration.observe(
      { method: request.method, route, status_code: status },
      reply.elapsedTime / 1000,
    );
    if (route === BOOKING_ROUTE && request.method === 'POST') bookingOutcomes.inc({ status_code: status });
  });

  const port = ctx.config.TOURNEE_METRICS_PORT;
  if (port === undefined) return;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ctx.config.HOST, () => resolve());
  });
  app.decorate('metricsServer', server);
  app.addHook('onClose', async () => new Promise<void>((resolve) => server.close(() => resolve())));
}

declare module 'fastify' {
  interface FastifyInstance {
    metricsServer?: Server;
  }
}
