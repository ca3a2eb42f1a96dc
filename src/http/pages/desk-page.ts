import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { buildDeskBundle } from '../../desk/build.js';
import { deskPageHtml } from './desk.js';

interface Bundle {
  code: string;
  etag: string;
}

/** Built once per process on first request, then served from memory. */
let bundle: Promise<Bundle> | undefined;
function deskBundle(): Promise<Bundle> {
  bundle ??= buildDeskBundle().then(
    (code) => ({ code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` }),
    (error: unknown) => {
      bundle = undefined; // a failed build is retried on the next request, not cached
      throw error;
    },
  );
  return bundle;
}

/** The desk's page (/desk) and its script (/desk.js). The data comes from the agent-token /v1/admin API. */
export const deskPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const page = deskPageHtml();
  app.get(
    '/desk',
    {
      config: { rateLimit: false },
      schema: { summary: "The desk's page", tags: ['desk'], hide: true },
    },
    async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
  app.get(
    '/desk.js',
    {
      config: { rateLimit: false },
      schema: { summary: "The desk's page script", tags: ['desk'], hide: true },
    },
    async (request, reply) => {
      const { code, etag } = await deskBundle();
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/javascript; charset=utf-8').send(code);
    },
  );
};
