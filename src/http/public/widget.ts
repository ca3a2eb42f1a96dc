import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { buildWidgetBundle } from '../../widget/build.js';
import { demoPageHtml, managePageHtml } from '../pages/demo-site.js';

interface Bundle {
  code: string;
  etag: string;
}

/** Built once per process on first request (≈ 100 ms with esbuild), then served from memory. */
let bundle: Promise<Bundle> | undefined;
function widgetBundle(): Promise<Bundle> {
  bundle ??= buildWidgetBundle().then(
    (code) => ({ code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` }),
    (error: unknown) => {
      bundle = undefined; // let the next request try again rather than caching the failure
      throw error;
    },
  );
  return bundle;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * The embeddable booking widget (/widget.js), the demo public site (/) that
 * embeds it and the customers' manage page (/manage). All static: no rate
 * limit, cacheable, no inline script.
 */
export const widgetRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.get(
    '/widget.js',
    {
      config: { rateLimit: false },
      schema: { summary: 'The booking widget, one ES module defining <tournee-booking>', tags: ['widget'] },
    },
    async (request, reply) => {
      const { code, etag } = await widgetBundle();
      reply
        .header('etag', etag)
        // Not content-addressed (the URL is fixed in customers' pages): revalidate after five minutes.
        .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
        // Any site may load the script; what it may call is decided by the API's CORS allow-list.
        .header('access-control-allow-origin', '*')
        .header('cross-origin-resource-policy', 'cross-origin');
      if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type('application/javascript; charset=utf-8').send(code);
    },
  );

  const site = { phone: '04 78 00 12 34', docsUrl: `${ctx.publicUrl}/docs` };
  const page = demoPageHtml(site);
  const managePage = managePageHtml(site);
  app.get(
    '/',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Demo of the company website with the booking widget',
        tags: ['widget'],
        hide: true,
      },
    },
    async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );

  // The manage link of every booking (`/manage#<id>.<token>`): the token is in the fragment, so it never reaches this route.
  app.get(
    '/manage',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'The customer’s page to see, move or cancel a booking',
        tags: ['widget'],
        hide: true,
      },
    },
    async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(managePage),
  );
};
