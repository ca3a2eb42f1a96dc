import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  revokeTechnicianFeedToken,
  rotateTeamFeedToken,
  rotateTechnicianFeedToken,
} from '../../domain/feeds.js';
import { HttpProblem } from '../problem.js';

const feedUrlsView = z.object({
  /** For Google Calendar ("From URL"), which takes https only. */
  feedUrl: z.string(),
  /** For phones: opens the calendar app's subscribe dialog. */
  webcalUrl: z.string(),
});

/** Admin control of the capability URLs of calendar feeds. */
export const adminFeedRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const security = [{ bearer: [] }];
  const technicianParams = z.object({ id: z.uuid() });

  app.post(
    '/technicians/:id/feed-token',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Give the technician a new feed URL; the old one stops working at once',
        tags: ['admin', 'feeds'],
        security,
        params: technicianParams,
        response: { 200: feedUrlsView },
      },
    },
    async (request) => {
      const urls = await rotateTechnicianFeedToken(ctx.db, request.params.id, ctx.publicUrl);
      if (!urls) throw HttpProblem.notFound('Technician');
      return { feedUrl: urls.https, webcalUrl: urls.webcal };
    },
  );

  app.delete(
    '/technicians/:id/feed-token',
    {
      config: { role: 'admin' },
      schema: {
        summary: "Revoke the technician's feed URL",
        tags: ['admin', 'feeds'],
        security,
        params: technicianParams,
      },
    },
    async (request, reply) => {
      if (!(await revokeTechnicianFeedToken(ctx.db, request.params.id)))
        throw HttpProblem.notFound('Technician');
      return reply.code(204).send();
    },
  );

  app.post(
    '/settings/team-feed-token',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Give the team feed a new URL; the old one stops working at once',
        tags: ['admin', 'feeds'],
        security,
        response: { 200: feedUrlsView },
      },
    },
    async () => {
      const urls = await rotateTeamFeedToken(ctx.db, ctx.publicUrl);
      if (!urls) throw HttpProblem.notFound('Company settings');
      return { feedUrl: urls.https, webcalUrl: urls.webcal };
    },
  );
};
