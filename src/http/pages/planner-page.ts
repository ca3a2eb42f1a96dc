import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
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

/**
 * The tile server's origin as a CSP source ("{s}" subdomains become a
 * wildcard), so the map may load its images and nothing else from outside.
 */
export function tileSource(template: string): string | null {
  if (template === 'off') return null;
  const match = /^(https?):\/\/([^/]+)\//.exec(template);
  if (!match) return null;
  return `${match[1]}://${match[2]!.replace(/\{s\}/g, '*')}`;
}

/** The page's CSP: the service's own, with the tile server allowed for images. */
function withTiles(policy: string, source: string | null): string {
  if (!source) return policy;
  return policy.replace(
    /(^|;)\s*img-src ([^;]*)/,
    (_all, lead: string, sources: string) => `${lead}img-src ${sources} ${source}`,
  );
}

const require = createRequire(import.meta.url);

/** The planner's page (/planner) and its script (/planner.js). The data comes from the token-protected /v1/admin API. */
export const plannerPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app.ctx;
  const tiles = config.TOURNEE_MAP_TILES;
  const page = plannerPageHtml({
    tiles,
    attribution: config.TOURNEE_MAP_ATTRIBUTION,
    leafletCss: await Promise.resolve()
      .then(() => readFile(require.resolve('leaflet/dist/leaflet.css'), 'utf8'))
      .catch(() => {
        // A checkout whose node_modules predates the dependency must still start (every other
        // route works); only the planner's map is then unstyled until `npm install`.
        app.log.warn('leaflet is not installed (run npm install): the planner map is unstyled');
        return '';
      }),
  });
  const source = tileSource(tiles);
  app.get(
    '/planner',
    {
      config: { rateLimit: false },
      schema: { summary: "The planner's page", tags: ['planner'], hide: true },
    },
    async (_request, reply) => {
      const policy = reply.getHeader('content-security-policy');
      if (typeof policy === 'string') reply.header('content-security-policy', withTiles(policy, source));
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
    },
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
