import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { buildPlannerBundle } from '../../planner/build.js';
import { plannerPageHtml } from './planner.js';

interface Bundle {
  code: string;
  etag: string;
}

/** Built once per process on first request, then served from memory. */
let bundle: Promise<Bundle> | undefined;
function plannerBundle(): Promise<Bundle> {
  bundle ??= buildPlannerBundle().then(
    (code) => ({ code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` }),
    (error: unknown) => {
      bundle = undefined; // a failed build is retried on the next request, not cached
      throw error;
    },
  );
  return bundle;
}

/** The planner's page (/planner) and its script (/planner.js). The data comes from the token-protected /v1/admin API. */
export const plannerPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const page = plannerPageHtml();
  app.get(
    '/planner',
    {
      config: { rateLimit: false },
      schema: { summary: "The planner's page", tags: ['planner'], hide: true },
    },
    async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
  app.get(
    '/planner.js',
    {
      config: { rateLimit: false },
      schema: { summary: "The planner's page script", tags: ['planner'], hide: true },
    },
    async (request, reply) => {
      const { code, etag } = await plannerBundle();
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/javascript; charset=utf-8').send(code);
    },
  );
};
